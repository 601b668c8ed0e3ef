"""Key-value stores written in Python, run through the core's own
conformance suite (``creatorsync.testing.check_key_value_store``): two
correct ones pass, broken ones fail with the rule and the typed error they
caused, never a crash or a hang."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

import creatorsync as cs
from creatorsync.testing import check_key_value_store

from kv_stores import DictKeyValueStore, SqliteKeyValueStore


async def test_dict_store_passes_the_core_suite() -> None:
    await check_key_value_store(DictKeyValueStore)


async def test_one_empty_store_instance_passes_too() -> None:
    await check_key_value_store(DictKeyValueStore())


async def test_sqlite3_file_store_passes_the_core_suite(tmp_path: Path) -> None:
    n = 0

    def make() -> SqliteKeyValueStore:
        nonlocal n
        n += 1
        return SqliteKeyValueStore(tmp_path / f"kv{n}.db")

    await check_key_value_store(make)


async def test_sqlite3_store_is_shared_by_two_handles(tmp_path: Path) -> None:
    # Two handles on one file stand for two worker processes: the suite's
    # races run on one while the other sees every write.
    path = tmp_path / "shared.db"
    await check_key_value_store(SqliteKeyValueStore(path))
    other = SqliteKeyValueStore(path)
    assert await other.get("rt/a") == ("second", 2)
    with pytest.raises(cs.Conflict) as e:
        await other.put("rt/a", "third", 1)
    assert e.value.current_version == 2


async def test_plain_methods_work_without_await() -> None:
    class Plain:
        def __init__(self) -> None:
            self.inner = DictKeyValueStore()

        def get(self, key: str) -> Optional[Tuple[str, int]]:
            return self.inner.rows.get(key)

        def put(self, key: str, value: str, expected_version: Optional[int]) -> int:
            current = self.inner.rows.get(key)
            current_version = current[1] if current else None
            if current_version != expected_version:
                raise cs.Conflict("changed", current_version)
            self.inner.rows[key] = (value, (expected_version or 0) + 1)
            return (expected_version or 0) + 1

        def delete(self, key: str, expected_version: Optional[int]) -> bool:
            current = self.inner.rows.get(key)
            if current is None or (expected_version is not None and current[1] != expected_version):
                return False
            del self.inner.rows[key]
            return True

        def list(self, prefix: str) -> List[Tuple[str, str, int]]:
            # Unordered on purpose: the bridge orders by key.
            return [(k, v, n) for k, (v, n) in reversed(sorted(self.inner.rows.items())) if k.startswith(prefix)]

    await check_key_value_store(Plain)


class WrongVersions(DictKeyValueStore):
    """Answers one more than the version it stored."""

    async def put(self, key: str, value: str, expected_version: Optional[int]) -> int:
        return await super().put(key, value, expected_version) + 1


class Raising(DictKeyValueStore):
    """The database is down."""

    async def get(self, key: str) -> Optional[Tuple[str, int]]:
        raise RuntimeError("database is down")


class Garbage(DictKeyValueStore):
    """Returns the value without its version."""

    async def get(self, key: str) -> Any:
        row = self.rows.get(key)
        return None if row is None else {"value": row[0]}


class GarbageList(DictKeyValueStore):
    """Lists keys outside the prefix."""

    async def list(self, prefix: str) -> List[Tuple[str, str, int]]:
        return [(k, v, n) for k, (v, n) in sorted(self.rows.items())]


class Hanging(DictKeyValueStore):
    """Never answers a delete."""

    async def delete(self, key: str, expected_version: Optional[int]) -> bool:
        await asyncio.Event().wait()
        return False


class NoCas(DictKeyValueStore):
    """Last write wins."""

    async def put(self, key: str, value: str, expected_version: Optional[int]) -> int:
        current = self.rows.get(key)
        version = (current[1] if current else 0) + 1
        self.rows[key] = (value, version)
        return version


class BoolVersion(DictKeyValueStore):
    """Returns True for a first insert: a bool is not a version."""

    async def put(self, key: str, value: str, expected_version: Optional[int]) -> Any:
        v = await super().put(key, value, expected_version)
        return True if v == 1 else v


@pytest.mark.parametrize(
    "broken, says",
    [
        (WrongVersions, "put() returned version 2, the contract says 1"),
        (Raising, "host store raised RuntimeError: database is down"),
        (Garbage, "get() must return None or a (value: str, version: int) tuple, not dict"),
        (GarbageList, "returned a key outside the prefix"),
        (Hanging, "store `delete` did not answer within"),
        (NoCas, "Conflict"),
        (BoolVersion, "must return a version (an int ≥ 1), not bool"),
    ],
)
async def test_a_broken_store_fails_with_a_typed_error(broken: Any, says: str) -> None:
    with pytest.raises(AssertionError) as e:
        await check_key_value_store(broken, timeout=0.3)
    assert says in str(e.value)


def test_the_four_methods_are_required() -> None:
    class NoList:
        async def get(self, key: str) -> None:
            return None

        async def put(self, key: str, value: str, expected_version: Optional[int]) -> int:
            return 1

        async def delete(self, key: str, expected_version: Optional[int]) -> bool:
            return False

    async def run() -> None:
        await check_key_value_store(NoList())  # type: ignore[arg-type]

    with pytest.raises(TypeError, match="has no list()"):
        asyncio.run(run())


async def test_time_limit_is_checked() -> None:
    with pytest.raises(cs.InvalidInput):
        await check_key_value_store(DictKeyValueStore, timeout=0)
