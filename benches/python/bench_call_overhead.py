"""The fixed cost of one call from Python over the Rust API (issue 17): the
same calls as ``cargo bench --bench call_overhead``, timed around ``await``.

1. ``status`` of a user with no accounts (memory store);
2. a text post to six targets (X, LinkedIn member + 2 organizations,
   2 Facebook Pages) on the emulator binary: Python wall time, and wall
   time minus the core's own ``report.elapsed``.

    CREATORSYNC_EMULATOR_BIN=target/release/creatorsync-emulator python benches/python/bench_call_overhead.py
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from typing import List

import creatorsync as cs

import _emulator

SECRET = "bench-state-secret-0123456789abcdef0123456789"


async def run(n_status: int, n_publish: int) -> None:
    bare = cs.CreatorSync(state_secret=SECRET, store="memory")
    times: List[float] = []
    for _ in range(n_status):
        t = time.perf_counter()
        s = await bare.status("nobody")
        times.append((time.perf_counter() - t) * 1e6)
        assert s == []
    print(json.dumps({"bench": "call_overhead", "lang": "python", "call": "status, no accounts",
                      "calls": n_status, "median_us": statistics.median(times)}))

    proc, line = _emulator.start()
    try:
        sync = _emulator.client(line, quota_limits={"x": {"posts": 4_000_000_000}})
        for p in ("x", "linkedin", "facebook"):
            await _emulator.connect(sync, "bench", p)
        wall: List[float] = []
        over: List[float] = []
        for i in range(n_publish):
            t = time.perf_counter()
            report = await sync.publish("bench", {"text": f"bench text post {i}"},
                                        targets=["x", "linkedin", "facebook"])
            us = (time.perf_counter() - t) * 1e6
            assert sum(1 for r in report["results"] if r["ok"]) == 6, report
            wall.append(us)
            over.append(us - report["elapsed_ms"] * 1e3)
        print(json.dumps({"bench": "call_overhead", "lang": "python", "call": "text publish, 6 targets",
                          "calls": n_publish, "median_us": statistics.median(wall),
                          "median_binding_us": statistics.median(over)}))
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(run(*(args + [20000, 45][len(args):])))
