"""Quotas from Python against the emulator binary: with
``quota_limits={"x": {"posts": 1}}`` the second X post of the window fails
its target with ``QUOTA_EXHAUSTED`` before any request reaches X, the
report's error says which quota, its cap and when it resets, and
``quota()`` shows nothing left. (The raised form, ``QuotaExhausted``, is
checked in ``src/error.rs``: no client call raises it, a publish reports it
per target.) Node's equivalent: ``bindings-node/__test__/quota.test.mjs``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import creatorsync as cs

from conftest import STATE_SECRET, Emulator, connect

X_POSTS_WINDOW = timedelta(minutes=15)


def capped_client(emulator: Emulator, posts: int) -> cs.CreatorSync:
    return cs.CreatorSync(
        apps=emulator.apps,
        endpoints=emulator.endpoints,
        state_secret=STATE_SECRET,
        store="memory",
        quota_limits={"x": {"posts": posts}},
    )


async def test_a_used_up_quota_fails_the_target_before_any_request(emulator: Emulator, user_id: str) -> None:
    sync = capped_client(emulator, 1)
    await connect(sync, user_id, "x")
    first = await sync.publish(user_id, {"text": f"first {user_id}"}, targets=["x"])
    assert first["all_ok"], first["results"]
    started = datetime.now(timezone.utc)

    second_text = f"second {user_id}"
    report = await sync.publish(user_id, {"text": second_text}, targets=["x"])
    assert not report["all_ok"]
    [result] = report["results"]
    error = result["error"]
    assert error is not None
    assert error["code"] == "QUOTA_EXHAUSTED", error
    assert error["platform"] == "x"
    assert error["bucket"] == "posts"
    assert error["limit"] == 1
    assert error["retry_after"] is not None and 0 < error["retry_after"] <= X_POSTS_WINDOW.total_seconds()
    assert error["resets_at"] is not None
    resets_at = datetime.fromisoformat(error["resets_at"])
    assert resets_at.utcoffset() == timedelta(0), error["resets_at"]
    ahead = resets_at - started
    assert timedelta(minutes=14) < ahead <= X_POSTS_WINDOW, ahead
    assert report["legacy"]["x"]["success"] is False

    texts = [str(p) for p in emulator.posts("x")]
    assert sum(user_id in t for t in texts) == 1, "the emulator got exactly one X post of this user"
    assert not any(second_text in t for t in texts)

    [usage] = [q for q in await sync.quota(user_id) if q["platform"] == "x" and q["bucket"] == "posts"]
    assert usage["scope"] == "account"
    assert usage["account_id"] == result["account_id"]
    assert (usage["used"], usage["limit"], usage["remaining"]) == (1, 1, 0)
    assert usage["resets_at"] is not None
    assert abs(datetime.fromisoformat(usage["resets_at"]) - resets_at) < timedelta(seconds=1)


async def test_quota_limits_must_name_a_platform_and_quota(emulator: Emulator) -> None:
    with pytest.raises(cs.InvalidInput) as e:
        cs.CreatorSync(
            apps=emulator.apps,
            endpoints=emulator.endpoints,
            state_secret=STATE_SECRET,
            store="memory",
            quota_limits={"myspace": {"posts": 1}},
        )
    assert e.value.field == "quota_limits.myspace"
