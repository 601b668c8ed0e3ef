"""Drives examples/python/fastapi_app.py end to end: httpx over the ASGI
transport to the app, the app against the emulator."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Dict

import httpx
import pytest

import creatorsync as cs

from conftest import STATE_SECRET, Emulator

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "python" / "fastapi_app.py"


def load_example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fastapi_app", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fastapi_app"] = module
    spec.loader.exec_module(module)
    return module


async def test_fastapi_service(emulator: Emulator) -> None:
    example = load_example()
    sync = cs.CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store=cs.MemoryStore()
    )
    app = example.create_app(sync, public_base_url="http://testserver")
    headers = {"X-User-Id": "fastapi-user"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api, httpx.AsyncClient(
        follow_redirects=False
    ) as browser:
        # No user header: refused before anything happens.
        r = await api.get("/status")
        assert r.status_code == 422

        for platform in ("x", "linkedin", "facebook"):
            r = await api.get(f"/connect/{platform}", headers=headers)
            assert r.status_code == 302, r.text
            authorize_url = r.headers["location"]
            consent = await browser.get(authorize_url)
            assert consent.status_code in (302, 303, 307)
            callback = consent.headers["location"]
            assert callback.startswith(f"http://testserver/callback/{platform}")
            r = await api.get(callback.removeprefix("http://testserver"), headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["connected"]

        r = await api.get("/status", headers=headers)
        accounts = r.json()["accounts"]
        assert {a["account"]["key"]["platform"] for a in accounts} == {"x", "linkedin", "facebook"}

        body: Dict[str, Any] = {"text": "Hello from FastAPI", "targets": ["x", "linkedin:li-demo-person", "facebook:1001"]}
        r = await api.post("/publish", json=body, headers=headers)
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert all(v["success"] for v in results.values()), results
        assert results["x"]["url"].startswith("https://x.com/")

        # A draft: the post's `draft` passes through; the details say what it became.
        draft = {"text": "A FastAPI draft", "draft": True, "targets": ["facebook:1001"]}
        r = await api.post("/publish", json=draft, headers=headers)
        assert r.status_code == 200, r.text
        assert [d["draft"] for d in r.json()["details"]] == ["unpublished"]

        r = await api.post("/publish", json={"text": "x" * 400, "targets": ["x"]}, headers=headers)
        assert r.status_code == 422
        assert r.json()["error"] == "INVALID_POST"

        r = await api.get("/connect/myspace", headers=headers)
        assert r.status_code == 400 and r.json()["error"] == "INVALID_INPUT"

        r = await api.get("/health")
        assert r.json() == {"status": "ok"}
        r = await api.get("/health", headers=headers)
        assert {a["key"]["platform"] for a in r.json()["accounts"]} == {"x", "linkedin", "facebook"}

        r = await api.post("/disconnect/linkedin", headers=headers)
        assert r.status_code == 200 and r.json()["disconnected"] >= 1
        r = await api.post("/disconnect/facebook", params={"account_id": "1001"}, headers=headers)
        assert r.json() == {"disconnected": 1}
        r = await api.get("/status", params={"user_id": "fastapi-user"})
        left = {(a["account"]["key"]["platform"], a["account"]["key"]["account_id"]) for a in r.json()["accounts"]}
        assert not any(p == "linkedin" for p, _ in left) and ("facebook", "1001") not in left
        assert any(p == "x" for p, _ in left)


async def test_fastapi_accepts_the_old_body_shape(emulator: Emulator) -> None:
    example = load_example()
    sync = cs.CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store=cs.MemoryStore()
    )
    app = example.create_app(sync, public_base_url="http://testserver")
    headers = {"X-User-Id": "fastapi-legacy-user"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api, httpx.AsyncClient(
        follow_redirects=False
    ) as browser:
        r = await api.get("/connect/x", headers=headers)
        consent = await browser.get(r.headers["location"])
        r = await api.get(consent.headers["location"].removeprefix("http://testserver"), headers=headers)
        assert r.status_code == 200, r.text
        old_body = {"caption": "Hello from the old body", "hashtags": ["creatorsync"], "targets": ["x"]}
        r = await api.post("/publish", json=old_body, headers=headers)
        assert r.status_code == 200, r.text
        assert r.json()["results"]["x"]["success"]
        (post,) = [p for p in emulator.posts("x") if "Hello from the old body" in str(p)]
        assert "#creatorsync" in str(post)


async def test_fastapi_schedule_list_cancel_and_the_worker_it_runs(emulator: Emulator, tmp_path: Path) -> None:
    """The schedule routes, and the worker the app starts with its lifespan
    and stops on shutdown: a post due in 2 s is published while it serves."""
    example = load_example()
    sync = cs.CreatorSync(
        apps=emulator.apps,
        endpoints=emulator.endpoints,
        state_secret=STATE_SECRET,
        store=cs.MemoryStore(),
        scheduler={"jobs": {"sqlite": str(tmp_path / "jobs.db")}, "poll_ms": 50},
    )
    app = example.create_app(sync, public_base_url="http://testserver")
    headers = {"X-User-Id": "fastapi-schedule-user"}
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as api, httpx.AsyncClient(follow_redirects=False) as browser:
        r = await api.get("/connect/x", headers=headers)
        consent = await browser.get(r.headers["location"])
        r = await api.get(consent.headers["location"].removeprefix("http://testserver"), headers=headers)
        assert r.status_code == 200, r.text

        later = {"text": "FastAPI later", "targets": ["x"], "at": {"local": "2031-12-24T09:00", "zone": "Europe/Berlin"}}
        r = await api.post("/schedule", json=later, headers=headers)
        assert r.status_code == 201, r.text
        later_view = r.json()
        assert later_view["state"] == "scheduled" and later_view["due_at"].startswith("2031-12-24T08:00:00")

        text = f"FastAPI due soon {time.time()}"
        soon = (datetime.now(timezone.utc) + timedelta(seconds=2)).isoformat()
        r = await api.post("/schedule", json={"text": text, "targets": ["x"], "at": soon}, headers=headers)
        assert r.status_code == 201, r.text
        soon_id = r.json()["id"]

        r = await api.post("/schedule", json={"text": "x" * 400, "targets": ["x"], "at": soon}, headers=headers)
        assert r.status_code == 422 and r.json()["error"] == "INVALID_POST"
        r = await api.post("/schedule", json={"text": "no time", "targets": ["x"]}, headers=headers)
        assert r.status_code == 400

        r = await api.get("/scheduled", params={"state": "scheduled"}, headers=headers)
        assert later_view["id"] in [p["id"] for p in r.json()["items"]]
        r = await api.delete(f"/scheduled/{later_view['id']}", headers={"X-User-Id": "someone-else"})
        assert r.status_code == 404
        r = await api.delete(f"/scheduled/{later_view['id']}", headers=headers)
        assert r.status_code == 200 and r.json()["state"] == "cancelled"
        r = await api.delete(f"/scheduled/{later_view['id']}", headers=headers)
        assert r.status_code == 400 and r.json()["error"] == "INVALID_INPUT"

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            r = await api.get("/scheduled", params={"state": "published"}, headers=headers)
            if soon_id in [p["id"] for p in r.json()["items"]]:
                break
            await asyncio.sleep(0.2)
        else:
            pytest.fail("the app's worker did not publish the due post")
        assert len([p for p in emulator.posts("x") if p["text"] == text]) == 1
    # The lifespan ended: the worker stopped (its awaitable returned).
