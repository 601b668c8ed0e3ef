"""Links and mentions from Python (``docs/post-content.md``): a dict post's
``mentions`` (keys kept as written) become each platform's form, a
``link`` is appended on X and is Facebook's link, a mention without an id
for a target fails that target naming both, and the typings of the new
inputs match the core's schema. Node's equivalent:
``bindings-node/__test__/post_content.test.mjs``."""

from __future__ import annotations

import json
from typing import Any, Dict

import pytest

import creatorsync as cs
from creatorsync import _types

from conftest import Emulator, connect, make_client
from test_contract import mismatches, schema_fields, typed_fields


@pytest.mark.parametrize("name", ["LinkInput", "MentionInput", "PostInput"])
def test_new_inputs_declare_exactly_the_schema(name: str) -> None:
    typed = typed_fields(getattr(_types, name))
    assert mismatches(schema_fields(name, input=True), typed) == []


async def test_mentions_and_link_reach_x_and_linkedin(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    for p in ("x", "linkedin"):
        await connect(sync, user_id, p)
    post = {
        "text": f"Thanks @{{adaL}} (beta) {user_id}",
        "mentions": {"adaL": {"name": "Ada", "ids": {"x": "ada_l", "linkedin": "urn:li:person:ada1"}}},
        "link": {"url": "https://example.com/a", "title": "A"},
    }
    report = await sync.publish(user_id, post, targets=["x", "linkedin:li-demo-person"])
    assert report["all_ok"], report["results"]
    [x] = [p for p in emulator.posts("x") if user_id in p["text"]]
    assert x["text"] == f"Thanks @ada_l (beta) {user_id}\n\nhttps://example.com/a"
    [li] = [p for p in emulator.posts("linkedin") if user_id in p["text"]]
    assert li["text"] == f"Thanks @[Ada](urn:li:person:ada1) \\(beta\\) {user_id}"
    assert json.loads(li["extra"]["content"])["article"]["source"] == "https://example.com/a"


async def test_a_mention_without_an_id_fails_that_target(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    await connect(sync, user_id, "facebook")
    post: Dict[str, Any] = {"text": f"Hi @{{bob}} {user_id}", "mentions": {"bob": {"name": "Bob", "ids": {"x": "bob"}}}}
    with pytest.raises(cs.InvalidPost) as e:
        await sync.publish(user_id, post, targets=["facebook"])
    assert "mentions.bob" in str(e.value) and "Facebook" in str(e.value)
    post["mention_fallback"] = True
    report = await sync.publish(user_id, post, targets=["facebook"])
    assert report["all_ok"], report["results"]
    assert any(p["text"] == f"Hi Bob {user_id}" for p in emulator.posts("facebook"))
