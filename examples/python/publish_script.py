"""A script: connect every platform on the emulator, then publish a video to
all of them, printing progress — with the blocking facade.

    creatorsync-emulator > /tmp/emu.json &
    python publish_script.py "$(head -1 /tmp/emu.json)" clip.mp4
"""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any, Dict, List, Optional

import creatorsync as cs
from creatorsync.blocking import CreatorSync


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> Optional[urllib.request.Request]:
        return None


def authorize(url: str) -> str:
    """Plays the user's browser: opens the authorize URL (the emulator
    auto-approves) and returns where it redirects."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(url)
    except urllib.error.HTTPError as e:
        if e.code in (302, 303, 307):
            return str(e.headers["Location"])
        raise
    raise RuntimeError("the authorize page did not redirect")


def on_progress(event: cs.ProgressEvent) -> None:
    """Prints upload progress."""
    if event["event"] == "uploading":
        print(f"  {event.get('platform')}: {event.get('sent')}/{event.get('total')} bytes", file=sys.stderr)
    elif event["event"] in ("published", "failed"):
        print(f"  {event.get('platform')}: {event['event']} {event.get('url') or event.get('message')}", file=sys.stderr)


def main(argv: List[str]) -> int:
    """Connects and publishes; returns the exit status."""
    line: Dict[str, Any] = json.loads(argv[1])
    video = argv[2]
    endpoints = {k: v for k, v in line.items() if k not in ("control", "apps")}
    with CreatorSync(
        apps=line["apps"], endpoints=endpoints, state_secret="script-secret-" + "0" * 32, store=cs.MemoryStore()
    ) as sync:
        for platform in cs.PLATFORMS:
            req = sync.connect_begin("me", platform, f"http://127.0.0.1:9/callback/{platform}")
            accounts = sync.connect_complete_from_url("me", platform, authorize(req["url"]))
            print(f"{platform}: connected {[a['key']['account_id'] for a in accounts]}")
        post = cs.Post(
            "Hello from a script",
            media=[cs.Media.file(video)],
            youtube={"title": "Hello", "privacy": "unlisted"},
            tiktok={"privacy_level": "SELF_ONLY", "disable_duet": True, "disable_stitch": True},
        )
        report = sync.publish("me", post, on_progress=on_progress)
        print(json.dumps(report["legacy"], indent=2))
        return 0 if report["all_ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
