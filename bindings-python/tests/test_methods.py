"""What Rust (and Node) had and Python lacked: the OAuth 1.0a signer (same
vectors as the Node tests), the live profile, key rotation on the SQL
stores."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import creatorsync as cs
from creatorsync.testing import key, sample_oauth2

from conftest import Emulator, connect, make_client

# https://developer.x.com/en/docs/authentication/oauth-1-0a/creating-a-signature
CONSUMER_KEY = "xvz1evFS4wEEPTGEFPHBog"
CONSUMER_SECRET = "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw"
TOKEN = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"
TOKEN_SECRET = "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"
URL = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true"
FORM = {"status": "Hello Ladies + Gentlemen, a signed OAuth request!"}


def test_sign_oauth1_reproduces_x_documented_example() -> None:
    h = cs.sign_oauth1(
        CONSUMER_KEY,
        CONSUMER_SECRET,
        "POST",
        URL,
        token=TOKEN,
        token_secret=TOKEN_SECRET,
        form=FORM,
        nonce="kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
        timestamp=1318622958,
    )
    assert h.startswith("OAuth ")
    assert 'oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"' in h, h


def test_oauth1_signer_signs_with_a_fresh_nonce_each_time() -> None:
    s = cs.OAuth1Signer(CONSUMER_KEY, CONSUMER_SECRET, TOKEN, TOKEN_SECRET)
    a = s.authorization("POST", URL, FORM)
    b = s.authorization("POST", URL, FORM)

    def nonce(h: str) -> str:
        m = re.search(r'oauth_nonce="([^"]+)"', h)
        assert m is not None, h
        return m.group(1)

    assert nonce(a) != nonce(b)
    assert re.search(r'oauth_signature="[^"]+"', a)
    assert CONSUMER_SECRET not in repr(s) and TOKEN_SECRET not in repr(s)


def test_oauth1_bad_input_is_invalid_input() -> None:
    with pytest.raises(cs.InvalidInput):
        cs.sign_oauth1(CONSUMER_KEY, CONSUMER_SECRET, "POST", "not a url")
    with pytest.raises(cs.InvalidInput):
        cs.OAuth1Signer(CONSUMER_KEY, CONSUMER_SECRET).authorization("GET", "not a url")
    with pytest.raises(cs.InvalidInput):
        cs.sign_oauth1(CONSUMER_KEY, CONSUMER_SECRET, "POST", URL, nonce="n")


async def test_profile_is_the_core_profile(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    (account,) = await connect(sync, user_id, "tiktok")
    profile = await sync.profile(user_id, "tiktok", account["account_id"])
    assert set(profile) == {"platform_user_id", "handle", "display_name", "kind"}
    assert profile["platform_user_id"]
    assert profile["handle"] == account["handle"]
    with pytest.raises(cs.NotConnected):
        await sync.profile(user_id, "x", "nobody")
    with pytest.raises(cs.InvalidInput):
        await sync.profile(user_id, "myspace", "a")


async def test_sqlite_rotate_key_reencrypts_every_row(tmp_path: Path) -> None:
    path = tmp_path / "rot.db"
    old, new = os.urandom(32), os.urandom(32)
    store = cs.SqliteStore(path, key=old, key_id="k1")
    k = key("u", "x", "1")
    await store.put(sample_oauth2(k, "secret-access"), None)
    assert store.active_key_id == "k1"
    assert await store.key_ids_in_use() == ["k1"]
    assert await store.rotate_key(new, "k2") == 1
    assert store.active_key_id == "k2"
    assert await store.key_ids_in_use() == ["k2"]
    # A process that only has the new key reads the row.
    fresh = cs.SqliteStore(path, key=new, key_id="k2")
    row = await fresh.get(k)
    assert row is not None and row["credential"].get("access") == "secret-access"
    with pytest.raises(cs.InvalidInput):
        await store.rotate_key(b"short", "k3")
    assert store.active_key_id == "k2"
