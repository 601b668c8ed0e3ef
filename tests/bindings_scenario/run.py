"""Drives the Python binding through scenario.json against the emulator
binary ($CREATORSYNC_EMULATOR_BIN) and prints each step's answer as JSON
(the Node driver, run.mjs, does the same; shape.py compares them)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from typing import Any, Dict, Optional

import creatorsync as cs

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "scenario-state-secret-0123456789abcdef012345"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> Optional[urllib.request.Request]:
        return None


def _location(url: str) -> str:
    try:
        urllib.request.build_opener(_NoRedirect).open(url)
    except urllib.error.HTTPError as e:
        return str(e.headers["Location"])
    raise RuntimeError("the authorize page did not redirect")


def _error(e: BaseException) -> Dict[str, Any]:
    return {"error": {"code": getattr(e, "code", type(e).__name__)}}


async def run() -> Dict[str, Any]:
    with open(os.path.join(HERE, "scenario.json")) as f:
        scenario = json.load(f)
    binary = os.environ["CREATORSYNC_EMULATOR_BIN"]
    proc = subprocess.Popen([binary, "--bind", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    with tempfile.TemporaryDirectory() as tmp:
        try:
            return await _steps(proc, scenario, tmp)
        finally:
            proc.terminate()
            proc.wait()


async def _steps(proc: "subprocess.Popen[bytes]", scenario: Dict[str, Any], tmp: str) -> Dict[str, Any]:
    assert proc.stdout is not None
    if True:
        line = json.loads(proc.stdout.readline())
        endpoints = {k: v for k, v in line.items() if k not in ("control", "apps")}
        # A memory store: the scheduler's jobs go to a file of this run.
        jobs: cs.SchedulerOptions = {"jobs": {"sqlite": os.path.join(tmp, "jobs.db")}}
        sync = cs.CreatorSync(
            apps=line["apps"], endpoints=endpoints, state_secret=SECRET, scheduler=jobs, **scenario["options"]
        )
        sched = sync.scheduler()
        user = scenario["user"]
        out: Dict[str, Any] = {}
        ids: Dict[str, str] = {}
        for p in scenario["connect"]:
            req = await sync.connect_begin(user, p, f"http://127.0.0.1:9/callback/{p}")
            out[f"connect_{p}"] = await sync.connect_complete_from_url(user, p, _location(req["url"]))
        for step in scenario["steps"]:
            try:
                if "publish" in step:
                    p = step["publish"]
                    out[step["name"]] = await sync.publish(user, p["post"], targets=p["targets"], idempotency_key=p["key"])
                elif "schedule" in step:
                    p = step["schedule"]
                    sid = await sched.schedule(user, p["post"], p["at"], targets=p["targets"], idempotency_key=p["key"])
                    ids[step["name"]] = sid
                    out[step["name"]] = await sched.get(sid)
                elif "schedule_many" in step:
                    b = step["schedule_many"]
                    items: Any = [{"user_id": user, **i} for i in b["items"]]
                    out[step["name"]] = await sched.schedule_many(items, mode=b["mode"])
                elif "list" in step:
                    out[step["name"]] = await sched.list(user_id=user, **step["list"])
                elif "cancel" in step:
                    out[step["name"]] = await sched.cancel(ids[step["cancel"]])
                elif "disconnect" in step:
                    d = step["disconnect"]
                    out[step["name"]] = {"disconnected": await sync.disconnect(user, d["platform"], d["account_id"])}
                else:
                    out[step["name"]] = await getattr(sync, step["call"])(user)
            except cs.CreatorSyncError as e:
                out[step["name"]] = _error(e)
        return out


if __name__ == "__main__":
    json.dump(asyncio.run(run()), sys.stdout, default=str)
