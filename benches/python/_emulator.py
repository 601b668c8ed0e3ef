"""Starts the emulator binary for a bench and connects a user everywhere."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request
from typing import Any, Dict, Optional, Tuple

import creatorsync as cs

STATE_SECRET = "bench-state-secret-0123456789abcdef0123456789"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> Optional[urllib.request.Request]:
        return None


def start() -> Tuple["subprocess.Popen[bytes]", Dict[str, Any]]:
    """Runs the emulator ($CREATORSYNC_EMULATOR_BIN) and reads its JSON line."""
    binary = os.environ.get("CREATORSYNC_EMULATOR_BIN", "target/debug/creatorsync-emulator")
    proc = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def client(line: Dict[str, Any], **options: Any) -> cs.CreatorSync:
    """A client on the emulator with an in-memory store (and `options`)."""
    endpoints = {k: v for k, v in line.items() if k not in ("control", "apps")}
    return cs.CreatorSync(
        apps=line["apps"], endpoints=endpoints, state_secret=STATE_SECRET, store="memory", **options
    )


async def connect(sync: cs.CreatorSync, user_id: str, platform: str) -> None:
    """Connects `user_id` on one platform."""
    req = await sync.connect_begin(user_id, platform, f"http://127.0.0.1:9/callback/{platform}")
    await sync.connect_complete_from_url(user_id, platform, _location(req["url"]))


def _location(url: str) -> str:
    try:
        urllib.request.build_opener(_NoRedirect).open(url)
    except urllib.error.HTTPError as e:
        return str(e.headers["Location"])
    raise RuntimeError("no redirect")


async def connect_all(sync: cs.CreatorSync, user_id: str, platforms: Tuple[str, ...] = cs.PLATFORMS) -> None:
    """Connects `user_id` on every platform."""
    for p in platforms:
        req = await sync.connect_begin(user_id, p, f"http://127.0.0.1:9/callback/{p}")
        await sync.connect_complete_from_url(user_id, p, _location(req["url"]))


def advance_clock(line: Dict[str, Any], seconds: int) -> None:
    """Moves the emulator's clock (resets daily quotas)."""
    req = urllib.request.Request(
        str(line["control"]).rstrip("/") + "/clock/advance",
        data=json.dumps({"seconds": seconds}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(req).read()
