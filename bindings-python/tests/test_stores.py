"""Stores: the conformance suite against every store kind, host stores
through the core, SQLite encryption keys."""

from __future__ import annotations

import copy
import os
import threading
from pathlib import Path
from typing import Optional

import pytest

import creatorsync as cs
from creatorsync.testing import core_token_store_conformance, key, sample_oauth2, token_store_conformance

from conftest import Emulator, connect, make_client
from dict_store import DictStore


async def test_memory_store_conformance() -> None:
    await token_store_conformance(cs.MemoryStore)


async def test_sqlite_store_conformance(tmp_path: Path) -> None:
    n = 0

    def make() -> cs.SqliteStore:
        nonlocal n
        n += 1
        return cs.SqliteStore(tmp_path / f"t{n}.db", key=os.urandom(32))

    await token_store_conformance(make)


async def test_python_store_conformance() -> None:
    await token_store_conformance(DictStore)


async def test_python_store_passes_the_core_suite() -> None:
    # The core's own suite, driving the Python store from tokio tasks.
    await core_token_store_conformance(DictStore)


async def test_core_suite_catches_a_broken_store() -> None:
    class NoCas(DictStore):
        """Last write wins: no compare-and-swap."""

        async def put(self, token: cs.Token, expected_version: Optional[int]) -> int:
            k = self._id(token["key"])
            current = self.rows.get(k)
            row = copy.deepcopy(token)
            row["version"] = (current["version"] if current else 0) + 1
            self.rows[k] = row
            return row["version"]

    with pytest.raises(AssertionError):
        await core_token_store_conformance(NoCas)
    with pytest.raises(AssertionError):
        await token_store_conformance(NoCas)


async def test_sqlite_wrong_key_raises_key_mismatch(tmp_path: Path) -> None:
    path = tmp_path / "k.db"
    store = cs.SqliteStore(path, key=os.urandom(32))
    k = key("u", "x", "1")
    assert await store.put(sample_oauth2(k, "secret-access"), None) == 1
    other = cs.SqliteStore(path, key=os.urandom(32))
    with pytest.raises(cs.KeyMismatch) as e:
        await other.get(k)
    assert "secret-access" not in str(e.value)
    assert e.value.code == "KEY_ERROR"


async def test_sqlite_bad_key_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(cs.InvalidInput) as e:
        cs.SqliteStore(tmp_path / "x.db", key=b"short")
    assert isinstance(e.value, ValueError)


async def test_conflict_carries_current_version() -> None:
    store = cs.MemoryStore()
    t = sample_oauth2(key("u", "tiktok", "a"), "v1")
    assert await store.put(t, None) == 1
    with pytest.raises(cs.Conflict) as e:
        await store.put(t, None)
    assert e.value.current_version == 1
    assert e.value.retryable
    c = cs.Conflict("changed", 7)
    assert c.current_version == 7 and c.code == "CONFLICT"


async def test_host_store_used_by_the_core(emulator: Emulator, user_id: str) -> None:
    store = DictStore()
    sync = make_client(emulator, store)
    loop_thread = threading.get_ident()
    accounts = await connect(sync, user_id, "tiktok")
    assert [a["account_id"] for a in accounts] == ["tt-demo-open-id"]
    assert "put" in store.calls
    # The host store holds the real credential, for the host to keep.
    (row,) = await store.list(user_id)
    assert row["credential"]["type"] == "oauth2"
    assert row["credential"].get("access")
    assert row["version"] == 1
    status = await sync.status(user_id)
    assert status[0]["platform"] == "tiktok" and status[0]["connected"]
    # The store ran on this loop's thread (the test's), not a tokio thread.
    assert store.threads == {loop_thread}
    report = await sync.publish(user_id, cs.Post("hello"), targets=["x"])
    assert not report.all_ok  # x not connected for this user
    assert isinstance(report.results[0].error, cs.NotConnected)


async def test_host_store_errors_become_store_error(emulator: Emulator, user_id: str) -> None:
    store = DictStore()
    sync = make_client(emulator, store)
    store.fail_with = RuntimeError("database is down")
    with pytest.raises(cs.StoreError) as e:
        await sync.status(user_id)
    assert "database is down" in str(e.value)
    assert "RuntimeError" in str(e.value)


def test_host_store_needs_the_four_methods() -> None:
    with pytest.raises(TypeError):
        cs.CreatorSync(state_secret="x" * 40, store=object())  # type: ignore[arg-type]
