#!/usr/bin/env bash
# Node package tests: install, build the addon (debug, shared target dir),
# run node:test against the emulator binary, type-check the TS example.
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"

if [[ -z "${CREATORSYNC_EMULATOR_BIN:-}" ]]; then
  (cd "$ROOT" && cargo build -q -p creatorsync-emulator)
  export CREATORSYNC_EMULATOR_BIN="$CARGO_TARGET_DIR/debug/creatorsync-emulator"
fi

if [[ -f package-lock.json ]]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
npx napi build --platform --dts index.d.ts
node --test --test-concurrency=1 __test__/
npx tsc -p tsconfig.json
