"""PostgresStore against the throwaway server of ``scripts/postgres.sh``
(``CREATORSYNC_TEST_POSTGRES_URL``): keys, the
password kept out of ``repr`` and errors, and a connect + publish whose
publish log lives in the database.

Without the URL these tests are skipped, except under ``CI=true``, where
they fail (the Rust tests' policy, ``tests/pg_support``). Every test works
in databases of its own, dropped at its end, so reruns against one server
never collide.
"""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from typing import AsyncIterator, Callable, List, Optional, Tuple
from urllib.parse import urlsplit, urlunsplit

import pytest

import creatorsync as cs
from creatorsync.testing import (
    create_postgres_database,
    drop_postgres_database,
)

from conftest import Emulator, connect, make_client

URL_ENV = "CREATORSYNC_TEST_POSTGRES_URL"


def _server_url() -> str:
    url = os.environ.get(URL_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{URL_ENV} is not set, and CI=true requires the PostgreSQL tests to run")
    pytest.skip(f"{URL_ENV} is not set (run ./scripts/test, or `source scripts/postgres.sh && start_postgres`)")


class Databases:
    """Fresh databases on the test server; the fixture drops them all."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.names: List[str] = []

    async def new(self) -> str:
        """Creates an empty database and returns its URL."""
        name = f"cs_pytest_{uuid.uuid4().hex}"
        url = await create_postgres_database(self.server, name)
        self.names.append(name)
        return url


@pytest.fixture
async def databases() -> AsyncIterator[Databases]:
    dbs = Databases(_server_url())
    yield dbs
    for name in dbs.names:
        await drop_postgres_database(dbs.server, name)


def _with_password(url: str, password: str, database: Optional[str] = None) -> str:
    """``url`` with a password (the test server trusts loopback, so any
    password is accepted) and, if given, another database."""
    u = urlsplit(url)
    netloc = f"{u.username}:{password}@{u.hostname}:{u.port}"
    path = f"/{database}" if database else u.path
    return urlunsplit((u.scheme, netloc, path, u.query, u.fragment))


def _client(emulator: Emulator, store: cs.PostgresStore) -> cs.CreatorSync:
    return make_client(emulator, store)


async def test_postgres_store_keys(emulator: Emulator, databases: Databases, user_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = await databases.new()
    raw = os.urandom(32)
    monkeypatch.setenv("CREATORSYNC_KEY", base64.b64encode(raw).decode())
    monkeypatch.delenv("CREATORSYNC_KEY_ID", raising=False)
    await connect(_client(emulator, cs.PostgresStore(url)), user_id, "x")
    # The same key as raw bytes reads it back; another key cannot.
    (status,) = await _client(emulator, cs.PostgresStore(url, key=raw)).status(user_id)
    assert status["connected"]
    with pytest.raises(cs.KeyMismatch) as e:
        await _client(emulator, cs.PostgresStore(url, key=os.urandom(32))).status(user_id)
    assert e.value.key_id == "k1"
    with pytest.raises(cs.InvalidInput) as bad:
        _client(emulator, cs.PostgresStore(url, key=b"short"))
    assert isinstance(bad.value, ValueError)


async def test_postgres_pool_settings(emulator: Emulator, databases: Databases, user_id: str) -> None:
    url = await databases.new()
    sync = _client(emulator, cs.PostgresStore(url, key=os.urandom(32), max_connections=2, acquire_timeout_ms=5000))
    # More concurrent calls than connections: they queue, none fails.
    results = await asyncio.gather(*(sync.status(user_id) for _ in range(20)))
    assert results == [[]] * 20
    # Bad settings are refused before any connection is made.
    unused = "postgres://127.0.0.1:9/none"
    cases: List[Tuple[str, Callable[[], cs.PostgresStore]]] = [
        ("postgres.max_connections", lambda: cs.PostgresStore(unused, key=os.urandom(32), max_connections=0)),
        ("postgres.acquire_timeout_ms", lambda: cs.PostgresStore(unused, key=os.urandom(32), acquire_timeout_ms=0.0)),
        ("postgres.acquire_timeout_ms", lambda: cs.PostgresStore(unused, key=os.urandom(32), acquire_timeout_ms=-1.0)),
    ]
    for field, make in cases:
        with pytest.raises(cs.InvalidInput) as e:
            _client(emulator, make())
        assert e.value.field == field


async def test_postgres_password_never_shows(emulator: Emulator, databases: Databases) -> None:
    url = _with_password(await databases.new(), "hunter2-pw")
    store = cs.PostgresStore(url, key=os.urandom(32))
    assert "hunter2-pw" not in repr(store), repr(store)
    assert "hunter2-pw" not in store.url and store.url.startswith("postgres://")
    # A database that does not exist: the error names the redacted URL.
    missing = _with_password(databases.server, "hunter2-pw", "cs_no_such_db")
    with pytest.raises(cs.CreatorSyncError) as e:
        _client(emulator, cs.PostgresStore(missing, key=os.urandom(32)))
    assert "hunter2-pw" not in f"{e.value} {e.value!r}"
    # An unparseable URL: nothing of it is echoed.
    with pytest.raises(cs.CreatorSyncError) as c:
        _client(emulator, cs.PostgresStore("postgres://app:hunter2-pw@127.0.0.1:notaport/db", key=os.urandom(32)))
    assert "hunter2-pw" not in f"{c.value} {c.value!r}"


async def test_publish_through_postgres_store(emulator: Emulator, databases: Databases, user_id: str) -> None:
    url = await databases.new()
    secret = os.urandom(32)
    sync = make_client(emulator, cs.PostgresStore(url, key=secret))
    await connect(sync, user_id, "x")
    post = cs.Post(f"Hello from PostgresStore {user_id}")
    idem = f"pg-{user_id}"
    report = await sync.publish(user_id, post, targets=["x"], idempotency_key=idem)
    assert report["all_ok"], [str(r["error"]) for r in report["results"]]
    post_id = report["results"][0]["post_id"]
    assert [p["post_id"] for p in emulator.posts("x") if p["text"] == post.text] == [post_id]

    # Another worker on the same database sees the account and the publish
    # log: the same key is answered from the log, nothing is posted twice.
    other = make_client(emulator, cs.PostgresStore(url, key=secret))
    (status,) = await other.status(user_id)
    assert status["account"]["key"]["platform"] == "x" and status["connected"]
    again = await other.publish(user_id, post, targets=["x"], idempotency_key=idem)
    assert again["all_ok"] and again["results"][0]["reused"]
    assert again["results"][0]["post_id"] == post_id
    assert [p["post_id"] for p in emulator.posts("x") if p["text"] == post.text] == [post_id]
