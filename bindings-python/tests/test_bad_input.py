"""Bad input never hurts the host: every public call that takes input gets
a table of wrong types, huge and negative numbers, NaN, deep nesting,
unknown platforms and unusable files, and must raise a typed error (a
``CreatorSyncError`` with a stable ``code``; ``TypeError`` where Python's
own argument parsing refuses the type) within a deadline: no panic, no
crash, no hang."""

from __future__ import annotations

import asyncio
import math
import subprocess
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple, Type, Union

import pytest

import creatorsync as cs

from conftest import STATE_SECRET, Emulator, make_client, png_bytes

DEADLINE = 10.0
Call = Callable[[cs.CreatorSync, Path], Union[Any, Awaitable[Any]]]


def deep(levels: int) -> Any:
    """A dict nested ``levels`` deep, built without recursion."""
    v: Dict[str, Any] = {}
    for _ in range(levels):
        v = {"a": v}
    return v


def dag(levels: int) -> Any:
    """A dict shared by reference on every level: 2^levels values."""
    v: Dict[str, Any] = {}
    for _ in range(levels):
        v = {"a": v, "b": v}
    return v


def special(tmp: Path, kind: str) -> Path:
    """A path that is not a usable media file."""
    if kind == "fifo":
        p = tmp / "clip.mp4"
        subprocess.run(["mkfifo", str(p)], check=True)
        return p
    if kind == "empty":
        p = tmp / "empty.png"
        p.write_bytes(b"")
        return p
    if kind == "vanished":
        p = tmp / "gone.png"
        p.write_bytes(png_bytes())
        p.unlink()
        return p
    if kind == "dir":
        return tmp
    if kind == "dev_zero":
        return Path("/dev/zero")
    if kind == "missing":
        return tmp / "missing.mp4"
    raise AssertionError(kind)


def publish_file(kind: str) -> Call:
    return lambda sync, tmp: sync.publish("u", cs.Post("hi", media=[cs.Media.file(special(tmp, kind))]), targets=["x"])


def client_with(**kw: Any) -> Call:
    return lambda sync, tmp: cs.CreatorSync(state_secret=STATE_SECRET, store=cs.MemoryStore(), **kw)


INVALID = (cs.InvalidInput, "INVALID_INPUT")
MEDIA = (cs.InvalidMedia, "INVALID_MEDIA")

CASES: List[Tuple[str, Call, Tuple[Type[BaseException], Optional[str]]]] = [
    # Numbers: no silent coercion, no overflow panic.
    *[
        (f"expiring_within days={d!r}", (lambda d: lambda s, t: s.expiring_within("u", d))(d), INVALID)
        for d in (-1, -(2**63), 2**32, 2**64, 10**100, 1.5, math.nan, math.inf, "3", True, None)
    ],
    *[
        (f"concurrency={c!r}", client_with(concurrency=c), INVALID)
        for c in ((0, 1), (1, 0), (1, 2**62), (2**64, 1), (-1, 1), (1.5, 2), (1, math.nan), ("8", 8), (True, 1))
    ],
    *[
        (f"store_timeout_ms={v!r}", client_with(store_timeout_ms=v), INVALID)
        for v in (0, -1, math.nan, math.inf, 1e300, "1", True)
    ],
    # Deep nesting and reference bombs in options: InvalidInput, not a stack overflow.
    ("options nested 100k deep", lambda s, t: cs.Post("hi", x=deep(100_000)), INVALID),
    ("options nested 129 deep", lambda s, t: cs.Post("hi", youtube=deep(129)), INVALID),
    ("options shared 60 deep", lambda s, t: cs.Post("hi", x=dag(60)), INVALID),
    ("options list nested deep", lambda s, t: cs.Post("hi", x={"reply_to": [[[[[[]]]]]] * 2}), INVALID),
    ("options unknown key", lambda s, t: cs.Post("hi", x={"replyto": "1"}), INVALID),
    ("apps nested deep", client_with(apps=deep(10_000)), INVALID),
    ("endpoints nested deep", client_with(endpoints=deep(10_000)), INVALID),
    # Unknown platforms.
    ("unknown platform option", lambda s, t: cs.Post("hi", myspace={}), INVALID),  # type: ignore[call-arg]
    ("connect_begin unknown platform", lambda s, t: s.connect_begin("u", "myspace", "http://127.0.0.1:9/cb"), INVALID),
    ("connect_complete unknown platform", lambda s, t: s.connect_complete("u", "myspace", "c", "s"), INVALID),
    ("connect_complete_from_url unknown", lambda s, t: s.connect_complete_from_url("u", "myspace", "http://127.0.0.1:9/cb"), INVALID),
    ("disconnect unknown platform", lambda s, t: s.disconnect("u", "myspace", "a"), INVALID),
    ("publish unknown target", lambda s, t: s.publish("u", cs.Post("hi"), targets=["myspace"]), INVALID),
    ("publish unknown account target", lambda s, t: s.publish("u", cs.Post("hi"), targets=[("myspace", "1")]), INVALID),
    ("apps unknown platform", client_with(apps={"myspace": {"client_id": "a"}}), INVALID),
    ("oauth1 on another platform", lambda s, t: s.connect_begin("u", "tiktok", "http://127.0.0.1:9/cb", oauth1=True), INVALID),
    # Files that cannot be media: refused before anything blocks on them.
    *[(f"media file {k}", publish_file(k), MEDIA) for k in ("fifo", "dev_zero", "dir", "empty", "vanished", "missing")],
    ("media url not http", lambda s, t: cs.Media.url("file:///etc/passwd"), (cs.CreatorSyncError, None)),
    # Wrong Python types: refused by argument parsing.
    ("publish post not a Post", lambda s, t: s.publish("u", "hi"), INVALID),  # type: ignore[arg-type]
    ("status user_id not a str", lambda s, t: s.status(42), (TypeError, None)),  # type: ignore[arg-type]
    ("on_progress not callable", lambda s, t: s.publish("u", cs.Post("hi"), on_progress=3), (TypeError, None)),  # type: ignore[arg-type]
    ("store without methods", client_with(store=object()), (TypeError, None)),
    ("targets not a list", lambda s, t: s.publish("u", cs.Post("hi"), targets=42), INVALID),  # type: ignore[arg-type]
]


@pytest.mark.parametrize("name,call,expected", CASES, ids=[c[0] for c in CASES])
async def test_bad_input_is_a_typed_error(
    emulator: Emulator, tmp_path: Path, name: str, call: Call, expected: Tuple[Type[BaseException], Optional[str]]
) -> None:
    cls, code = expected
    sync = make_client(emulator)

    async def run() -> Any:
        out = call(sync, tmp_path)
        if asyncio.iscoroutine(out) or isinstance(out, asyncio.Future):
            return await out
        return out

    with pytest.raises(cls) as e:
        await asyncio.wait_for(run(), DEADLINE)
    if code is not None:
        assert getattr(e.value, "code", None) == code, f"{name}: {e.value!r}"
    if issubclass(cls, cs.CreatorSyncError):
        assert isinstance(e.value, cs.CreatorSyncError) and isinstance(e.value.code, str) and e.value.code, name


async def test_host_store_that_never_answers_times_out(emulator: Emulator) -> None:
    """A store whose coroutines never finish: STORE_ERROR after the limit."""

    class Stalled:
        async def get(self, key: str) -> Optional[Tuple[str, int]]:
            await asyncio.Event().wait()
            return None

        async def list(self, prefix: str) -> List[Tuple[str, str, int]]:
            await asyncio.Event().wait()
            return []

        async def put(self, key: str, value: str, expected_version: Optional[int]) -> int:
            await asyncio.Event().wait()
            return 1

        async def delete(self, key: str, expected_version: Optional[int]) -> bool:
            await asyncio.Event().wait()
            return False

    sync = cs.CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store=Stalled(), store_timeout_ms=200
    )
    for call in (lambda: sync.status("u"), lambda: sync.publish("u", cs.Post("hi"))):
        with pytest.raises(cs.StoreError) as e:
            await asyncio.wait_for(call(), DEADLINE)
        assert e.value.code == "STORE_ERROR" and "did not answer" in str(e.value)


def test_good_values_still_work() -> None:
    """The checks refuse bad values only."""
    cs.CreatorSync(state_secret=STATE_SECRET, store=cs.MemoryStore(), concurrency=(1, 1 << 20), store_timeout_ms=1000)
    cs.CreatorSync(state_secret=STATE_SECRET, store=cs.MemoryStore(), concurrency={"per_publish": 2, "global": 4}, store_timeout_ms=500)
    cs.Post("hi", x={"reply_to": "1"})
