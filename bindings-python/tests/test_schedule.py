"""Scheduling from Python against the emulator binary: a post scheduled
for an instant and for a local time in Europe/Berlin, listed by state,
rescheduled and cancelled; bulk in both modes with a failing item;
schedule-time validation errors typed; and the in-process worker
publishing a due post and stopping cleanly when its event is set. The
shapes are the schema's (``ScheduledPostView``, ``BulkReportView``, ...).
Node's equivalent: ``bindings-node/__test__/schedule.test.mjs``."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Optional
from zoneinfo import ZoneInfo

import pytest

import creatorsync as cs
from creatorsync import _types

from conftest import STATE_SECRET, Emulator, connect
from test_contract import mismatches, schema_fields, typed_fields


@pytest.mark.parametrize(
    "definition,name,is_input",
    [
        ("ScheduledPostView", "ScheduledPost", False),
        ("ScheduledTargetView", "ScheduledTarget", False),
        ("ScheduledPageView", "ScheduledPage", False),
        ("BulkReportView", "BulkReport", False),
        ("BulkItemResultView", "BulkItemResult", False),
        ("SchedulerHealthView", "SchedulerHealth", False),
        ("SchedulerOption", "SchedulerOptions", True),
    ],
)
def test_schedule_typed_dicts_are_the_schema(definition: str, name: str, is_input: bool) -> None:
    typed = typed_fields(getattr(_types, name))
    assert mismatches(schema_fields(definition, input=is_input), typed) == []


def client(emulator: Emulator, tmp_path: Path, poll_ms: Optional[int] = None, heartbeat_ms: Optional[int] = None) -> cs.CreatorSync:
    """A memory-store client whose jobs live in a SQLite file of the test."""
    options: cs.SchedulerOptions = {"jobs": {"sqlite": str(tmp_path / "jobs.db")}}
    if poll_ms is not None:
        options["poll_ms"] = poll_ms
    if heartbeat_ms is not None:
        options["heartbeat_ms"] = heartbeat_ms
    return cs.CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store="memory", scheduler=options
    )


async def test_schedule_get_list_reschedule_cancel(emulator: Emulator, user_id: str, tmp_path: Path) -> None:
    sync = client(emulator, tmp_path)
    await connect(sync, user_id, "x")
    sched = sync.scheduler()

    at = datetime(2031, 6, 1, 12, 0, tzinfo=timezone.utc)
    first = await sched.schedule(user_id, {"text": f"instant {user_id}"}, at, targets=["x"])
    view = await sched.get(first)
    assert view["id"] == first and view["user_id"] == user_id
    assert view["state"] == "scheduled" and view["attempts"] == 0 and view["results"] == []
    assert datetime.fromisoformat(view["due_at"]) == at
    assert view["zone"] is None and view["local_time"] is None

    # 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer: the
    # same wall-clock time across the DST change, by dict or by ZoneInfo.
    winter = await sched.schedule(
        user_id, cs.Post(f"winter {user_id}"), {"local": "2031-01-15T09:00", "zone": "Europe/Berlin"}, targets=["x"]
    )
    summer = await sched.schedule(
        user_id, {"text": f"summer {user_id}"}, datetime(2031, 7, 15, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")), targets=["x"]
    )
    w, s = await sched.get(winter), await sched.get(summer)
    assert datetime.fromisoformat(w["due_at"]) == datetime(2031, 1, 15, 8, 0, tzinfo=timezone.utc)
    assert datetime.fromisoformat(s["due_at"]) == datetime(2031, 7, 15, 7, 0, tzinfo=timezone.utc)
    assert (w["zone"], w["local_time"]) == ("Europe/Berlin", "2031-01-15T09:00:00")
    assert s["zone"] == "Europe/Berlin"

    moved = await sched.reschedule(first, {"local": "2031-12-24T09:00", "zone": "Europe/Berlin"})
    assert datetime.fromisoformat(moved["due_at"]) == datetime(2031, 12, 24, 8, 0, tzinfo=timezone.utc)
    cancelled = await sched.cancel(winter)
    assert cancelled["state"] == "cancelled" and cancelled["finished_at"] is not None
    with pytest.raises(cs.InvalidInput):
        await sched.cancel(winter)  # cancelled already
    with pytest.raises(cs.InvalidInput):
        await sched.retry(summer)  # only failed or outcome_unknown

    page = await sched.list(user_id=user_id, state="scheduled")
    assert [p["id"] for p in page["items"]] == [summer, first], "by due time"
    assert page["next"] is None
    one = await sched.list(user_id=user_id, limit=1)
    assert [p["id"] for p in one["items"]] == [winter] and one["next"] is not None
    rest = await sched.list(user_id=user_id, after=one["next"])
    assert [p["id"] for p in rest["items"]] == [summer, first]
    ranged = await sched.list(user_id=user_id, due_from=datetime(2031, 7, 1, tzinfo=timezone.utc), due_to="2031-08-01T00:00:00Z")
    assert [p["id"] for p in ranged["items"]] == [summer]
    assert (await sched.list(user_id=user_id, state="cancelled"))["items"][0]["id"] == winter

    with pytest.raises(cs.InvalidInput):
        await sched.list(state="done")
    with pytest.raises(cs.InvalidInput):
        await sched.get("no-such-schedule")  # not found
    health = await sched.health()
    assert health["upcoming"] >= 2 and health["due"] >= 0


async def test_schedule_time_errors_are_typed(emulator: Emulator, user_id: str, tmp_path: Path) -> None:
    sync = client(emulator, tmp_path)
    await connect(sync, user_id, "x")
    sched = sync.scheduler()
    later = "2031-06-01T12:00:00Z"
    with pytest.raises(cs.InvalidPost) as post_err:
        await sched.schedule(user_id, {"text": "x" * 400}, later, targets=["x"])
    assert post_err.value.violations and post_err.value.violations[0]["platform"] == "x"
    with pytest.raises(cs.InvalidInput) as zone_err:
        await sched.schedule(user_id, {"text": "hi"}, {"local": "2031-01-01T09:00", "zone": "Mars/Olympus"})
    assert zone_err.value.field == "at.zone"
    with pytest.raises(cs.InvalidInput) as naive_err:
        await sched.schedule(user_id, {"text": "hi"}, datetime(2031, 1, 1, 9, 0))
    assert naive_err.value.field == "at"
    with pytest.raises(cs.PlatformError) as native_err:
        await sched.schedule(user_id, {"text": "hi"}, later, native=["x"])  # X has no native scheduling
    assert native_err.value.platform_code == "unsupported"
    with pytest.raises(cs.NotConnected):
        await sched.schedule(user_id, {"text": "hi"}, later, targets=["linkedin"])
    with pytest.raises(cs.InvalidInput):
        await sched.schedule_many([{"user_id": user_id, "post": {"text": "a"}, "at": later}], mode="some")  # type: ignore[arg-type]
    with pytest.raises(cs.InvalidInput) as shape:
        await sched.schedule_many([{"user_id": user_id, "post": {"text": "a"}, "at": later, "when": 1}])  # type: ignore[typeddict-unknown-key]
    assert shape.value.field.startswith("items[0]")
    with pytest.raises(cs.ConfigError):
        # A memory store and no `scheduler.jobs`: nowhere to keep jobs.
        plain = cs.CreatorSync(apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store="memory")
        await connect(plain, user_id, "x")
        await plain.scheduler().schedule(user_id, {"text": "hi"}, later, targets=["x"])


async def test_bulk_all_or_nothing_and_valid_only(emulator: Emulator, user_id: str, tmp_path: Path) -> None:
    sync = client(emulator, tmp_path)
    await connect(sync, user_id, "x")
    sched = sync.scheduler()
    items: List[cs.BulkItem] = [
        {"user_id": user_id, "post": {"text": f"bulk a {user_id}"}, "at": "2031-03-01T10:00:00Z", "targets": ["x"]},
        {"user_id": user_id, "post": {"text": "y" * 400}, "at": "2031-03-01T11:00:00Z", "targets": ["x"]},
        {
            "user_id": user_id,
            "post": cs.Post(f"bulk c {user_id}"),
            "at": {"local": "2031-03-01T12:00", "zone": "Europe/Berlin"},
            "targets": ["x"],
            "idempotency_key": f"bulk-c-{user_id}",
        },
    ]
    none = await sched.schedule_many(items)
    assert none["scheduled"] == 0
    assert [(i["index"], i["id"]) for i in none["items"]] == [(0, None), (1, None), (2, None)]
    assert none["items"][0]["error"] is None and none["items"][2]["error"] is None
    err = none["items"][1]["error"]
    assert err is not None and err["code"] == "INVALID_POST"
    assert (await sched.list(user_id=user_id))["items"] == []

    some = await sched.schedule_many(items, mode="valid_only")
    assert some["scheduled"] == 2
    ids = [i["id"] for i in some["items"]]
    assert ids[0] and ids[1] is None and ids[2]
    assert some["items"][1]["error"] is not None
    listed = await sched.list(user_id=user_id, state="scheduled")
    assert sorted(p["id"] for p in listed["items"]) == sorted([ids[0], ids[2]])
    # The idempotency key makes a second call a no-op for that item.
    again = await sched.schedule_many([items[2]], mode="valid_only")
    assert again["items"][0]["id"] == ids[2]


async def test_the_in_process_worker_publishes_a_due_post_and_stops(
    emulator: Emulator, user_id: str, tmp_path: Path
) -> None:
    sync = client(emulator, tmp_path, poll_ms=50, heartbeat_ms=500)
    await connect(sync, user_id, "x")
    sched = sync.scheduler()
    text = f"due soon {user_id}"
    due = datetime.now(timezone.utc) + timedelta(seconds=2)
    sid = await sched.schedule(user_id, {"text": text}, due, targets=["x"])

    stop = asyncio.Event()
    worker = asyncio.ensure_future(sched.run(stop))
    deadline = time.monotonic() + 30
    view = await sched.get(sid)
    while view["state"] in ("scheduled", "running") and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        view = await sched.get(sid)
    assert view["state"] == "published", view
    assert view["attempts"] == 1
    [target] = view["results"]
    assert target["ok"] and target["platform"] == "x" and target["mode"] == "at_time"
    assert target["post_id"] and target["scheduled_for"] is None
    posts = [p for p in emulator.posts("x") if p["text"] == text]
    assert len(posts) == 1, "exactly once"
    assert (await sched.health())["workers_alive"] >= 1

    stop.set()
    await asyncio.wait_for(worker, timeout=20)
    assert worker.done() and worker.exception() is None


async def test_cancelling_the_worker_task_stops_it(emulator: Emulator, user_id: str, tmp_path: Path) -> None:
    sync = client(emulator, tmp_path, poll_ms=50)
    worker = asyncio.ensure_future(sync.scheduler().run())
    await asyncio.sleep(0.5)
    assert not worker.done()
    worker.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(worker, timeout=10)
