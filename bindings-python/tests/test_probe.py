"""``probe(media)`` (the contract's ``ProbeView``) and ``publish(fit=...)``:
the same fields from a file, bytes and a dict; a typed error for what is
not media; a Facebook photo over 4 MB refused, then fitted under it."""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import pytest

import creatorsync as cs
from creatorsync.testing import sample_mp4

from conftest import Emulator, connect, make_client


def noisy_png(width: int, height: int) -> bytes:
    """An RGB PNG of random pixels (which do not compress), stored."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + os.urandom(width * 3) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b"")


async def test_probe_reads_a_video_from_a_file_bytes_and_a_dict(tmp_path: Path) -> None:
    mp4 = sample_mp4(12, 1080, 1920, fps=25, moov_at_end=True)
    path = tmp_path / "clip.mp4"
    path.write_bytes(mp4)
    views = [
        await cs.probe(cs.Media.file(path)),
        await cs.probe(cs.Media.bytes(mp4, name="clip.mp4")),
        await cs.probe({"buffer": mp4, "name": "clip.mp4"}),
        await cs.probe({"path": str(path)}),
    ]
    assert all(v == views[0] for v in views), views
    v = views[0]
    assert v["format"] == "mp4" and v["mime"] == "video/mp4" and v["bytes"] == len(mp4)
    assert (v["width"], v["height"], v["rotation"]) == (1080, 1920, 0)
    assert v["duration_secs"] == 12.0 and v["frame_rate"] == 25.0
    assert v["video_codec"] == "avc1" and v["audio_codec"] is None
    assert v["faststart"] is False
    assert v["moov"] is not None and v["mdat"] is not None
    assert v["moov"]["offset"] > v["mdat"]["offset"]
    assert v["aspect_ratio"] == pytest.approx(1080 / 1920)


async def test_probe_reads_an_image_and_refuses_what_is_not_media() -> None:
    v = await cs.probe(cs.Media.bytes(noisy_png(50, 10), name="wide.png"))
    assert (v["format"], v["width"], v["height"], v["frames"]) == ("png", 50, 10, 1)
    assert v["faststart"] is None and v["duration_secs"] is None
    with pytest.raises(cs.InvalidMedia) as e:
        await cs.probe(cs.Media.bytes(b"plain words, not a picture", name="notes.txt"))
    assert e.value.code == "INVALID_MEDIA"
    with pytest.raises(cs.InvalidInput):
        await cs.probe({"path": "a.mp4", "url": "https://example.invalid/a.mp4"})


async def test_publish_fit_brings_a_big_photo_under_the_facebook_limit(
    emulator: Emulator, user_id: str
) -> None:
    sync = make_client(emulator)
    await connect(sync, user_id, "facebook")
    png = noisy_png(1500, 1450)
    assert len(png) > 6_000_000
    post = cs.Post("big photo", media=[cs.Media.bytes(png, name="big.png")])
    with pytest.raises(cs.InvalidPost) as e:
        await sync.publish(user_id, post, targets=["facebook:1001"])
    assert [v["code"] for v in e.value.violations] == ["media_too_large"]
    before = len(emulator.posts("facebook"))
    report = await sync.publish(user_id, post, targets=["facebook:1001"], fit="pad")
    assert report["all_ok"], report
    posts = emulator.posts("facebook")
    assert len(posts) == before + 1
    media = posts[-1]["media"][0]
    assert media["len"] <= 4 * 1024 * 1024
    assert media["seen"]["format"] == "jpeg"
    with pytest.raises(cs.InvalidInput):
        await sync.publish(user_id, post, targets=["facebook:1001"], fit="stretch")  # type: ignore[arg-type]
