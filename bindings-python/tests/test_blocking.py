"""The blocking facade, through examples/python/publish_script.py."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import creatorsync as cs
from creatorsync.blocking import CreatorSync

from conftest import STATE_SECRET, Emulator, video_bytes

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "python" / "publish_script.py"


def test_publish_script(emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("publish_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(video_bytes())
    assert script.main(["publish_script.py", json.dumps(emulator.line), str(clip)]) == 0
    out = capsys.readouterr()
    assert "tiktok: connected" in out.out
    assert '"success": true' in out.out
    assert "youtube:" in out.err


def test_blocking_errors_and_close(emulator: Emulator) -> None:
    with CreatorSync(
        apps=emulator.apps, endpoints=emulator.endpoints, state_secret=STATE_SECRET, store=cs.MemoryStore()
    ) as sync:
        with pytest.raises(cs.InvalidInput):
            sync.connect_begin("u", "myspace", "http://127.0.0.1:9/cb")
        assert sync.status("nobody") == []
