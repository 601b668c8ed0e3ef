"""Python overhead of a publish vs the Rust API.

For every publish, the core measures its own wall time (``report.elapsed``,
taken inside the Rust future); the Python wall time around ``await`` adds
the binding's work: argument conversion, the asyncio <-> tokio bridge,
building the report. Overhead = median(python) / median(rust) - 1.

Two workloads against the emulator binary (loopback):
* text: one post to the text platforms (X, LinkedIn member + 2 orgs,
  2 Facebook pages = 6 targets);
* six: a 64 KiB video to all six platforms (9 targets).

    CREATORSYNC_EMULATOR_BIN=target/release/creatorsync-emulator python benches/python/bench_overhead.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from typing import List, Tuple

import creatorsync as cs

import _emulator

MP4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"


async def run(n: int) -> None:
    proc, line = _emulator.start()
    try:
        sync = _emulator.client(line)
        await _emulator.connect_all(sync, "bench")
        video = MP4 + b"\0" * (64 * 1024 - len(MP4))
        workloads: List[Tuple[str, List[str], bool]] = [
            ("text (6 targets)", ["x", "linkedin", "facebook"], False),
            ("video, six platforms (9 targets)", list(cs.PLATFORMS), True),
        ]
        for name, targets, with_video in workloads:
            py: List[float] = []
            rust: List[float] = []
            # YouTube's and TikTok's daily upload quotas allow a handful of
            # video publishes per run (advancing the emulator clock would
            # expire the tokens mid-run).
            runs, warm = (n, 3) if not with_video else (min(n, 4), 1)
            for i in range(runs + warm):
                media = [cs.Media.bytes(video, name="v.mp4")] if with_video else []
                post = cs.Post(
                    f"bench post {name} {i} {time.time_ns()}",
                    media=media,
                    youtube={"title": "bench"},
                    tiktok={"privacy_level": "SELF_ONLY", "disable_duet": True, "disable_stitch": True},
                )
                t0 = time.perf_counter()
                report = await sync.publish("bench", post, targets=targets)
                t1 = time.perf_counter()
                if not report["all_ok"]:
                    raise SystemExit(f"publish failed: {[r['error'] for r in report['results'] if not r['ok']]}")
                if i >= warm:
                    py.append(t1 - t0)
                    rust.append(report["elapsed_ms"] / 1000)
            mp, mr = statistics.median(py), statistics.median(rust)
            print(
                f"{name}: n={runs} python median {mp * 1000:.2f} ms, rust median {mr * 1000:.2f} ms, "
                f"overhead {(mp / mr - 1) * 100:.1f} % ({(mp - mr) * 1e6:.0f} µs)"
            )
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
