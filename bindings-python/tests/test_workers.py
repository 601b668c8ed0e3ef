"""Two worker processes on one SQLite file: a connect begun in this process
completes in another one (the pending connect waits in the shared file),
and only once."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

import creatorsync as cs

from conftest import REDIRECT, STATE_SECRET, Emulator, make_client

OTHER_WORKER = textwrap.dedent(
    """
    import asyncio, json, sys
    import creatorsync as cs

    args = json.loads(sys.argv[1])

    async def main():
        sync = cs.CreatorSync(
            apps=args["apps"],
            endpoints=args["endpoints"],
            state_secret=args["secret"],
            store=cs.SqliteStore(args["db"], key=bytes.fromhex(args["key"])),
        )
        accounts = await sync.connect_complete_from_url(args["user"], "tiktok", args["location"])
        print(json.dumps([a["key"]["account_id"] for a in accounts]))

    asyncio.run(main())
    """
)


async def test_a_callback_on_another_process_completes_the_connect(
    emulator: Emulator, tmp_path: Path, user_id: str
) -> None:
    key = os.urandom(32)
    db = tmp_path / "shared.db"
    this = make_client(emulator, cs.SqliteStore(db, key=key))
    req = await this.connect_begin(user_id, "tiktok", REDIRECT + "/tiktok")
    async with httpx.AsyncClient(follow_redirects=False) as http:
        r = await http.get(req["url"])
    location = r.headers["location"]
    args = {
        "apps": emulator.apps,
        "endpoints": emulator.endpoints,
        "secret": STATE_SECRET,
        "db": str(db),
        "key": key.hex(),
        "user": user_id,
        "location": location,
    }
    other = subprocess.run(
        [sys.executable, "-c", OTHER_WORKER, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0, other.stderr
    assert json.loads(other.stdout) == ["tt-demo-open-id"]
    # The state is spent: replayed here, it is refused.
    with pytest.raises(cs.InvalidState):
        await this.connect_complete_from_url(user_id, "tiktok", location)
    # This worker sees the account the other one stored.
    status = await this.status(user_id)
    assert [s["account"]["key"]["account_id"] for s in status] == ["tt-demo-open-id"]


HOST_STORE_WORKER = textwrap.dedent(
    """
    import asyncio, json, sys
    sys.path.insert(0, {tests_dir!r})
    import creatorsync as cs
    from kv_stores import SqliteKeyValueStore

    args = json.loads(sys.argv[1])

    async def main():
        sync = cs.CreatorSync(
            apps=args["apps"],
            endpoints=args["endpoints"],
            state_secret=args["secret"],
            store=SqliteKeyValueStore(args["db"]),
            store_keys={{"key": args["key"]}},
        )
        accounts = await sync.connect_complete_from_url(args["user"], "x", args["location"])
        report = await sync.publish(args["user"], {{"text": "one post, two workers"}},
                                    targets=["x"], idempotency_key="two-workers-1")
        print(json.dumps({{
            "accounts": [a["key"]["account_id"] for a in accounts],
            "post": report["results"][0]["post_id"],
        }}))

    asyncio.run(main())
    """
).format(tests_dir=str(Path(__file__).parent))


async def test_a_host_store_shares_connects_and_the_publish_log_across_processes(
    emulator: Emulator, tmp_path: Path, user_id: str
) -> None:
    """A key-value store the user wrote over their own database (here the
    stdlib sqlite3 on a shared file): a connect begun in this process
    completes in another, and a publish retried here with the other
    process's idempotency key returns its post instead of posting again."""
    from kv_stores import SqliteKeyValueStore

    key = base64.b64encode(os.urandom(32)).decode()
    db = tmp_path / "host-kv.db"
    this = cs.CreatorSync(
        apps=emulator.apps,
        endpoints=emulator.endpoints,
        state_secret=STATE_SECRET,
        store=SqliteKeyValueStore(db),
        store_keys={"key": key},
    )
    req = await this.connect_begin(user_id, "x", REDIRECT + "/x")
    async with httpx.AsyncClient(follow_redirects=False) as http:
        r = await http.get(req["url"])
    location = r.headers["location"]
    args = {
        "apps": emulator.apps,
        "endpoints": emulator.endpoints,
        "secret": STATE_SECRET,
        "db": str(db),
        "key": key,
        "user": user_id,
        "location": location,
    }
    other = subprocess.run(
        [sys.executable, "-c", HOST_STORE_WORKER, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert other.returncode == 0, other.stderr
    done = json.loads(other.stdout)
    assert len(done["accounts"]) == 1
    with pytest.raises(cs.InvalidState):
        await this.connect_complete_from_url(user_id, "x", location)
    report = await this.publish(
        user_id, {"text": "one post, two workers"}, targets=["x"], idempotency_key="two-workers-1"
    )
    result = report["results"][0]
    assert result["post_id"] == done["post"]
    assert result["reused"] is True
