#!/usr/bin/env bash
# Builds the packages the way a release does and installs each the way a
# user does (run by ./scripts/test; the README's install lines are these):
#
#   Python: `maturin build --release` → one abi3 wheel, installed with plain
#           `pip install <wheel>` into a clean venv, then
#           examples/python/publish_script.py connects and publishes to all
#           six platforms on the emulator.
#   Node:   `napi build --release` + `npm pack` → a tarball, installed with
#           `npm install <tarball>` into an empty project, then
#           examples/node/publish-script.mjs does the same.
#   Rust:   `cargo package` for the publishable crates (the bindings are
#           `publish = false`; they ship as the wheel and the tarball).
#
# Environment: CREATORSYNC_EMULATOR_BIN (built here when unset),
# CARGO_TARGET_DIR, PYTHON (default python3). Output in $CARGO_TARGET_DIR/packages.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
mkdir -p "$TARGET"
TARGET=$(cd "$TARGET" && pwd)
PKG="$TARGET/packages"
CLIP="$ROOT/examples/media/clip.mp4"
step() { printf -- '--> %s\n' "$*"; }

if [[ -z "${CREATORSYNC_EMULATOR_BIN:-}" ]]; then
  (cd "$ROOT" && cargo build --quiet -p creatorsync-emulator)
  CREATORSYNC_EMULATOR_BIN="$TARGET/debug/creatorsync-emulator"
fi

# Starts the emulator on a free loopback port; sets LINE to its JSON line.
EMU_PID=""
LINE=""
start_emulator() {
  local out="$PKG/emulator-$RANDOM.json"
  "$CREATORSYNC_EMULATOR_BIN" --bind 127.0.0.1:0 > "$out" &
  EMU_PID=$!
  for _ in $(seq 200); do [[ -s "$out" ]] && break; sleep 0.05; done
  LINE=$(head -1 "$out")
  [[ -n "$LINE" ]] || { echo "the emulator did not start" >&2; exit 1; }
}
stop_emulator() { [[ -n "$EMU_PID" ]] && kill "$EMU_PID" 2>/dev/null; wait "$EMU_PID" 2>/dev/null || true; EMU_PID=""; }
trap stop_emulator EXIT

rm -rf "$PKG" && mkdir -p "$PKG/wheels"

step "python: maturin build --release (abi3 wheel)"
"${PYTHON:-python3}" -m venv "$PKG/build-venv"
"$PKG/build-venv/bin/python" -m pip install -q --disable-pip-version-check maturin==1.16.0
# Its own target dir, shared with the Python test build (see bindings-python/scripts/test.sh).
(cd "$ROOT/bindings-python" && CARGO_TARGET_DIR="$TARGET/maturin" \
  "$PKG/build-venv/bin/maturin" build --release --quiet --out "$PKG/wheels")
WHEEL=$(ls "$PKG"/wheels/creatorsync-*-abi3-*.whl)
step "python: pip install $(basename "$WHEEL") into a clean venv"
"${PYTHON:-python3}" -m venv "$PKG/user-venv"
"$PKG/user-venv/bin/python" -m pip install -q --disable-pip-version-check "$WHEEL"
step "python: smoke test (connect and publish to all six on the emulator)"
start_emulator
# From an empty directory, so `import creatorsync` can only find the installed wheel.
mkdir -p "$PKG/python-app"
(cd "$PKG/python-app" && "$PKG/user-venv/bin/python" "$ROOT/examples/python/publish_script.py" "$LINE" "$CLIP" > out.json)
stop_emulator

step "node: napi build --release + npm pack"
(cd "$ROOT/bindings-node" && npm ci --no-audit --no-fund --loglevel=error \
  && npx napi build --platform --release --dts index.d.ts >/dev/null \
  && npm pack --silent --pack-destination "$PKG" >/dev/null)
TARBALL=$(ls "$PKG"/creatorsync-*.tgz)
CONTENTS=$(tar tzf "$TARBALL")   # (not piped into grep -q: pipefail + SIGPIPE)
grep -q '^package/creatorsync\..*\.node$' <<<"$CONTENTS" || { echo "no native addon in $TARBALL" >&2; exit 1; }
step "node: npm install $(basename "$TARBALL") into an empty project"
mkdir -p "$PKG/node-app"
(cd "$PKG/node-app" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "$TARBALL")
step "node: smoke test (connect and publish to all six on the emulator)"
cp "$ROOT/examples/node/publish-script.mjs" "$PKG/node-app/"
start_emulator
(cd "$PKG/node-app" && node publish-script.mjs "$LINE" "$CLIP" > out.json)
stop_emulator

step "rust: cargo package (publishable crates)"
# --no-verify: the crates' code is built and tested above; this checks the
# manifests, the file lists and that every dependency resolves from a registry
# or from the other packaged crates.
(cd "$ROOT" && cargo package --quiet --workspace --no-verify --allow-dirty \
  --exclude creatorsync-python --exclude creatorsync-node)

for app in python-app node-app; do
  ok=$(grep -c '"success": true' "$PKG/$app/out.json" || true)
  echo "packages: $app: $ok targets published (six platforms, every connected account)"
done
step "packages built, installed and smoke-tested"
