#!/usr/bin/env bash
# Node package tests (run by ./scripts/test): install the pinned npm
# packages, build the addon with @napi-rs/cli (debug, into the shared target
# dir), run the node:test suite against the emulator binary (including the
# Express example end to end), and type-check the TypeScript example with
# `tsc --strict`.
#
# Environment: CREATORSYNC_EMULATOR_BIN (built here when unset),
# CREATORSYNC_NODE_RELEASE=1 (test the release addon that scripts/packages.sh
# built and packed, instead of a debug build),
# CREATORSYNC_TEST_POSTGRES_URL (the Postgres store test; skipped without
# it unless CI=true).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
EXAMPLES="$ROOT/examples/node"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
npm_install() { (cd "$1" && npm ci --no-audit --no-fund --loglevel=error); }

if [[ -z "${CREATORSYNC_EMULATOR_BIN:-}" ]]; then
  (cd "$ROOT" && cargo build -q -p creatorsync-emulator)
  export CREATORSYNC_EMULATOR_BIN="$CARGO_TARGET_DIR/debug/creatorsync-emulator"
fi

npm_install "$HERE"
# napi always passes an explicit --target, so the addon and its
# dependencies build under target/<host triple>/debug.
NAPI_FLAGS=(--platform --dts index.d.ts)
[[ "${CREATORSYNC_NODE_RELEASE:-0}" == 1 ]] && NAPI_FLAGS+=(--release)
(cd "$HERE" && npx napi build "${NAPI_FLAGS[@]}")
# index.js / index.d.ts are generated and committed: a stale copy fails here.
if ! git -C "$ROOT" diff --quiet -- bindings-node/index.js bindings-node/index.d.ts; then
  git -C "$ROOT" --no-pager diff --stat -- bindings-node/index.js bindings-node/index.d.ts >&2
  echo "bindings-node: the generated index.js/index.d.ts differ from the committed ones; commit them" >&2
  exit 1
fi

npm_install "$EXAMPLES"   # express, typescript; `creatorsync` links to bindings-node
(cd "$HERE" && node --test --test-concurrency=1 __test__/)
(cd "$EXAMPLES" && npx tsc -p tsconfig.json)
echo "node: all tests passed; TypeScript example type-checks under --strict"
