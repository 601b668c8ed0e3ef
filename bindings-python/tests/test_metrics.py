"""Post metrics from Python against the emulator binary: ``metrics`` takes
a publish report's results as they are and answers one dict per post, a
metric the platform does not report is ``None`` (never 0), a post the
platform does not have fails alone, and ``metrics_history`` keeps each read.
The shapes are the schema's (``MetricsResultView``, ``MetricsView``,
``PostRefInput``). Node's equivalent: ``bindings-node/__test__/metrics.test.mjs``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import creatorsync as cs
from creatorsync import _types

from conftest import STATE_SECRET, Emulator, connect
from test_contract import mismatches, schema_fields, typed_fields


@pytest.mark.parametrize(
    "definition,name,is_input",
    [("PostRefInput", "PostRef", True), ("MetricsView", "PostMetrics", False), ("MetricsResultView", "MetricsResult", False)],
)
def test_metrics_typed_dicts_are_the_schema(definition: str, name: str, is_input: bool) -> None:
    typed = typed_fields(getattr(_types, name))
    assert mismatches(schema_fields(definition, input=is_input), typed) == []


async def test_metrics_of_a_published_post_with_unreported_none(emulator: Emulator, user_id: str) -> None:
    sync = cs.CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store="memory"
    )
    await connect(sync, user_id, "x")
    report = await sync.publish(user_id, {"text": f"metrics {user_id}"}, targets=["x"])
    assert report["all_ok"], report["results"]
    posts: list[cs.PostRef] = [
        {"platform": r["platform"], "post_id": r["post_id"] or "", "account_id": r["account_id"]}
        for r in report["results"]
    ]
    posts.append({"platform": "x", "post_id": "1"})

    [ok, missing] = await sync.metrics(user_id, posts)
    assert ok["ok"] and ok["error"] is None, ok
    m = ok["metrics"]
    assert m is not None
    assert m["post_id"] == posts[0]["post_id"]
    assert isinstance(m["views"], int) and isinstance(m["likes"], int)
    assert m["reach"] is None, "X does not report reach: None, not 0"
    assert m["watch_time_secs"] is None
    assert m["raw"]["public_metrics"]["like_count"] == m["likes"]
    assert datetime.fromisoformat(m["fetched_at"]).utcoffset() == timedelta(0)

    assert not missing["ok"] and missing["metrics"] is None
    assert missing["error"] is not None and missing["error"]["code"] == "INVALID_INPUT"

    history = await sync.metrics_history(user_id, posts[0])
    assert [h["views"] for h in history] == [m["views"]]
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert await sync.metrics_history(user_id, posts[0], since=later) == []
    assert len(await sync.metrics_history(user_id, posts[0], until=later.isoformat())) == 1
    with pytest.raises(cs.InvalidInput):
        await sync.metrics_history(user_id, posts[0], since="yesterday")
    with pytest.raises(cs.InvalidInput):
        await sync.metrics(user_id, [{"platform": "myspace", "post_id": "1"}])


async def test_the_fastapi_example_serves_metrics_and_history(emulator: Emulator, user_id: str) -> None:
    import httpx

    from test_fastapi_example import load_example

    sync = cs.CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store="memory"
    )
    await connect(sync, user_id, "x")
    report = await sync.publish(user_id, {"text": f"fastapi metrics {user_id}"}, targets=["x"])
    app = load_example().create_app(sync, public_base_url="http://testserver")
    headers = {"X-User-Id": user_id}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
        r = await api.post("/metrics", json={"posts": report["results"]}, headers=headers)
        assert r.status_code == 200, r.text
        [one] = r.json()["results"]
        assert one["ok"], one
        assert one["metrics"]["reach"] is None
        r = await api.get(f"/metrics/x/{one['post_id']}/history", headers=headers)
        assert r.status_code == 200, r.text
        assert len(r.json()["history"]) == 1
        r = await api.post("/metrics", json={}, headers=headers)
        assert r.status_code == 400
