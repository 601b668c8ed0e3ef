"""Instagram Login (the second connection mode), image alt text and trial
reels through the Python binding, against the emulator."""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path
from typing import Any, Iterator

import pytest

import creatorsync as cs
from conftest import MP4_HEADER, STATE_SECRET, Emulator, connect

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x55" * 4000 + b"\xff\xd9"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def media_base(tmp_path: Path) -> Iterator[str]:
    """Serves a JPEG and an MP4 from tmp_path on loopback."""
    (tmp_path / "a.jpg").write_bytes(JPEG)
    (tmp_path / "v.mp4").write_bytes(MP4_HEADER + b"\0" * 50_000)
    handler = partial(_Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


async def test_instagram_login_alt_text_and_trial_reel(emulator: Emulator, user_id: str, media_base: str) -> None:
    apps = dict(emulator.apps)
    apps["instagram_login"] = {
        "client_id": "cs-test-instagram-login",
        "client_secret": "cs-test-instagram-login-secret",
    }
    sync = cs.CreatorSync(apps=apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store=cs.MemoryStore())
    req = await sync.connect_begin(user_id, "instagram", "http://127.0.0.1:9/callback")
    assert "/oauth/authorize?" in req["url"] and "instagram_business_basic" in req["url"]
    accounts = await connect(sync, user_id, "instagram")
    assert [a["key"]["account_id"] for a in accounts] == ["17841400000000001"]

    image = cs.Media.url(f"{media_base}/a.jpg", allow_private=True, alt_text="a red bicycle")
    report = await sync.publish(user_id, cs.Post("ig login image", media=[image]), targets=["instagram"])
    assert report["all_ok"], [str(r["error"]) for r in report["results"]]
    rec = next(p for p in emulator.posts("instagram") if p["post_id"] == report["results"][0]["post_id"])
    assert rec["extra"]["alt_text"] == '["a red bicycle"]'

    options: cs.InstagramOptions = {"trial_graduation": "manual"}
    reel = cs.Post("ig login reel", media=[cs.Media.url(f"{media_base}/v.mp4", allow_private=True)], instagram=options)
    report = await sync.publish(user_id, reel, targets=["instagram"])
    assert report["all_ok"], [str(r["error"]) for r in report["results"]]
    rec = next(p for p in emulator.posts("instagram") if p["post_id"] == report["results"][0]["post_id"])
    assert rec["extra"]["trial_graduation"] == "MANUAL"

    not_a_reel = cs.Post("no", media=[cs.Media.url(f"{media_base}/a.jpg", allow_private=True)], instagram=options)
    with pytest.raises(cs.InvalidPost) as e:
        await sync.publish(user_id, not_a_reel, targets=["instagram"])
    assert any(v["code"] == "trial_requires_reel" for v in e.value.violations)


def test_unknown_app_name_is_invalid_input(emulator: Emulator) -> None:
    with pytest.raises(cs.InvalidInput):
        cs.CreatorSync(apps={"myspace": {"client_id": "a"}}, state_secret=STATE_SECRET, store=cs.MemoryStore())
