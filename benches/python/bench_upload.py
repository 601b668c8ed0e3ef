"""Upload throughput and peak RSS of a YouTube upload from Python (default
512 MiB, from a file: memory stays bounded by the chunk size).

    CREATORSYNC_EMULATOR_BIN=target/release/creatorsync-emulator python benches/python/bench_upload.py [MiB]

Prints MiB/s (file size / publish wall time, which includes the session
start, every chunk and the processing poll) and the peak RSS of this Python
process (ru_maxrss) before and after.
"""

from __future__ import annotations

import asyncio
import os
import resource
import sys
import tempfile
import time

import creatorsync as cs

import _emulator

MP4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(mib: int) -> None:
    proc, line = _emulator.start()
    fd, path = tempfile.mkstemp(suffix=".mp4")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MP4)
            block = b"\x5a" * (1 << 20)
            for _ in range(mib):
                f.write(block)
        size = os.path.getsize(path)
        sync = _emulator.client(line)
        await _emulator.connect_all(sync, "bench", ("youtube",))
        before = rss_mib()
        events = 0

        def on_progress(e: cs.ProgressEvent) -> None:
            nonlocal events
            events += 1

        post = cs.Post("big upload", media=[cs.Media.file(path)], youtube={"title": "big"})
        t0 = time.perf_counter()
        report = await sync.publish("bench", post, targets=["youtube"], on_progress=on_progress)
        dt = time.perf_counter() - t0
        assert report.all_ok, [str(r.error) for r in report.results]
        print(
            f"youtube {size / (1 << 20):.0f} MiB: {size / (1 << 20) / dt:.0f} MiB/s ({dt:.2f} s), "
            f"peak RSS {before:.1f} MiB before, {rss_mib():.1f} MiB after, {events} progress events"
        )
    finally:
        os.unlink(path)
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    asyncio.run(run(int(sys.argv[1]) if len(sys.argv) > 1 else 512))
