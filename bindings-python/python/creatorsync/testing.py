"""Conformance suite for token stores, ported from the core's
``creatorsync_core::testing``: run it against your own store (e.g. a MongoDB
collection) before handing it to :class:`~creatorsync.CreatorSync`::

    from creatorsync.testing import token_store_conformance
    await token_store_conformance(lambda: MyMongoStore(fresh_collection()))

Every case takes a fresh store from ``make`` and raises ``AssertionError``
naming the broken rule. The same cases pass for :class:`MemoryStore`,
:class:`SqliteStore` and :class:`PostgresStore`.

:func:`core_token_store_conformance` runs the core's own (Rust) suite
against a Python store through the same bridge the client uses, with 50
tokio tasks racing the compare-and-swap rounds.

:func:`check_key_value_store` runs the core's key-value store suite (the
one contract a host store implements, see
:class:`~creatorsync.KeyValueStore`) against a Python object::

    await check_key_value_store(lambda: MyMongoKeyValueStore(fresh_collection()))

:func:`create_postgres_database` / :func:`drop_postgres_database` give a
test its own empty PostgreSQL database (no Python database driver needed)::

    url = await create_postgres_database(server_url, "cs_test_1")
    store = PostgresStore(url, key=os.urandom(32))
    ...
    await drop_postgres_database(server_url, "cs_test_1")
"""

from __future__ import annotations

import asyncio
import copy
from typing import Awaitable, Callable, List, Optional, Tuple, Union

from ._native import (
    Conflict,
    check_key_value_store,
    core_token_store_conformance,
    create_postgres_database,
    drop_postgres_database,
)
from ._types import AccountKey, Credential, Token, TokenStore

__all__ = [
    "RACERS",
    "ROUNDS",
    "key",
    "sample_oauth1",
    "sample_oauth2",
    "token_store_conformance",
    "token_round_trip",
    "token_list_isolation",
    "token_cas_conflict",
    "token_delete",
    "token_concurrent_cas",
    "core_token_store_conformance",
    "check_key_value_store",
    "create_postgres_database",
    "drop_postgres_database",
]

RACERS = 50
"""Concurrent writers per round of :func:`token_concurrent_cas`."""
ROUNDS = 4
"""Compare-and-swap rounds after the insert round."""

StoreFactory = Callable[[], Union[TokenStore, Awaitable[TokenStore]]]


def key(user_id: str, platform: str, account_id: str) -> AccountKey:
    """An account key."""
    return {"user_id": user_id, "platform": platform, "account_id": account_id}


def sample_oauth2(k: AccountKey, access: str) -> Token:
    """An OAuth 2.0 token with every field set; ``access`` tells tokens apart."""
    return {
        "key": dict(k),  # type: ignore[typeddict-item]
        "credential": {
            "type": "oauth2",
            "access": access,
            "refresh": f"refresh-of-{access}",
            "expires_at": "2030-01-02T03:04:05Z",
            "refresh_expires_at": "2031-06-07T08:09:10Z",
            "scopes": ["video.publish", "user.info.basic"],
        },
        "profile": {
            "platform_user_id": k["account_id"],
            "handle": "creator",
            "display_name": "A Créator \U0001f3ac",
            "kind": "person",
        },
        "version": 0,
        "updated_at": "2026-11-25T00:00:00Z",
        "needs_reauth": False,
        "metadata": {"page_id": "p-1"},
    }


def sample_oauth1(k: AccountKey, token: str) -> Token:
    """An OAuth 1.0a token."""
    return {
        "key": dict(k),  # type: ignore[typeddict-item]
        "credential": {"type": "oauth1", "token": token, "secret": f"secret-of-{token}"},
        "profile": {"platform_user_id": "", "handle": None, "display_name": None, "kind": None},
        "version": 0,
        "updated_at": "2026-11-25T00:00:00Z",
        "needs_reauth": False,
        "metadata": {},
    }


def _access_of(t: Token) -> str:
    c = t["credential"]
    return c.get("token") or c.get("access") or ""


def _norm_time(v: object) -> object:
    # Stores may normalise RFC 3339 spellings ("Z" vs "+00:00").
    if isinstance(v, str) and v.endswith("+00:00"):
        return v[: -len("+00:00")] + "Z"
    return v


def _norm_cred(c: Credential) -> dict[str, object]:
    out: dict[str, object] = {k: _norm_time(v) for k, v in c.items()}
    for k in ("refresh", "expires_at", "refresh_expires_at"):
        if c["type"] == "oauth2":
            out.setdefault(k, None)
    if c["type"] == "oauth2":
        out.setdefault("scopes", [])
    return out


def _assert_stored(got: Optional[Token], want: Token, version: int, what: str) -> None:
    assert got is not None, f"{what}: record missing after put"
    assert got["key"] == want["key"], f"{what}: key {got['key']!r} != {want['key']!r}"
    assert _norm_cred(got["credential"]) == _norm_cred(want["credential"]), f"{what}: credential"
    assert got["profile"] == want["profile"], f"{what}: profile"
    assert got.get("metadata", {}) == want["metadata"], f"{what}: metadata"
    assert got["needs_reauth"] == want["needs_reauth"], f"{what}: needs_reauth"
    assert got["version"] == version, f"{what}: version {got['version']} != {version}"


async def _expect_conflict(
    store: TokenStore, token: Token, expected: Optional[int], current: Optional[int], what: str
) -> None:
    try:
        v = await store.put(token, expected)
    except Conflict as e:
        got = getattr(e, "current_version", None)
        assert got == current, f"{what}: Conflict.current_version {got!r} != {current!r}"
        return
    raise AssertionError(f"{what}: expected Conflict(current_version={current!r}), put returned {v!r}")


async def token_round_trip(store: TokenStore) -> None:
    """``put`` then ``get`` returns the same record (both credential kinds);
    an insert returns version 1; a missing key reads as None; the incoming
    ``version`` field is ignored."""
    k2 = key("rt-user", "tiktok", "tt-1")
    t2 = sample_oauth2(k2, "access-rt-1")
    assert await store.put(t2, None) == 1, "insert returns version 1"
    _assert_stored(await store.get(k2), t2, 1, "oauth2 round trip")

    k1 = key("rt-user", "x", "x-1")
    t1 = sample_oauth1(k1, "tok-rt-1")
    t1["needs_reauth"] = True
    assert await store.put(t1, None) == 1, "insert oauth1"
    _assert_stored(await store.get(k1), t1, 1, "oauth1 round trip")

    k3 = key("rt-user", "linkedin", "li-1")
    t3 = sample_oauth2(k3, "access-rt-3")
    t3["credential"] = {
        "type": "oauth2",
        "access": "bare",
        "refresh": None,
        "expires_at": None,
        "refresh_expires_at": None,
        "scopes": [],
    }
    t3["metadata"] = {}
    assert await store.put(t3, None) == 1, "insert bare oauth2"
    _assert_stored(await store.get(k3), t3, 1, "bare oauth2 round trip")

    t2b = sample_oauth2(k2, "access-rt-2")
    t2b["version"] = 99
    assert await store.put(t2b, 1) == 2, "cas update returns version 2"
    _assert_stored(await store.get(k2), t2b, 2, "update round trip")

    assert await store.get(key("rt-user", "youtube", "none")) is None, "missing key reads None"


async def token_list_isolation(store: TokenStore) -> None:
    """``list(user)`` returns exactly that user's records."""
    a, b = "list-user-a", "list-user-b"
    a_keys = [
        key(a, "tiktok", "t-1"),
        key(a, "x", "x-2"),
        key(a, "facebook", "page-9"),
        key(a, "facebook", "page-1"),
    ]
    for i, k in enumerate(a_keys):
        await store.put(sample_oauth2(k, f"a-{i}"), None)
    await store.put(sample_oauth2(key(b, "x", "x-2"), "b-0"), None)
    # A user id that is a prefix of another must not match it.
    await store.put(sample_oauth2(key("list-user", "x", "x-2"), "p-0"), None)

    def sort_key(k: AccountKey) -> Tuple[str, str, str]:
        return (k["user_id"], k["platform"], k["account_id"])

    got = sorted((t["key"] for t in await store.list(a)), key=sort_key)
    assert got == sorted(a_keys, key=sort_key), f"list(a) returns a's records: {got!r}"
    got_b = await store.list(b)
    assert len(got_b) == 1, "list(b) returns only b's record"
    assert _access_of(got_b[0]) == "b-0", "list(b) returns b's credential"
    assert await store.list("list-user-nobody") == [], "unknown user lists nothing"


async def token_cas_conflict(store: TokenStore) -> None:
    """A second insert and a stale version conflict with the current
    version; a CAS on a missing record conflicts with None."""
    k = key("cas-user", "youtube", "chan-1")
    assert await store.put(sample_oauth2(k, "v1"), None) == 1
    await _expect_conflict(store, sample_oauth2(k, "dup"), None, 1, "second insert")
    assert await store.put(sample_oauth2(k, "v2"), 1) == 2
    await _expect_conflict(store, sample_oauth2(k, "stale"), 1, 2, "stale version")
    await _expect_conflict(store, sample_oauth2(k, "future"), 7, 2, "future version")
    got = await store.get(k)
    assert got is not None and _access_of(got) == "v2", "failed writes change nothing"
    assert got["version"] == 2

    missing = key("cas-user", "youtube", "chan-missing")
    await _expect_conflict(store, sample_oauth2(missing, "x"), 1, None, "cas on missing record")
    assert await store.get(missing) is None, "failed cas does not insert"


async def token_delete(store: TokenStore) -> None:
    """``delete`` removes exactly one record and reports whether it existed."""
    k = key("del-user", "instagram", "ig-1")
    other = key("del-user", "instagram", "ig-2")
    await store.put(sample_oauth2(k, "d1"), None)
    await store.put(sample_oauth2(other, "d2"), None)
    assert await store.delete(k) is True, "delete of a present record returns True"
    assert await store.get(k) is None, "deleted record is gone"
    assert await store.delete(k) is False, "second delete returns False"
    assert await store.get(other) is not None, "delete leaves other records"
    await _expect_conflict(store, sample_oauth2(k, "d3"), 1, None, "cas after delete")
    assert await store.put(sample_oauth2(k, "d4"), None) == 1, "re-insert after delete"


async def token_concurrent_cas(store: TokenStore) -> None:
    """:data:`RACERS` writers race on one key, :data:`ROUNDS` + 1 times
    (first all insert, then all CAS from the same version). Each round
    exactly one wins; every loser gets ``Conflict`` carrying the winner's
    version; the stored credential is the winner's."""
    k = key("race-user", "tiktok", "tt-race")
    expected: Optional[int] = None
    for rnd in range(ROUNDS + 1):
        start = asyncio.Event()

        async def racer(i: int, expected: Optional[int] = expected, rnd: int = rnd) -> Tuple[int, object]:
            token = sample_oauth2(k, f"round-{rnd}-task-{i}")
            await start.wait()
            try:
                return i, await store.put(copy.deepcopy(token), expected)
            except Conflict as e:
                return i, e

        tasks = [asyncio.ensure_future(racer(i)) for i in range(RACERS)]
        await asyncio.sleep(0)
        start.set()
        results = await asyncio.gather(*tasks)
        new_version = 1 if expected is None else expected + 1
        winners: List[int] = []
        for i, r in results:
            if isinstance(r, Conflict):
                cv = getattr(r, "current_version", None)
                assert cv == new_version, f"round {rnd}: loser saw current_version {cv!r}, not {new_version}"
            else:
                assert r == new_version, f"round {rnd}: winner's version {r!r} != {new_version}"
                winners.append(i)
        assert len(winners) == 1, f"round {rnd}: exactly one writer wins, got {winners}"
        got = await store.get(k)
        assert got is not None and got["version"] == new_version, f"round {rnd}: stored version"
        assert _access_of(got) == f"round-{rnd}-task-{winners[0]}", (
            f"round {rnd}: stored credential is the winner's"
        )
        expected = new_version


CASES: List[Callable[[TokenStore], Awaitable[None]]] = [
    token_round_trip,
    token_list_isolation,
    token_cas_conflict,
    token_delete,
    token_concurrent_cas,
]
"""Every case, in order."""


async def token_store_conformance(make: StoreFactory) -> None:
    """Runs every case, each on a fresh store from ``make`` (a function
    returning a store, or a coroutine producing one)."""
    for case in CASES:
        made = make()
        store: TokenStore = await made if asyncio.iscoroutine(made) else made  # type: ignore[assignment]
        try:
            await case(store)
        except AssertionError as e:
            raise AssertionError(f"{case.__name__}: {e}") from e
