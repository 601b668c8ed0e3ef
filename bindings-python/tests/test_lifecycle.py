"""Drafts, edits and deletes from Python against the emulator binary:
``Post(draft=True)`` (and a dict's ``draft``) becomes each platform's
closest meaning, named in the report's ``draft``; a platform without one
refuses it; ``edit`` and ``delete`` take a report's result as it is; an
edit shows in the emulator's record, a second delete succeeds, and an
impossible edit is a ``PlatformError`` with ``platform_code ==
"unsupported"``. Node's equivalent: ``bindings-node/__test__/lifecycle.test.mjs``."""

from __future__ import annotations

from typing import Any, Dict

import pytest

import creatorsync as cs
from creatorsync.blocking import CreatorSync as BlockingSync

from conftest import STATE_SECRET, Emulator, connect


def _client(emulator: Emulator) -> cs.CreatorSync:
    return cs.CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store="memory"
    )


def _recorded(emulator: Emulator, platform: str, post_id: str) -> Dict[str, Any]:
    [post] = [p for p in emulator.posts(platform) if p["post_id"] == post_id]
    return post


async def test_a_draft_is_named_in_the_report_and_refused_where_impossible(
    emulator: Emulator, user_id: str
) -> None:
    sync = _client(emulator)
    await connect(sync, user_id, "facebook")
    await connect(sync, user_id, "x")
    post = cs.Post(f"draft {user_id}", draft=True)
    assert post.draft is True
    report = await sync.publish(user_id, post, targets=["facebook:1001"])
    [r] = report["results"]
    assert r["ok"], r
    assert r["draft"] == "unpublished"
    assert _recorded(emulator, "facebook", r["post_id"] or "")["extra"]["state"] == "draft"

    live = await sync.publish(user_id, {"text": f"live {user_id}"}, targets=["facebook:1001"])
    assert live["results"][0]["draft"] is None

    with pytest.raises(cs.InvalidPost) as e:
        await sync.publish(user_id, {"text": "x draft", "draft": True}, targets=["x"])
    assert "draft_unsupported" in {v["code"] for v in e.value.violations}


async def test_edit_and_delete_by_a_reports_result(emulator: Emulator, user_id: str) -> None:
    sync = _client(emulator)
    await connect(sync, user_id, "facebook")
    await connect(sync, user_id, "x")
    report = await sync.publish(user_id, {"text": f"tpyo {user_id}"}, targets=["facebook:1001", "x"])
    fb, x = sorted(report["results"], key=lambda r: r["platform"])
    assert fb["ok"] and x["ok"], report["results"]

    await sync.edit(user_id, fb, f"typo fixed {user_id}")
    rec = _recorded(emulator, "facebook", fb["post_id"] or "")
    assert rec["text"] == f"typo fixed {user_id}"
    assert rec["extra"]["edits"] == "1"

    with pytest.raises(cs.PlatformError) as e:
        await sync.edit(user_id, x, "X has no edit")
    assert e.value.platform_code == "unsupported"

    for r in (fb, x):
        await sync.delete(user_id, r)
        await sync.delete(user_id, r)  # already gone: still fine
        assert _recorded(emulator, r["platform"], r["post_id"] or "")["deleted"] is True

    blocking = BlockingSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store="memory"
    )
    with pytest.raises(cs.InvalidInput):
        blocking.delete(user_id, {"platform": "myspace", "post_id": "1"})
