"""The connect flow for all six platforms, status, health, disconnect."""

from __future__ import annotations

from typing import Dict, List

import pytest

import creatorsync as cs

from conftest import Emulator, connect, make_client

EXPECTED: Dict[str, List[str]] = {
    "x": ["2244994945"],
    "linkedin": ["10001", "10002", "li-demo-person"],
    "facebook": ["1001", "1002"],
    "instagram": ["17841400000000001"],
    "youtube": ["UCdemo0000000000000000001"],
    "tiktok": ["tt-demo-open-id"],
}


@pytest.mark.parametrize("platform", cs.PLATFORMS)
async def test_connect_each_platform(emulator: Emulator, user_id: str, platform: str) -> None:
    sync = make_client(emulator)
    accounts = await connect(sync, user_id, platform)
    assert sorted(a["key"]["account_id"] for a in accounts) == EXPECTED[platform]
    for a in accounts:
        assert a["key"]["user_id"] == user_id and a["key"]["platform"] == platform
        assert not a["needs_reauth"]
    status = await sync.status(user_id)
    assert sorted(s["account"]["key"]["account_id"] for s in status) == EXPECTED[platform]
    assert all(s["connected"] and s["missing_scopes"] == [] for s in status)


async def test_connect_x_oauth1(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    (account,) = await connect(sync, user_id, "x", oauth1=True)
    assert account["key"]["account_id"] == "2244994945"
    assert account["profile"]["handle"] == "creatorsync_demo"
    assert account["expires_at"] is None


async def test_health_and_disconnect(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    await connect(sync, user_id, "youtube")
    await connect(sync, user_id, "tiktok")
    health = await sync.health(user_id)
    assert sorted(h["key"]["platform"] for h in health) == ["tiktok", "youtube"]
    assert all(h["healthy"] and h["error"] is None for h in health)

    emulator.ctl("POST", "/tokens/tiktok/revoke", {})
    by_platform = {h["key"]["platform"]: h for h in await sync.health(user_id)}
    assert not by_platform["tiktok"]["healthy"]
    err = by_platform["tiktok"]["error"]
    assert err is not None and err["code"] == "REAUTH_REQUIRED"

    assert await sync.disconnect(user_id, "youtube", "UCdemo0000000000000000001") is True
    assert await sync.disconnect(user_id, "youtube", "UCdemo0000000000000000001") is False
    assert [s["account"]["key"]["platform"] for s in await sync.status(user_id)] == ["tiktok"]


async def test_denied_authorization(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    emulator.ctl("POST", "/login/linkedin", {"deny": True})
    with pytest.raises(cs.AuthorizationDenied) as e:
        await connect(sync, user_id, "linkedin")
    assert e.value.error == "access_denied"
    assert e.value.platform == "linkedin"
    assert await sync.status(user_id) == []


async def test_tampered_and_replayed_state(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    req = await sync.connect_begin(user_id, "youtube", "http://127.0.0.1:9/cb")
    with pytest.raises(cs.InvalidState) as e:
        await sync.connect_complete(user_id, "youtube", "code", req["state"] + "x")
    assert e.value.problem == "tampered"
    with pytest.raises(cs.InvalidState):
        await sync.connect_complete("someone-else", "youtube", "code", req["state"])


async def test_bad_input_is_value_error(emulator: Emulator) -> None:
    sync = make_client(emulator)
    with pytest.raises(cs.InvalidInput) as e:
        await sync.connect_begin("u", "myspace", "http://127.0.0.1:9/cb")
    assert isinstance(e.value, ValueError) and isinstance(e.value, cs.CreatorSyncError)
    with pytest.raises(ValueError):
        await sync.connect_begin("", "x", "http://127.0.0.1:9/cb")
    with pytest.raises(cs.InvalidInput) as e2:
        await sync.connect_begin("u", "x", "ftp://127.0.0.1/cb")
    assert e2.value.field == "redirect_uri"


async def test_missing_app_is_config_error(emulator: Emulator) -> None:
    sync = cs.CreatorSync(
        apps={"x": emulator.apps["x"]},
        endpoints=emulator.endpoints,
        state_secret="s" * 40,
        store=cs.MemoryStore(),
    )
    with pytest.raises(cs.ConfigError) as e:
        await sync.connect_begin("u", "tiktok", "http://127.0.0.1:9/cb")
    assert e.value.code == "CONFIG_ERROR"
    assert "secret" not in str(e.value).lower() or "cs-test" not in str(e.value)


def test_short_state_secret_is_invalid_input(emulator: Emulator) -> None:
    with pytest.raises(cs.InvalidInput):
        cs.CreatorSync(apps=emulator.apps, endpoints=emulator.endpoints, state_secret="short", store=cs.MemoryStore())
