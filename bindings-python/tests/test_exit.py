"""Short-lived processes that publish and exit always exit cleanly.

A tokio thread used to complete a Python future (and free Python objects)
while the main thread was finalizing the interpreter: about 1 in 20 such
processes died with SIGSEGV after a successful publish. Each child here
connects Facebook, publishes to a page, leaves more calls in flight and
exits at once. The children use an emulator of their own, so their posts
count against nobody else's rate limits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Tuple

import pytest

from conftest import STATE_SECRET, Emulator, _emulator_bin

PROCESSES = 200
PARALLEL = 4

CHILD = r"""
import asyncio, json, sys, urllib.request, urllib.error
import creatorsync as cs

emu = json.loads(sys.argv[1])
n = sys.argv[2]

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a, **k):
        return None

async def main():
    sync = cs.CreatorSync(apps=emu["apps"], endpoints=emu["endpoints"], state_secret=sys.argv[3], store=cs.MemoryStore())
    user = "exit-" + n
    req = await sync.connect_begin(user, "facebook", "http://127.0.0.1:9/cb/facebook")
    try:
        urllib.request.build_opener(NoRedirect).open(req["url"])
        raise SystemExit("authorize did not redirect")
    except urllib.error.HTTPError as e:
        location = e.headers["location"]
    await sync.connect_complete_from_url(user, "facebook", location)
    events = []
    report = await sync.publish(user, cs.Post("exit test " + n), targets=["facebook:1001"], on_progress=events.append)
    assert report["all_ok"], [str(r["error"]) for r in report["results"]]
    # Leave work in flight: its completions race with the interpreter's exit.
    loop = asyncio.get_running_loop()
    for _ in range(20):
        asyncio.ensure_future(sync.status(user))
    return sync

loop = asyncio.new_event_loop()
sync = loop.run_until_complete(main())
loop.run_until_complete(asyncio.sleep(0))
print("published", flush=True)
# No loop.close(): the process exits with calls still running.
"""


@pytest.fixture(scope="module")
def own_emulator() -> Iterator[Emulator]:
    """An emulator for this module's children only."""
    proc = subprocess.Popen(
        [_emulator_bin(), "--bind", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdout is not None
    emu = Emulator(proc, json.loads(proc.stdout.readline()))
    try:
        yield emu
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run_child(emulator: Emulator, n: int) -> Tuple[int, int, str]:
    emu = json.dumps({"apps": emulator.apps, "endpoints": emulator.endpoints})
    p = subprocess.run(
        [sys.executable, "-c", CHILD, emu, str(n), STATE_SECRET],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONFAULTHANDLER": "0"},
    )
    return n, p.returncode, (p.stdout + p.stderr)[-2000:]


def test_short_lived_publishing_processes_exit_cleanly(own_emulator: Emulator) -> None:
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(lambda n: run_child(own_emulator, n), range(PROCESSES)))
    bad = [(n, rc, out) for n, rc, out in results if rc != 0 or "published" not in out]
    assert not bad, f"{len(bad)}/{PROCESSES} processes failed; first: {bad[0]}"
