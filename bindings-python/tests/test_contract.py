"""The typings against the core's contract (``docs/contract.schema.json``,
written by the core and checked fresh by a core test): every ``TypedDict``
of ``creatorsync._types`` that has a schema definition declares exactly its
fields, required and nullable as the schema says, and the constructors take
exactly the ``ClientOptions`` properties as keywords. The views a client
returns have the schema's keys, and images from bytes reach Instagram and
TikTok (which pull media from a URL) through ``media_host``. Node's equivalent:
``bindings-node/__test__/contract.test.mjs``."""

from __future__ import annotations

import contextlib
import functools
import http.server
import inspect
import json
import os
import threading
import types
import typing
from pathlib import Path
from typing import Any, Dict, Iterator, List, Tuple

import pytest

import creatorsync as cs
import creatorsync.blocking
from creatorsync import _types

from conftest import STATE_SECRET, Emulator, connect, make_client

SCHEMA_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "contract.schema.json")
with open(SCHEMA_PATH) as _f:
    SCHEMA: Dict[str, Any] = json.load(_f)
DEFS: Dict[str, Any] = SCHEMA["$defs"]

# (schema definition, TypedDict of creatorsync._types, is it an input)
PAIRS: List[Tuple[str, str, bool]] = [
    ("ClientOptions", "ClientOptions", True),
    ("SqliteOption", "SqliteOptions", True),
    ("PostgresOption", "PostgresOptions", True),
    ("StoreKeysOption", "StoreKeys", True),
    ("NamedKeyOption", "NamedKey", True),
    ("ConcurrencyOption", "Concurrency", True),
    ("PostInput", "PostInput", True),
    ("MediaInput", "MediaInput", True),
    ("LegacyPostBody", "LegacyPostBody", True),
    ("TargetObject", "TargetObject", True),
    ("AccountView", "Account", False),
    ("AccountKeyView", "AccountKey", False),
    ("ProfileView", "Profile", False),
    ("StatusView", "AccountStatus", False),
    ("HealthView", "AccountHealth", False),
    ("ErrorView", "ErrorView", False),
    ("TargetResultView", "TargetResult", False),
    ("ReportView", "PublishReport", False),
    ("LegacyResultView", "LegacyResult", False),
    ("ProbeView", "ProbeView", False),
    ("BoxPosition", "BoxPosition", False),
]


def _nullable(prop: Dict[str, Any]) -> bool:
    """Whether the schema lets the property be null."""
    ty = prop.get("type")
    if ty == "null" or (isinstance(ty, list) and "null" in ty):
        return True
    return any(_nullable(alt) for alt in prop.get("anyOf", []))


def schema_fields(definition: str, *, input: bool) -> Dict[str, Tuple[bool, bool]]:
    """``field -> (may be left out, may be None)`` as the schema says.
    Inputs: a field may be left out unless required. Views: every field
    is present (maybe null)."""
    d = DEFS[definition]
    required = set(d.get("required", []))
    return {k: (input and k not in required, _nullable(p)) for k, p in d["properties"].items()}


def _allows_none(hint: Any) -> bool:
    if hint is type(None) or hint is Any:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Union or origin is types.UnionType:
        return any(_allows_none(a) for a in typing.get_args(hint))
    return False


def typed_fields(td: Any) -> Dict[str, Tuple[bool, bool]]:
    """``field -> (may be left out, may be None)`` as a TypedDict declares."""
    hints = typing.get_type_hints(td)
    optional_keys = set(td.__optional_keys__)
    return {k: (k in optional_keys, _allows_none(h)) for k, h in hints.items()}


def mismatches(schema: Dict[str, Tuple[bool, bool]], typed: Dict[str, Tuple[bool, bool]]) -> List[str]:
    """Every difference, named: missing, extra, wrongly optional or nullable."""
    out = [f"missing field {k!r}" for k in schema.keys() - typed.keys()]
    out += [f"extra field {k!r}" for k in typed.keys() - schema.keys()]
    for k in schema.keys() & typed.keys():
        (s_opt, s_null), (t_opt, t_null) = schema[k], typed[k]
        if s_opt != t_opt:
            out.append(f"{k!r} is {'NotRequired' if t_opt else 'required'}, the schema says {'optional' if s_opt else 'required'}")
        if s_null != t_null:
            out.append(f"{k!r} is {'Optional' if t_null else 'not Optional'}, the schema says {'nullable' if s_null else 'not nullable'}")
    return sorted(out)


@pytest.mark.parametrize("definition,name,is_input", PAIRS, ids=[p[1] for p in PAIRS])
def test_typed_dicts_declare_exactly_the_schema(definition: str, name: str, is_input: bool) -> None:
    typed = typed_fields(getattr(_types, name))
    assert mismatches(schema_fields(definition, input=is_input), typed) == [], f"_types.{name} vs schema {definition}"


def test_the_comparison_catches_missing_extra_and_wrongly_optional_fields() -> None:
    schema = schema_fields("ErrorView", input=False)
    typed = typed_fields(_types.ErrorView)
    assert mismatches(schema, typed) == []
    missing = {k: v for k, v in typed.items() if k != "resets_at"}
    assert mismatches(schema, missing) == ["missing field 'resets_at'"]
    assert mismatches(schema, {**typed, "colour": (False, False)}) == ["extra field 'colour'"]
    assert mismatches(schema, {**typed, "code": (True, False)}) == ["'code' is NotRequired, the schema says required"]
    assert mismatches(schema, {**typed, "code": (False, True)}) == ["'code' is Optional, the schema says not nullable"]
    assert mismatches(schema, {**typed, "bucket": (False, False)}) == ["'bucket' is not Optional, the schema says nullable"]


@pytest.mark.parametrize("cls", [cs.CreatorSync, cs.blocking.CreatorSync], ids=["async", "blocking"])
def test_constructor_keywords_are_the_client_options(cls: Any) -> None:
    params = inspect.signature(cls).parameters
    assert sorted(params) == sorted(DEFS["ClientOptions"]["properties"])
    assert sorted(typing.get_type_hints(_types.ClientOptions)) == sorted(params)


def assert_shape(value: Any, definition: str) -> None:
    """``value`` has exactly the properties of schema ``definition``,
    recursively through nested views."""
    d = DEFS[definition]
    assert sorted(value) == sorted(d["properties"]), definition
    for k, p in d["properties"].items():
        refs = [p.get("$ref"), *(x.get("$ref") for x in p.get("anyOf", [])), p.get("items", {}).get("$ref")]
        ref = next((r.split("/")[-1] for r in refs if r), None)
        v = value[k]
        if ref is None or v is None or "properties" not in DEFS[ref]:
            continue
        for item in v if isinstance(v, list) else [v]:
            assert_shape(item, ref)


async def test_views_have_the_schema_shape(emulator: Emulator, user_id: str) -> None:
    sync = make_client(emulator)
    for a in await connect(sync, user_id, "x"):
        assert_shape(a, "AccountView")
    for s in await sync.status(user_id):
        assert_shape(s, "StatusView")
    for h in await sync.health(user_id):
        assert_shape(h, "HealthView")
    report = await sync.publish(user_id, {"text": f"shape {user_id}"}, targets=["x", "facebook"])
    assert_shape(report, "ReportView")
    for legacy in report["legacy"].values():
        assert_shape(legacy, "LegacyResultView")
    failed = next(r for r in report["results"] if r["platform"] == "facebook")
    assert failed["error"] is not None and failed["error"]["code"] == "NOT_CONNECTED"


def jpeg_bytes() -> bytes:
    """A small JPEG-looking file (Instagram and TikTok take JPEG images)."""
    return bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\0" * 4096


@contextlib.contextmanager
def file_server(directory: str) -> Iterator[str]:
    """A loopback http.server thread serving ``directory``: the "public"
    media host the emulator fetches from. Yields its base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def test_images_from_bytes_publish_through_media_host_and_fail_without_it(
    emulator: Emulator, tmp_path: Path, user_id: str
) -> None:
    post: Dict[str, Any] = {
        "text": f"bytes {user_id}",
        "media": [{"buffer": jpeg_bytes(), "name": "a.jpg"}],
        "options": {"tiktok": {"privacy_level": "SELF_ONLY"}},
    }
    without = make_client(emulator)
    for p in ("instagram", "tiktok"):
        await connect(without, user_id, p)
    bare = await without.publish(user_id, post, targets=["instagram", "tiktok"])
    assert [r["platform"] for r in bare["results"] if r["ok"]] == [], bare["results"]

    with file_server(str(tmp_path)) as base_url:
        sync = cs.CreatorSync(
            apps=emulator.apps,
            endpoints=emulator.endpoints,
            state_secret=STATE_SECRET,
            store="memory",
            media_host={"dir": str(tmp_path), "public_base_url": base_url},
        )
        for p in ("instagram", "tiktok"):
            await connect(sync, user_id, p)
        report = await sync.publish(user_id, post, targets=["instagram", "tiktok"])
    assert report["all_ok"], report["results"]
    assert sorted(r["platform"] for r in report["results"]) == ["instagram", "tiktok"]
    assert any(tmp_path.rglob("*")), "the media host got the files"
