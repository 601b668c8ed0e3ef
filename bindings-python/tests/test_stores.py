"""Stores: the built-in ones are the contract's store options; a host
key-value store is used by the core for everything it keeps."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import List, Optional, Set, Tuple

import pytest

import creatorsync as cs

from conftest import STATE_SECRET, Emulator, connect, make_client
from kv_stores import DictKeyValueStore


class WatchedStore(DictKeyValueStore):
    """A dict KV store that records its calls' threads and can fail."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: Set[int] = set()
        self.fail_with: Optional[BaseException] = None

    async def get(self, key: str) -> Optional[Tuple[str, int]]:
        self.threads.add(threading.get_ident())
        if self.fail_with is not None:
            raise self.fail_with
        return await super().get(key)

    async def list(self, prefix: str) -> List[Tuple[str, str, int]]:
        self.threads.add(threading.get_ident())
        if self.fail_with is not None:
            raise self.fail_with
        return await super().list(prefix)


async def test_host_store_used_by_the_core(emulator: Emulator, user_id: str) -> None:
    store = WatchedStore()
    sync = make_client(emulator, store)
    loop_thread = threading.get_ident()
    accounts = await connect(sync, user_id, "tiktok")
    assert [a["key"]["account_id"] for a in accounts] == ["tt-demo-open-id"]
    # The host keeps strings; the core sealed the secrets inside them.
    dumped = json.dumps(await DictKeyValueStore.list(store, ""))
    assert "tt-demo-open-id" in dumped
    status = await sync.status(user_id)
    assert status[0]["account"]["key"]["platform"] == "tiktok" and status[0]["connected"]
    # The store ran on this loop's thread (the test's), not a tokio thread.
    assert store.threads == {loop_thread}
    report = await sync.publish(user_id, cs.Post("hello"), targets=["x"])
    assert not report["all_ok"]  # x not connected for this user
    err = report["results"][0]["error"]
    assert err is not None and err["code"] == "NOT_CONNECTED"


async def test_host_store_errors_become_store_error(emulator: Emulator, user_id: str) -> None:
    store = WatchedStore()
    sync = make_client(emulator, store)
    store.fail_with = RuntimeError("database is down")
    with pytest.raises(cs.StoreError) as e:
        await sync.status(user_id)
    assert "database is down" in str(e.value)
    assert "RuntimeError" in str(e.value)


def test_host_store_needs_the_four_methods() -> None:
    with pytest.raises(TypeError):
        cs.CreatorSync(state_secret="x" * 40, store=object())  # type: ignore[arg-type]


async def test_store_options_are_checked_by_the_core(tmp_path: Path) -> None:
    with pytest.raises(cs.InvalidInput) as e:
        cs.CreatorSync(state_secret=STATE_SECRET, store=cs.SqliteStore(tmp_path / "x.db", key=b"short"))
    assert isinstance(e.value, ValueError) and e.value.field.startswith("sqlite.key")
    with pytest.raises(cs.InvalidInput) as both:
        cs.CreatorSync(state_secret=STATE_SECRET, store=DictKeyValueStore(), sqlite={"path": str(tmp_path / "y.db")})
    assert both.value.field == "store"
    with pytest.raises(cs.InvalidInput) as twice:
        cs.CreatorSync(state_secret=STATE_SECRET, store=cs.SqliteStore(tmp_path / "z.db"), sqlite={"path": "w.db"})
    assert twice.value.field == "store"
    # The option spelled out is the same store as the class.
    key = os.urandom(32)
    cs.CreatorSync(state_secret=STATE_SECRET, store=cs.SqliteStore(tmp_path / "a.db", key=key))
    import base64

    cs.CreatorSync(
        state_secret=STATE_SECRET, sqlite={"path": str(tmp_path / "a.db"), "key": base64.b64encode(key).decode()}
    )


def test_conflict_carries_current_version() -> None:
    c = cs.Conflict("changed", 7)
    assert c.current_version == 7 and c.code == "CONFLICT"
