#!/usr/bin/env bash
# .ci/ci-pg-backend.sh STACK_DIR   (run inside .ci/with-postgres.sh)
#
# Proves the `pg` state backend for real, offline, on a synthesized stack
# whose backend is pg (STACK_DIR holds cdk.tf.json, e.g. from
# examples/shared-state-pg.yaml), against the throwaway PostgreSQL that
# with-postgres.sh started on 127.0.0.1, with the real terraform through
# ../shared/tools/terraform-offline/tf.sh:
#   1. least privilege: init fails with only CONNECT on the database (CREATE
#      SCHEMA needs CREATE on it), fails again without CREATE on schema public
#      (the backend runs CREATE SEQUENCE IF NOT EXISTS public.global_states_id_seq
#      on every command), and succeeds once both are granted;
#   2. init + apply into the stack's schema, the state row read back with psql;
#      the connection string comes only from PG_CONN_STR (not in the JSON,
#      not under .terraform/);
#   3. re-plan: no resource or output changes;
#   4. a second checkout (a fresh copy of the stack folder, its own init) sees
#      the same `terraform state list`;
#   5. while another session holds the state's lock (the advisory lock
#      pg_advisory_lock(<states.id>) Terraform takes), apply fails with
#      Terraform's lock error and the stored state stays byte-identical;
#      force-unlock exits 0 but cannot release another session's lock (see
#      docs/state.md); ending the holding session does, and the same apply succeeds;
#   6. init -migrate-state -force-copy moves a local state into pg.
# The copies are the stack without provisioners (they would run for real)
# and without the outputs that yamldecode provider-computed values (the
# stand-ins store placeholders). The lock-holding session and the temp folder
# are removed on exit, also on failure. Nothing but 127.0.0.1 is contacted.
#
# Environment: PG_PORT, PG_SOCKET_DIR  from .ci/with-postgres.sh
#              TF_OFFLINE_SH           tf.sh (default: ../shared beside the repo)
set -euo pipefail

started=$(date +%s)
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok   $*"; }
note() { echo "note $*"; }

[ $# -eq 1 ] || { echo "usage: .ci/with-postgres.sh $0 STACK_DIR" >&2; exit 2; }
[ -n "${PG_PORT:-}" ] && [ -d "${PG_SOCKET_DIR:-}" ] || fail "PG_PORT and PG_SOCKET_DIR are not set: run this inside .ci/with-postgres.sh"
config=$(cd "$1" && pwd)/cdk.tf.json
[ -f "$config" ] || fail "no cdk.tf.json in $1"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tf=${TF_OFFLINE_SH:-$root/../shared/tools/terraform-offline/tf.sh}
[ -x "$tf" ] || fail "no terraform-offline tool at $tf (set TF_OFFLINE_SH)"
for cmd in jq psql terraform sha256sum; do
  command -v "$cmd" >/dev/null 2>&1 || fail "$cmd is not on PATH"
done

schema=$(jq -r '.terraform.backend.pg.schema_name // empty' "$config")
[ -n "$schema" ] || fail "$config has no pg backend: synthesize a configuration with backend.type pg (e.g. examples/shared-state-pg.yaml)"
qschema="\"${schema//\"/\"\"}\"" # SQL identifier, quoted as the backend does (pq.QuoteIdentifier)

# --- temp folder and cleanup ------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/ci-pg-backend.XXXXXX")
mkdir -p "$work/tmp"
holder_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$holder_pid" ]; then
    kill "$holder_pid" 2>/dev/null || true
    wait "$holder_pid" 2>/dev/null || true
    # and its server session, should the client have gone without closing it
    admin -d "$db" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tf-lock-holder'" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export TMPDIR=$work/tmp TF_IN_AUTOMATION=1 # tf.sh's mirror and rc files land in $work too
port=$PG_PORT
pgdir=$PG_SOCKET_DIR

admin() { psql -X -q -v ON_ERROR_STOP=1 -h "$pgdir" -p "$port" -U postgres "$@"; } # superuser, unix socket

# --- database and least-privilege role --------------------------------------
db=tfstate
role=tf_state
password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
admin -d postgres <<SQL
CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION PASSWORD '$password';
CREATE DATABASE $db;
CREATE DATABASE ${db}_migrate;
REVOKE ALL ON DATABASE $db FROM PUBLIC;
REVOKE ALL ON DATABASE ${db}_migrate FROM PUBLIC;
GRANT CONNECT ON DATABASE $db TO $role;
SQL
conn="postgres://$role:$password@127.0.0.1:$port/$db?sslmode=disable"
role_psql() { PGPASSWORD=$password psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$role" -d "${PSQL_DB:-$db}" "$@"; }

# run_tf DIR LOG ARGS...: tf.sh in DIR with PG_CONN_STR; print the log on an
# unexpected status. Sets $status; statuses in $TF_OK (default "0") count as success.
run_tf() {
  local dir=$1 log=$work/$2
  shift 2
  status=0
  (cd "$dir" && PG_CONN_STR=${CONN:-$conn} "$tf" "$@" -no-color) >"$log" 2>&1 || status=$?
  if [[ " ${TF_OK:-0} " != *" $status "* ]]; then
    cat "$log" >&2
    fail "terraform $* in $dir exited $status (output above)"
  fi
}

# --- stack copies: provisioners removed, backend pg { schema_name } ----------
# (as .ci/ci-offline-terraform.sh: provisioners go, they would run for
# real; outputs that yamldecode a provider-computed value go, the stand-ins
# store "fake-<attr>" strings.)
make_checkout() { # DIR [BACKEND_JSON]
  mkdir -p "$1"
  jq --argjson backend "${2:-$(jq -cn --arg s "$schema" '{pg: {schema_name: $s}}')}" '
    del(.resource[][].provisioner)
    | .terraform.backend = $backend
    | if .output then .output |= with_entries(select(.value.value | tostring | contains("yamldecode(") | not)) else . end
  ' "$config" >"$1/cdk.tf.json"
  ! grep -qs '"provisioner"' "$1"/*.tf.json || fail "$1 still has a provisioner"
  ! grep -qs '"conn_str"' "$1"/*.tf.json || fail "$1 has a conn_str: it must come from PG_CONN_STR only"
}
ws1=$work/ws1
make_checkout "$ws1"
jq -e --arg s "$schema" '.terraform.backend == {pg: {schema_name: $s}}' "$ws1/cdk.tf.json" >/dev/null

# --- 1. least privilege, proven by what fails without it ---------------------
neg=$work/neg
make_checkout "$neg"
TF_OK=1 run_tf "$neg" neg1.log init -input=false
grep -q "permission denied for database $db" "$work/neg1.log" || { cat "$work/neg1.log" >&2; fail "init with CONNECT only: expected 'permission denied for database $db'"; }
admin -d postgres -c "GRANT CREATE ON DATABASE $db TO $role"
TF_OK=1 run_tf "$neg" neg2.log init -input=false
grep -q "permission denied for schema public" "$work/neg2.log" || { cat "$work/neg2.log" >&2; fail "init without CREATE on public: expected 'permission denied for schema public'"; }
admin -d "$db" -c "GRANT USAGE, CREATE ON SCHEMA public TO $role"
ok "least privilege: init needs CONNECT + CREATE on the database and USAGE + CREATE on schema public (each refusal seen)"
rm -rf "$neg"
# the schema that the second refusal left behind (created before the sequence failed) is kept: init reuses it

# --- 2. init + apply --------------------------------------------------------
t0=$(date +%s)
run_tf "$ws1" init1.log init -input=false
! grep -rqs -- "$password" "$ws1/.terraform" || fail "the password from PG_CONN_STR was written under .terraform/"
jq -e '.backend.type == "pg" and .backend.config.conn_str == null' "$ws1/.terraform/terraform.tfstate" >/dev/null ||
  fail ".terraform/terraform.tfstate: $(jq -c .backend "$ws1/.terraform/terraform.tfstate")"
run_tf "$ws1" apply1.log apply -auto-approve -input=false
t1=$(date +%s)
state_sql="SELECT data FROM $qschema.states WHERE name = 'default'"
rows=$(role_psql -At -c "SELECT count(*) FROM $qschema.states WHERE name = 'default'")
[ "$rows" = 1 ] || fail "expected one row name='default' in $schema.states, found $rows"
role_psql -At -c "$state_sql" >"$work/state-after-apply.json"
n_resources=$(jq '[.resources[] | select(.mode == "managed")] | length' "$work/state-after-apply.json")
[ "$n_resources" -gt 0 ] || fail "the stored state has no managed resources"
owner=$(admin -d "$db" -At -c "SELECT nspowner::regrole FROM pg_namespace WHERE nspname = '$schema'")
ok "init + apply with backend pg { schema_name = \"$schema\" } ($((t1 - t0))s): row $schema.states/default holds $n_resources managed resources (schema owned by $owner)"

# --- 3. re-plan --------------------------------------------------------------
TF_OK="0 2" run_tf "$ws1" replan.log plan -detailed-exitcode -input=false -out="$work/replan.plan"
(cd "$ws1" && PG_CONN_STR=$conn "$tf" show -json "$work/replan.plan") >"$work/replan.json"
changes=$(jq -r '[.resource_changes[]? | select(.change.actions != ["no-op"]) | select(.action_reason != "read_because_check_nested") | "\(.address) \(.change.actions | join("+"))"] + [.output_changes // {} | to_entries[] | select(.value.actions != ["no-op"]) | "output.\(.key)"] | join(", ")' "$work/replan.json")
[ -z "$changes" ] || fail "re-plan after apply changes: $changes"
checkreads=$(jq -r '[.resource_changes[]? | select(.action_reason == "read_because_check_nested") | .address] | join(", ")' "$work/replan.json")
if [ "$status" = 0 ]; then
  ok "re-plan: -detailed-exitcode 0, no changes"
else
  ok "re-plan: no resource or output changes (exit 2 only for the check block's read, which terraform always plans: ${checkreads})"
fi

# --- 4. second checkout -----------------------------------------------------
ws2=$work/ws2
make_checkout "$ws2"
run_tf "$ws2" init2.log init -input=false
run_tf "$ws1" list1.log state list
run_tf "$ws2" list2.log state list
[ -s "$work/list1.log" ] || fail "state list is empty"
cmp -s "$work/list1.log" "$work/list2.log" || { diff "$work/list1.log" "$work/list2.log" >&2; fail "the second checkout sees another state list"; }
ok "second checkout (fresh copy, own init) lists the same $(wc -l <"$work/list2.log") state addresses"

# --- 5. locking -------------------------------------------------------------
state_id=$(role_psql -At -c "SELECT id FROM $qschema.states WHERE name = 'default'")
snapshot() { role_psql -At -c "$state_sql" >"$1"; }
snapshot "$work/before-lock.json"
# Terraform's lock on an existing workspace is pg_try_advisory_lock(<states.id>)
# (session level, one bigint key); -1 is its lock for creating a workspace row.
# This session takes that lock as the same least-privilege role and keeps it.
# psql itself in the background (exec), so that $! is psql and cleanup's kill ends the session.
(PGPASSWORD=$password PGAPPNAME=tf-lock-holder exec psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U "$role" -d "$db" -At \
  -c "SELECT pg_advisory_lock(id) FROM $qschema.states WHERE name = 'default'" -c "SELECT pg_sleep(600)") >"$work/holder.log" 2>&1 &
holder_pid=$!
lock_row="SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = '$db') AND classid = ($state_id::bigint >> 32)::oid AND objid = ($state_id::bigint & 4294967295)::oid AND objsubid = 1"
holder_backend=""
for _ in $(seq 1 50); do
  holder_backend=$(admin -d "$db" -At -c "$lock_row")
  [ -n "$holder_backend" ] && break
  kill -0 "$holder_pid" 2>/dev/null || { cat "$work/holder.log" >&2; fail "the lock-holding psql session ended"; }
  sleep 0.2
done
[ -n "$holder_backend" ] || fail "the psql session did not get advisory lock $state_id"
null_addr=null_resource.$(jq -r '.resource.null_resource | keys[0]' "$ws2/cdk.tf.json")
TF_OK=1 run_tf "$ws2" locked-apply.log apply -auto-approve -input=false -lock-timeout=0s -replace="$null_addr"
grep -q "Error acquiring the state lock" "$work/locked-apply.log" &&
  grep -q "Workspace is already locked: default" "$work/locked-apply.log" ||
  { cat "$work/locked-apply.log" >&2; fail "apply under the lock did not fail with terraform's lock error"; }
lock_id=$(sed -n 's/^ *ID: *//p' "$work/locked-apply.log" | head -1)
snapshot "$work/after-lock.json"
cmp -s "$work/before-lock.json" "$work/after-lock.json" || fail "the stored state changed while locked"
ok "apply while psql holds pg_advisory_lock($state_id) (backend pid $holder_backend): exit 1, 'Error acquiring the state lock / Workspace is already locked: default'; stored state byte-identical ($(wc -c <"$work/after-lock.json") bytes, sha256 $(sha256sum <"$work/after-lock.json" | cut -c1-12))"

run_tf "$ws2" force-unlock.log force-unlock -force "$lock_id"
grep -q "successfully unlocked" "$work/force-unlock.log" || { cat "$work/force-unlock.log" >&2; fail "force-unlock did not report success"; }
still=$(admin -d "$db" -At -c "$lock_row")
if [ -n "$still" ]; then
  note "force-unlock $lock_id exited 0 ('successfully unlocked') but the advisory lock is still held by backend $still: for pg it only releases locks of its own session (a no-op here); the holder's session must end"
else
  note "force-unlock released the advisory lock"
fi
# Release as a crashed or stuck terraform would: end the holding session
# (allowed for the same role, no superuser needed).
[ "$(role_psql -At -c "SELECT pg_terminate_backend($holder_backend)")" = t ] || fail "could not end backend $holder_backend"
wait "$holder_pid" 2>/dev/null || true
holder_pid=""
[ -z "$(admin -d "$db" -At -c "$lock_row")" ] || fail "the advisory lock is still held after its session ended"
serial_before=$(jq .serial "$work/after-lock.json")
run_tf "$ws2" unlocked-apply.log apply -auto-approve -input=false -lock-timeout=0s -replace="$null_addr"
snapshot "$work/after-unlock.json"
serial_after=$(jq .serial "$work/after-unlock.json")
[ "$serial_after" -gt "$serial_before" ] || fail "the apply after unlocking did not write the state (serial $serial_before -> $serial_after)"
run_tf "$ws1" list1b.log state list
cmp -s "$work/list1.log" "$work/list1b.log" || fail "checkout 1 lists other addresses after checkout 2's apply"
ok "after pg_terminate_backend($holder_backend) the same apply succeeds (serial $serial_before -> $serial_after), checkout 1 sees it"

# --- 6. migrating a local state into pg --------------------------------------
admin -d postgres -c "GRANT CONNECT, CREATE ON DATABASE ${db}_migrate TO $role"
admin -d "${db}_migrate" -c "GRANT USAGE, CREATE ON SCHEMA public TO $role"
mig=$work/mig
make_checkout "$mig" '{"local": {"path": "terraform.tfstate"}}'
run_tf "$mig" mig-init.log init -input=false
run_tf "$mig" mig-apply.log apply -auto-approve -input=false
run_tf "$mig" mig-list-local.log state list
jq --arg s "$schema" '.terraform.backend = {pg: {schema_name: $s}}' "$mig/cdk.tf.json" >"$mig/cdk.tf.json.new"
mv "$mig/cdk.tf.json.new" "$mig/cdk.tf.json"
mig_conn="postgres://$role:$password@127.0.0.1:$port/${db}_migrate?sslmode=disable"
CONN=$mig_conn run_tf "$mig" mig-migrate.log init -migrate-state -force-copy -input=false
CONN=$mig_conn run_tf "$mig" mig-list-pg.log state list
cmp -s "$work/mig-list-local.log" "$work/mig-list-pg.log" || fail "after -migrate-state, pg lists other addresses than the local state"
PSQL_DB=${db}_migrate role_psql -At -c "$state_sql" >"$work/migrated.json"
# Terraform writes check_results in no fixed order (a precondition's and a check block's): compared sorted.
same_state='del(.serial, .lineage) | .check_results |= (if . == null then . else sort_by(.config_addr) end)'
[ "$(jq -S "$same_state" "$mig/terraform.tfstate")" = "$(jq -S "$same_state" "$work/migrated.json")" ] ||
  fail "the migrated state's content differs from the local file's"
lineage_note="lineage kept"
[ "$(jq -r .lineage "$mig/terraform.tfstate")" = "$(jq -r .lineage "$work/migrated.json")" ] ||
  lineage_note="new lineage and serial $(jq .serial "$work/migrated.json") in pg (local had serial $(jq .serial "$mig/terraform.tfstate"))"
CONN=$mig_conn TF_OK="0 2" run_tf "$mig" mig-replan.log plan -detailed-exitcode -input=false
grep -q "0 to add, 0 to change, 0 to destroy" "$work/mig-replan.log" || fail "plan after migration proposes changes"
[ -f "$mig/terraform.tfstate" ] && local_left="the local terraform.tfstate is left in place (delete it)" || local_left="local file removed"
ok "init -migrate-state -force-copy: local -> pg ${db}_migrate.$schema, same $(wc -l <"$work/mig-list-pg.log") addresses and resources; $lineage_note; $local_left"

echo "ok   the pg backend, proven on 127.0.0.1:$port in $(($(date +%s) - started)) s"
