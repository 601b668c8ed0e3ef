"""The comparable shape of a binding's answer: keys in snake_case, values
reduced to their JSON type, except those whose value is the contract
(codes, platforms, flags, quota figures), kept as they are."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

KEEP = {
    "platform", "code", "ok", "reused", "healthy", "needs_reauth", "bucket",
    "limit", "used", "remaining", "scope", "window", "account_id", "user_id",
    "success", "all_ok", "retryable", "disconnected",
    "state", "zone", "local_time", "mode", "due_at", "scheduled",
}


def snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def shape(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {snake(k): shape(v, snake(k)) for k, v in sorted(value.items(), key=lambda kv: snake(kv[0]))}
    if isinstance(value, list):
        return [shape(v, key) for v in value]
    if key in KEEP or isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return "number"
    return type(value).__name__.replace("str", "string")


def compare(a_path: str, b_path: str) -> int:
    with open(a_path) as f:
        a = json.load(f)
    with open(b_path) as f:
        b = json.load(f)
    bad = 0
    for step in sorted(set(a) | set(b)):
        sa, sb = shape(a.get(step)), shape(b.get(step))
        if sa != sb:
            bad += 1
            print(f"step {step}: the bindings disagree\n  {a_path}: {json.dumps(sa, sort_keys=True)}\n  {b_path}: {json.dumps(sb, sort_keys=True)}")
    print(f"bindings scenario: {len(set(a) | set(b))} steps, {bad} disagreeing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(compare(sys.argv[1], sys.argv[2]))
