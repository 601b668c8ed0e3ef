"""Fixtures: the emulator binary (one per session), its control API, and
clients wired to it."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import uuid
from typing import Any, AsyncIterator, Dict, Iterator, List, Optional

import httpx
import pytest

import creatorsync as cs

# Host stores are sealed with CREATORSYNC_KEY unless `store_keys` is given.
os.environ.setdefault("CREATORSYNC_KEY", base64.b64encode(b"k" * 32).decode())

STATE_SECRET = "test-state-secret-0123456789abcdef-0123456789"
MP4_HEADER = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"
PNG_HEADER = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x02\0\0\0\x90\x91h6"


class Emulator:
    """A running emulator: endpoints, apps and the control API."""

    def __init__(self, proc: "subprocess.Popen[bytes]", line: Dict[str, Any]) -> None:
        self.proc = proc
        self.line = line
        self.control = str(line["control"]).rstrip("/")
        self.apps: Dict[str, Dict[str, str]] = line["apps"]
        self.endpoints: Dict[str, Any] = {k: v for k, v in line.items() if k not in ("control", "apps")}

    def ctl(self, method: str, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        """Calls the control API."""
        r = httpx.request(method, self.control + path, json=body, timeout=10)
        r.raise_for_status()
        return r.json() if r.content else None

    def posts(self, platform: Optional[str] = None) -> List[Dict[str, Any]]:
        """Posts the emulator has recorded."""
        q = f"?platform={platform}" if platform else ""
        out: List[Dict[str, Any]] = self.ctl("GET", "/posts" + q)
        return out

    def fault(self, platform: str, **fault: Any) -> None:
        """Adds a fault rule (see the emulator's control API)."""
        self.ctl("POST", f"/faults/{platform}", fault)

    def clear_faults(self) -> None:
        """Clears every platform's faults."""
        for p in cs.PLATFORMS:
            self.ctl("DELETE", f"/faults/{p}")


def _emulator_bin() -> str:
    b = os.environ.get("CREATORSYNC_EMULATOR_BIN") or shutil.which("creatorsync-emulator")
    if not b or not os.path.exists(b):
        raise RuntimeError(
            "set CREATORSYNC_EMULATOR_BIN to the creatorsync-emulator binary "
            "(cargo build -p creatorsync-emulator)"
        )
    return b


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """The emulator binary, on loopback, for the whole session."""
    proc = subprocess.Popen(
        [_emulator_bin(), "--bind", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise RuntimeError("the emulator exited before announcing its endpoints")
    emu = Emulator(proc, json.loads(line))
    try:
        yield emu
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(autouse=True)
def _no_faults(emulator: Emulator) -> Iterator[None]:
    """Every test starts and ends without faults, as the default user."""
    yield
    emulator.clear_faults()
    for p in cs.PLATFORMS:
        emulator.ctl("POST", f"/login/{p}", {"user": None, "deny": False})


def make_client(emulator: Emulator, store: Any = None) -> cs.CreatorSync:
    """A client wired to the emulator."""
    return cs.CreatorSync(
        apps=emulator.apps,
        endpoints=emulator.endpoints,
        state_secret=STATE_SECRET,
        store=store if store is not None else cs.MemoryStore(),
    )


@pytest.fixture
def user_id() -> str:
    """A fresh user id per test."""
    return f"user-{uuid.uuid4().hex[:12]}"


REDIRECT = "http://127.0.0.1:9/callback"


async def connect(sync: cs.CreatorSync, user_id: str, platform: str, *, oauth1: bool = False) -> List[cs.Account]:
    """Runs the whole connect flow against the emulator: begin, follow the
    authorize URL by hand (no redirects), complete from the Location."""
    req = await sync.connect_begin(user_id, platform, REDIRECT + "/" + platform, oauth1=oauth1)
    async with httpx.AsyncClient(follow_redirects=False) as http:
        r = await http.get(req["url"])
    assert r.status_code in (302, 303, 307), f"{platform}: authorize answered {r.status_code}: {r.text}"
    location = r.headers["location"]
    return await sync.connect_complete_from_url(user_id, platform, location)


@pytest.fixture
async def connected(emulator: Emulator, user_id: str) -> AsyncIterator[cs.CreatorSync]:
    """A client whose user has connected all six platforms."""
    sync = make_client(emulator)
    for p in cs.PLATFORMS:
        await connect(sync, user_id, p)
    yield sync


def video_bytes(size: int = 1 << 20) -> bytes:
    """A small MP4-looking file."""
    return MP4_HEADER + b"\0" * (size - len(MP4_HEADER))


def png_bytes() -> bytes:
    """A small PNG-looking file."""
    return PNG_HEADER + b"\0" * 2048
