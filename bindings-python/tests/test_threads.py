"""Threads and first comments from Python: the post dict's ``thread``,
``first_comment`` and ``thread_mode``, each follow-up's id in the report, a
thread resumed with the same key, and refusals before any request."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import creatorsync as cs

from conftest import Emulator, connect, make_client


def _mine(emulator: Emulator, platform: str, tag: str) -> List[Dict[str, Any]]:
    return [p for p in emulator.posts(platform) if tag in p["text"] and not p["deleted"]]


async def test_an_x_thread_stopped_half_way_resumes_with_the_same_key(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    await connect(sync, user_id, "x")
    post: cs.PostInput = {
        "text": f"0/2 py thread {user_id}",
        "thread": [{"text": f"1/2 py thread {user_id}"}, {"text": f"2/2 py thread {user_id}"}],
    }
    # The third create (the second reply) answers 503 before acting.
    emulator.fault("x", kind="fail", status=503, method="POST", path_contains="/2/tweets", skip=2)
    first = await sync.publish(user_id, post, targets=["x"], idempotency_key=f"thread-{user_id}")
    r: cs.TargetResult = first["results"][0]
    assert r["ok"] and r["comment"] is None
    assert [p["ok"] for p in r["parts"]] == [True, False]
    assert r["parts"][1]["error"] is not None and r["parts"][1]["post_id"] is None
    emulator.clear_faults()

    again = await sync.publish(user_id, post, targets=["x"], idempotency_key=f"thread-{user_id}")
    r = again["results"][0]
    assert r["reused"] and [p["ok"] for p in r["parts"]] == [True, True]
    posts = sorted(_mine(emulator, "x", user_id), key=lambda p: p["text"])
    assert len(posts) == 3, posts
    assert posts[1]["extra"]["in_reply_to_tweet_id"] == posts[0]["post_id"] == r["post_id"]
    assert posts[2]["extra"]["in_reply_to_tweet_id"] == posts[1]["post_id"]
    assert [p["post_id"] for p in r["parts"]] == [posts[1]["post_id"], posts[2]["post_id"]]


async def test_a_facebook_first_comment_is_in_the_report(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    await connect(sync, user_id, "facebook")
    post: cs.PostInput = {"text": f"fb post {user_id}", "first_comment": f"fb comment {user_id}"}
    report = await sync.publish(user_id, post, targets=[("facebook", "1001")])
    r = report["results"][0]
    comment = r["comment"]
    assert r["ok"] and comment is not None and comment["ok"], r
    assert r["parts"] == []
    recorded = [p for p in _mine(emulator, "facebook", user_id) if p["extra"].get("comment_on")]
    assert [p["post_id"] for p in recorded] == [comment["post_id"]]
    assert recorded[0]["extra"]["comment_on"] == r["post_id"]


async def test_what_a_platform_cannot_carry_is_refused(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    await connect(sync, user_id, "facebook")
    before = len(emulator.posts())
    with pytest.raises(cs.InvalidPost) as e:
        await sync.publish(
            user_id,
            {"text": "a thread", "thread": [{"text": "two"}], "thread_mode": "refuse"},
            targets=[("facebook", "1001")],
        )
    assert any(v["code"] == "thread_unsupported" for v in e.value.violations)
    assert len(emulator.posts()) == before
    # Asked to, the parts become comments.
    report = await sync.publish(
        user_id,
        {"text": f"thread as comments {user_id}", "thread": [{"text": f"two {user_id}"}], "thread_mode": "comments"},
        targets=[("facebook", "1001")],
    )
    assert report["results"][0]["parts"][0]["ok"]
