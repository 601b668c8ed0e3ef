"""A token store written in Python: the shape of a MongoDB/Motor store,
kept in a dict. Every method awaits (like a database driver would), and the
compare-and-swap is atomic because the check and the write happen without
an await in between — the way a Mongo ``update_one`` filter on
``version`` makes them atomic on the server."""

from __future__ import annotations

import asyncio
import copy
import threading
from typing import Dict, List, Optional, Set, Tuple

import creatorsync as cs


class DictStore:
    """An async in-process store implementing the ``TokenStore`` protocol."""

    def __init__(self) -> None:
        self.rows: Dict[Tuple[str, str, str], cs.Token] = {}
        self.calls: List[str] = []
        self.fail_with: Optional[BaseException] = None
        self.threads: Set[int] = set()

    @staticmethod
    def _id(key: cs.AccountKey) -> Tuple[str, str, str]:
        return (key["user_id"], key["platform"], key["account_id"])

    async def get(self, key: cs.AccountKey) -> Optional[cs.Token]:
        """Reads one record."""
        self.calls.append("get")
        self.threads.add(threading.get_ident())
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        row = self.rows.get(self._id(key))
        return copy.deepcopy(row) if row is not None else None

    async def list(self, user_id: str) -> List[cs.Token]:
        """Lists a user's records."""
        self.calls.append("list")
        self.threads.add(threading.get_ident())
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        return [copy.deepcopy(t) for k, t in sorted(self.rows.items()) if k[0] == user_id]

    async def put(self, token: cs.Token, expected_version: Optional[int]) -> int:
        """Compare-and-swap write."""
        self.calls.append("put")
        self.threads.add(threading.get_ident())
        await asyncio.sleep(0)
        if self.fail_with is not None:
            raise self.fail_with
        k = self._id(token["key"])
        current = self.rows.get(k)
        current_version = current["version"] if current is not None else None
        if current_version != expected_version:
            raise cs.Conflict("version changed", current_version)
        row = copy.deepcopy(token)
        row["version"] = (expected_version or 0) + 1
        self.rows[k] = row
        return row["version"]

    async def delete(self, key: cs.AccountKey) -> bool:
        """Removes a record."""
        self.calls.append("delete")
        self.threads.add(threading.get_ident())
        await asyncio.sleep(0)
        return self.rows.pop(self._id(key), None) is not None
