#!/usr/bin/env bash
# Python package tests, from a fresh machine: venv with pinned tools, a
# debug build of the extension installed with `pip install ./bindings-python`,
# pytest against the emulator binary, mypy --strict on tests and examples.
#
# Environment:
#   CREATORSYNC_EMULATOR_BIN  emulator binary (default: built here with cargo)
#   CREATORSYNC_PY_VENV       venv directory (default: $CARGO_TARGET_DIR/py-venv)
#   CARGO_TARGET_DIR          where cargo builds (default: target/); the
#                             extension is built in its maturin/ subdirectory
#   CREATORSYNC_PY_PROFILE    cargo profile of the extension (default: dev)
#   CREATORSYNC_PY_WHEEL      a built wheel to test instead of building one
#                             (./scripts/test passes the release wheel that
#                             scripts/packages.sh built)
#   PYTHON                    interpreter to create the venv with (default: python3)
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$HERE/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$TARGET"
TARGET=$(cd "$TARGET" && pwd)
VENV=${CREATORSYNC_PY_VENV:-$TARGET/py-venv}
export PATH="$VENV/bin:$PATH"   # the maturin build backend runs `maturin` from PATH
PROFILE=${CREATORSYNC_PY_PROFILE:-dev}

step() { printf -- '--> %s\n' "$*"; }

if [[ ! -x "$VENV/bin/python" ]]; then
  step "venv $VENV"
  "${PYTHON:-python3}" -m venv "$VENV"
fi
step "tools (pinned)"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check \
  maturin==1.16.0 pytest==9.2.0 pytest-asyncio==1.5.0 mypy==2.4.1 \
  fastapi==0.165.0 httpx==0.28.1 typing_extensions==4.16.0 uvicorn==0.55.0

if [[ -z "${CREATORSYNC_EMULATOR_BIN:-}" ]]; then
  step "emulator (cargo build -p creatorsync-emulator)"
  (cd "$ROOT" && cargo build --quiet -p creatorsync-emulator)
  CREATORSYNC_EMULATOR_BIN="$TARGET/debug/creatorsync-emulator"
fi
export CREATORSYNC_EMULATOR_BIN

# maturin gets its own target dir: it sets PYO3_BUILD_EXTENSION_MODULE,
# which changes pyo3's build config, so sharing the workspace's target dir
# would rebuild pyo3 (and everything above it) on every switch.
if [[ -n "${CREATORSYNC_PY_WHEEL:-}" ]]; then
  step "pip install $(basename "$CREATORSYNC_PY_WHEEL")"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    --force-reinstall --no-deps "$CREATORSYNC_PY_WHEEL"
else
  step "pip install ./bindings-python (cargo profile $PROFILE)"
  (
    cd "$ROOT"
    CARGO_TARGET_DIR="$TARGET/maturin" MATURIN_PEP517_ARGS="--profile $PROFILE" \
      "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
      --no-build-isolation --force-reinstall --no-deps ./bindings-python
  )
fi

step "pytest"
(cd "$HERE" && "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests)

step "mypy --strict (tests, examples)"
(cd "$HERE" && "$VENV/bin/python" -m mypy --strict --no-incremental --config-file pyproject.toml \
  tests "$ROOT/examples/python")

# The stubs never drift from the extension: stubtest compares every name,
# signature and class flag of _native.pyi with the built module.
step "stubtest (creatorsync._native)"
(cd "$TARGET" && "$VENV/bin/python" -m mypy.stubtest creatorsync._native)
