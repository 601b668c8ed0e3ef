"""Key-value stores written in Python, the way a user would write one for
their own database: :class:`DictKeyValueStore` (in process, the shape of a
MongoDB/Motor collection) and :class:`SqliteKeyValueStore` (a stdlib
``sqlite3`` file that several OS processes share). Both implement the
``creatorsync.KeyValueStore`` protocol."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import creatorsync as cs


class DictKeyValueStore:
    """An async in-process key-value store. The compare-and-swap is atomic
    because the check and the write happen without an await in between, the
    way a Mongo ``update_one`` filter on ``version`` is atomic on the server."""

    def __init__(self) -> None:
        self.rows: Dict[str, Tuple[str, int]] = {}

    async def get(self, key: str) -> Optional[Tuple[str, int]]:
        """``(value, version)`` or None."""
        await asyncio.sleep(0)
        return self.rows.get(key)

    async def put(self, key: str, value: str, expected_version: Optional[int]) -> int:
        """Compare-and-swap write; returns the new version."""
        await asyncio.sleep(0)
        current = self.rows.get(key)
        current_version = current[1] if current is not None else None
        if current_version != expected_version:
            raise cs.Conflict("version changed", current_version)
        version = (expected_version or 0) + 1
        self.rows[key] = (value, version)
        return version

    async def delete(self, key: str, expected_version: Optional[int]) -> bool:
        """Removes ``key`` (at ``expected_version`` when given)."""
        await asyncio.sleep(0)
        current = self.rows.get(key)
        if current is None or (expected_version is not None and current[1] != expected_version):
            return False
        del self.rows[key]
        return True

    async def list(self, prefix: str) -> List[Tuple[str, str, int]]:
        """Every ``(key, value, version)`` under ``prefix``."""
        await asyncio.sleep(0)
        return [(k, v, n) for k, (v, n) in sorted(self.rows.items()) if k.startswith(prefix)]


class SqliteKeyValueStore:
    """A key-value store in an SQLite file through the stdlib ``sqlite3``
    module: blocking calls run in a worker thread (``asyncio.to_thread``),
    so the event loop never waits; each write is one ``BEGIN IMMEDIATE``
    transaction, so compare-and-swap holds across threads and processes."""

    def __init__(self, path: Union[str, Path]) -> None:
        self.path = str(path)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL, version INTEGER NOT NULL)"
            )

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30, isolation_level=None)

    @staticmethod
    def _version(db: sqlite3.Connection, key: str) -> Optional[int]:
        row = db.execute("SELECT version FROM kv WHERE key = ?", (key,)).fetchone()
        return None if row is None else int(row[0])

    def _get(self, key: str) -> Optional[Tuple[str, int]]:
        db = self._connect()
        try:
            row = db.execute("SELECT value, version FROM kv WHERE key = ?", (key,)).fetchone()
            return None if row is None else (str(row[0]), int(row[1]))
        finally:
            db.close()

    def _put(self, key: str, value: str, expected_version: Optional[int]) -> int:
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                if expected_version is None:
                    db.execute("INSERT OR IGNORE INTO kv (key, value, version) VALUES (?, ?, 1)", (key, value))
                else:
                    db.execute(
                        "UPDATE kv SET value = ?, version = version + 1 WHERE key = ? AND version = ?",
                        (value, key, expected_version),
                    )
                if db.execute("SELECT changes()").fetchone()[0] == 0:
                    current = self._version(db, key)
                    db.execute("ROLLBACK")
                    raise cs.Conflict("version changed", current)
                db.execute("COMMIT")
            except sqlite3.Error:
                db.execute("ROLLBACK")
                raise
            return (expected_version or 0) + 1
        finally:
            db.close()

    def _delete(self, key: str, expected_version: Optional[int]) -> bool:
        db = self._connect()
        try:
            if expected_version is None:
                cur = db.execute("DELETE FROM kv WHERE key = ?", (key,))
            else:
                cur = db.execute("DELETE FROM kv WHERE key = ? AND version = ?", (key, expected_version))
            return cur.rowcount > 0
        finally:
            db.close()

    def _list(self, prefix: str) -> List[Tuple[str, str, int]]:
        db = self._connect()
        try:
            rows = db.execute(
                "SELECT key, value, version FROM kv WHERE substr(key, 1, length(?)) = ? ORDER BY key",
                (prefix, prefix),
            ).fetchall()
            return [(str(k), str(v), int(n)) for k, v, n in rows]
        finally:
            db.close()

    async def get(self, key: str) -> Optional[Tuple[str, int]]:
        """``(value, version)`` or None."""
        return await asyncio.to_thread(self._get, key)

    async def put(self, key: str, value: str, expected_version: Optional[int]) -> int:
        """Compare-and-swap write; returns the new version."""
        return await asyncio.to_thread(self._put, key, value, expected_version)

    async def delete(self, key: str, expected_version: Optional[int]) -> bool:
        """Removes ``key`` (at ``expected_version`` when given)."""
        return await asyncio.to_thread(self._delete, key, expected_version)

    async def list(self, prefix: str) -> List[Tuple[str, str, int]]:
        """Every ``(key, value, version)`` under ``prefix``."""
        return await asyncio.to_thread(self._list, prefix)
