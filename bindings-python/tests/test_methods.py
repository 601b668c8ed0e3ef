"""What Rust (and Node) had and Python lacked: the OAuth 1.0a signer (same
vectors as the Node tests), the live profile, key rotation on the SQL
stores."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import creatorsync as cs

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
    profile = await sync.profile(user_id, "tiktok", account["key"]["account_id"])
    assert set(profile) == {"platform_user_id", "handle", "display_name", "kind"}
    assert profile["platform_user_id"]
    assert profile["handle"] == account["profile"]["handle"]
    with pytest.raises(cs.NotConnected):
        await sync.profile(user_id, "x", "nobody")
    with pytest.raises(cs.InvalidInput):
        await sync.profile(user_id, "myspace", "a")


async def test_rotate_key_reseals_every_secret_through_the_client(emulator: Emulator, tmp_path: Path, user_id: str) -> None:
    path = tmp_path / "rot.db"
    old, new = os.urandom(32), os.urandom(32)
    sync = make_client(emulator, cs.SqliteStore(path, key=old, key_id="k1"))
    await connect(sync, user_id, "x")
    assert await sync.rotate_key("k2", new) >= 1
    # A process that only has the new key reads the row.
    fresh = make_client(emulator, cs.SqliteStore(path, key=new, key_id="k2"))
    (status,) = await fresh.status(user_id)
    assert status["connected"] and status["account"]["key"]["platform"] == "x"
    # One that only has the old key cannot.
    stale = make_client(emulator, cs.SqliteStore(path, key=old, key_id="k1"))
    with pytest.raises(cs.KeyMismatch):
        await stale.status(user_id)
    with pytest.raises(cs.InvalidInput):
        await sync.rotate_key("k3", b"short")
    with pytest.raises(cs.ConfigError):
        await make_client(emulator).rotate_key("k2", new)
