#!/usr/bin/env bash
# .ci/with-postgres.sh COMMAND [ARGS...]
#
# Runs COMMAND beside a throwaway PostgreSQL server: Debian's PostgreSQL 15
# (initdb and pg_ctl from `pg_config --bindir`; run as the postgres user when
# this runs as root, since they refuse root), in a temporary data folder,
# listening on 127.0.0.1 only, on a free port. The server is stopped and its
# folder removed when COMMAND ends, also on failure or Ctrl-C.
#
# COMMAND gets, in its environment:
#   PG_PORT        the server's TCP port on 127.0.0.1 (passwords: scram-sha-256)
#   PG_SOCKET_DIR  the folder of its unix socket, where the superuser `postgres`
#                  connects without a password (only this machine's root and
#                  postgres users can reach it)
# and exits with COMMAND's status.
set -euo pipefail

fail() { echo "FAIL: $*" >&2; exit 1; }
[ $# -ge 1 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
for cmd in pg_config pg_isready node; do
  command -v "$cmd" >/dev/null 2>&1 || fail "$cmd is not on PATH (Debian: apt-get install postgresql-15)"
done
pgbin=$(pg_config --bindir)
[ -x "$pgbin/initdb" ] && [ -x "$pgbin/pg_ctl" ] || fail "no initdb/pg_ctl in $pgbin (Debian: apt-get install postgresql-15)"

if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || fail "running as root, and there is no postgres user to run initdb and pg_ctl as"
  as_pg() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_pg() { "$@"; }
  owner=$(id -un)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/with-postgres.XXXXXX")
chmod 711 "$work" # the server's user must reach $work/pg
pgdir=$work/pg    # data, socket and log, owned by the server's user
mkdir -p "$pgdir"
chown "$owner" "$pgdir"
chmod 700 "$pgdir"
pgdata=$pgdir/data
started=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$started" ] && ! as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w -t 30 stop >/dev/null 2>&1; then
    pm=$(head -1 "$pgdata/postmaster.pid" 2>/dev/null || true)
    [ -n "$pm" ] && kill -QUIT "$pm" 2>/dev/null || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

as_pg "$pgbin/initdb" -D "$pgdata" -U postgres -E UTF8 --locale=C --no-sync --no-instructions \
  --auth-local=trust --auth-host=scram-sha-256 >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; fail "initdb"; }
free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
port=""
started=1 # from the first start attempt on: an interrupt during pg_ctl start must still stop the server
for attempt in 1 2 3 4 5; do # a port found free may be taken before the server binds it
  try=$(free_port)
  if as_pg "$pgbin/pg_ctl" -D "$pgdata" -l "$pgdir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $try -c unix_socket_directories=$pgdir -c max_connections=30 -c fsync=off -c full_page_writes=off" \
    start >/dev/null 2>&1; then
    port=$try
    break
  fi
  echo "     (port $try: the server did not start, attempt $attempt)" >&2
done
[ -n "$port" ] || { tail -20 "$pgdir/server.log" >&2; fail "PostgreSQL did not start"; }
for _ in $(seq 1 60); do
  pg_isready -q -h 127.0.0.1 -p "$port" -t 1 && break
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$port" -t 1 || fail "PostgreSQL on 127.0.0.1:$port is not ready"
echo "ok   PostgreSQL $("$pgbin/postgres" --version | sed -E 's/^[^0-9]*([0-9.]+).*/\1/') on 127.0.0.1:$port, data in a temporary folder (removed at the end)"

status=0
PG_PORT=$port PG_SOCKET_DIR=$pgdir "$@" || status=$?
exit "$status"
