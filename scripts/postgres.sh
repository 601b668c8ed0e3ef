# shellcheck shell=bash
# A throwaway PostgreSQL server on 127.0.0.1 for the Postgres store tests.
#
# Sourced by scripts/test (or by hand: `source scripts/postgres.sh &&
# start_postgres`). `start_postgres`:
#   * finds the server binaries (/usr/lib/postgresql/*/bin), installing the
#     Debian `postgresql` package when they are missing (needs root);
#   * creates a cluster in a fresh temp dir owned by the unprivileged user
#     `nobody` (initdb refuses root), trust auth on loopback only;
#   * starts it on 127.0.0.1 at a free port, with its unix socket in the
#     temp dir (`-k`) and fsync off (the data is thrown away);
#   * waits until it accepts connections, then sets PG_PID_DIR (the temp
#     dir, holding `data/`) and exports CREATORSYNC_TEST_POSTGRES_URL.
# `stop_postgres` stops it and removes the temp dir.
#
# With CI=true any failure is fatal (return 1 under `set -e`). Without CI
# a failure prints a warning and leaves CREATORSYNC_TEST_POSTGRES_URL unset,
# so the Postgres tests print "skipped" and pass.

_pg_fail() {
  if [[ "${CI:-}" == true ]]; then
    echo "postgres: $*" >&2
    return 1
  fi
  echo "warning: postgres: $* — the PostgreSQL store tests will be skipped" >&2
  unset CREATORSYNC_TEST_POSTGRES_URL
  return 0
}

_pg_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

_pg_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start_postgres() {
  local bindir port dir
  if ! bindir=$(_pg_bindir); then
    if [[ $(id -u) -ne 0 ]]; then
      _pg_fail "PostgreSQL is not installed and installing it needs root (apt-get install postgresql)"
      return
    fi
    echo "postgres: installing the postgresql package" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 ||
      ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2; then
      _pg_fail "apt-get install postgresql failed"
      return
    fi
    if ! bindir=$(_pg_bindir); then
      _pg_fail "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
      return
    fi
  fi
  PG_BINDIR=$bindir
  # runuser (root → nobody) when root, otherwise run as ourselves.
  local -a as_user=()
  if [[ $(id -u) -eq 0 ]]; then
    as_user=(runuser -u nobody --)
  fi
  if ! dir=$(mktemp -d /tmp/creatorsync-pg.XXXXXX); then
    _pg_fail "cannot create a temp dir"
    return
  fi
  PG_PID_DIR=$dir
  if [[ $(id -u) -eq 0 ]]; then
    chown nobody "$dir"
  fi
  if ! "${as_user[@]}" "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync \
    -E UTF8 --locale=C >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    _pg_fail "initdb failed (log above)"
    return
  fi
  local attempt
  for attempt in 1 2 3; do
    port=$(_pg_free_port) || {
      _pg_fail "cannot find a free port (python3 missing?)"
      return
    }
    if "${as_user[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      break
    fi
    port=""
  done
  if [[ -z "$port" ]]; then
    tail -n 20 "$dir/server.log" >&2 || true
    _pg_fail "the server did not start (log above)"
    return
  fi
  local i
  for i in $(seq 1 50); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
      export CREATORSYNC_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
      echo "postgres: $("$bindir/postgres" --version) on 127.0.0.1:$port (data in $dir)" >&2
      return 0
    fi
    sleep 0.1
  done
  _pg_fail "the server on port $port does not accept connections"
}

stop_postgres() {
  if [[ -n "${PG_PID_DIR:-}" && -d "$PG_PID_DIR/data" ]]; then
    local -a as_user=()
    [[ $(id -u) -eq 0 ]] && as_user=(runuser -u nobody --)
    "${as_user[@]}" "${PG_BINDIR:-$(_pg_bindir)}/pg_ctl" -D "$PG_PID_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  if [[ -n "${PG_PID_DIR:-}" ]]; then
    rm -rf "$PG_PID_DIR"
  fi
  unset CREATORSYNC_TEST_POSTGRES_URL
}
