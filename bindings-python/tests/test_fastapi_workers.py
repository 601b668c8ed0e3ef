"""examples/python/fastapi_app.py as it is deployed: two uvicorn worker
processes on two loopback ports sharing one SQLite file. A connect begun on
one worker finishes on the other; a publish retried on the other worker
with the same idempotency key posts once."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import httpx
import pytest

from conftest import STATE_SECRET, Emulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_worker(port: int, env: Dict[str, str]) -> "subprocess.Popen[bytes]":
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "fastapi_app:app", "--app-dir", str(EXAMPLES),
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **env, "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_ready(proc: "subprocess.Popen[bytes]", base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise RuntimeError(f"worker exited with {proc.returncode}: {err}")
        try:
            if httpx.get(base + "/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"worker at {base} did not start")


@pytest.fixture
def workers(emulator: Emulator, tmp_path: Path) -> Iterator[List[str]]:
    """Two app processes on one SQLite file; yields their base URLs."""
    env = {
        "CREATORSYNC_EMULATOR_JSON": json.dumps(emulator.line),
        "CREATORSYNC_STATE_SECRET": STATE_SECRET,
        "CREATORSYNC_DB": str(tmp_path / "shared.db"),
        "CREATORSYNC_KEY": base64.b64encode(os.urandom(32)).decode(),
    }
    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    procs: List["subprocess.Popen[bytes]"] = []
    try:
        # One after the other: two processes creating the job engine's
        # tables in one fresh SQLite file at the same moment race (see
        # docs/scheduling.md, "Deployment").
        for port, base in zip(ports, bases):
            procs.append(start_worker(port, env))
            wait_ready(procs[-1], base)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


async def test_connect_and_publish_across_two_workers(emulator: Emulator, workers: List[str]) -> None:
    a, b = workers
    user = f"workers-{uuid.uuid4().hex[:10]}"
    headers = {"X-User-Id": user}
    async with httpx.AsyncClient(follow_redirects=False, timeout=30) as http:
        # Connect begins on worker A: a redirect to the platform.
        r = await http.get(f"{a}/connect/x", headers=headers)
        assert r.status_code == 302, r.text
        consent = await http.get(r.headers["location"])
        assert consent.status_code in (302, 303, 307)
        callback = consent.headers["location"]
        assert callback.startswith(f"{a}/callback/x")
        # ... and finishes on worker B.
        r = await http.get(b + callback.removeprefix(a), headers=headers)
        assert r.status_code == 200, r.text
        assert [acc["key"]["platform"] for acc in r.json()["connected"]] == ["x"]
        # The state is spent on every worker.
        r = await http.get(a + callback.removeprefix(a), headers=headers)
        assert r.status_code == 400 and r.json()["error"] == "INVALID_STATE"
        r = await http.get(f"{a}/status", headers=headers)
        assert [s["account"]["key"]["platform"] for s in r.json()["accounts"]] == ["x"]

        # A publish on A, retried on B with the same idempotency key.
        text = f"one post from two workers {uuid.uuid4().hex[:8]}"
        body = {"text": text, "targets": ["x"], "idempotency_key": f"k-{user}"}
        first = await http.post(f"{a}/publish", json=body, headers=headers)
        assert first.status_code == 200, first.text
        retry = await http.post(f"{b}/publish", json=body, headers=headers)
        assert retry.status_code == 200, retry.text
        assert retry.json()["results"]["x"]["success"]
        assert retry.json()["results"]["x"]["postId"] == first.json()["results"]["x"]["postId"]
        assert [d["reused"] for d in retry.json()["details"]] == [True]
    posts = [p for p in emulator.posts("x") if text in json.dumps(p)]
    assert len(posts) == 1, posts
