#!/usr/bin/env bash
# .ci/ci-offline-terraform.sh STACK_DIR [NODE]
#
# Proves with Terraform's own planner, offline, on a synthesized homelab stack
# (STACK_DIR holds cdk.tf.json), that:
#   - replacing NODE's VM (default k8s-controller2) replaces that node's
#     talos_machine_configuration_apply through lifecycle.replace_triggered_by,
#     runs the first deploy's wait again, and touches nothing of the other nodes;
#   - after a first apply a plain re-plan changes no resource;
#   - the health check is a `check` block whose scoped talos_cluster_health data
#     source (60 s read timeout, after the VIP gate) still lets a plan succeed,
#     and no talos_cluster_health data source exists outside the check.
#
# It runs ../shared/tools/terraform-offline/tf.sh (the real terraform, stand-in
# providers serving the real schemas, real local state) in a throwaway copy of
# the stack: provisioners removed (they would run for real and reach the LAN),
# the backend replaced by a local one in the temp folder. Nothing leaves the
# machine. The temp folder, including the provider mirror tf.sh builds (unless
# TF_OFFLINE_MIRROR points elsewhere), is removed on exit, also on failure.
#
# Environment: TF_OFFLINE_SH  tf.sh to use (default: ../shared beside the repo)
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { echo "ok   $*"; }

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 STACK_DIR [NODE]" >&2; exit 2; }
stack=$1
node=${2:-k8s-controller2}
[ -f "$stack/cdk.tf.json" ] || fail "no cdk.tf.json in $stack"
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tf=${TF_OFFLINE_SH:-$root/../shared/tools/terraform-offline/tf.sh}
[ -x "$tf" ] || fail "no terraform-offline tool at $tf (set TF_OFFLINE_SH)"
command -v jq >/dev/null 2>&1 || fail "jq is not on PATH"
config=$(cd "$stack" && pwd)/cdk.tf.json

work=$(mktemp -d "${TMPDIR:-/tmp}/ci-offline-terraform.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/stack" "$work/tmp"
export TMPDIR=$work/tmp TF_IN_AUTOMATION=1 # tf.sh's mirror and rc files land in $work too

# run_tf LOG ARGS...: run tf.sh in the copy; print its log on an unexpected status.
# Sets $status; statuses in $TF_OK (default "0") count as success.
run_tf() {
  local log=$work/$1
  shift
  status=0
  (cd "$work/stack" && "$tf" "$@" -no-color -input=false) >"$log" 2>&1 || status=$?
  if [[ " ${TF_OK:-0} " != *" $status "* ]]; then
    cat "$log" >&2
    fail "terraform $* exited $status (output above)"
  fi
}
show_json() { (cd "$work/stack" && "$tf" show -json -no-color "$1") >"$1.json"; }

# --- Addresses, from the synthesized configuration ---------------------------
hash='_[0-9A-Fa-f]{8}$'
vm_names=$(jq -r '.resource.proxmox_virtual_environment_vm // {} | keys[]' "$config")
apply_names=$(jq -r '.resource.talos_machine_configuration_apply // {} | keys[]' "$config")
node_of() { sed -E "s/^.*_Nodes_(.+)_(Vm|ConfigApply)$hash/\1/" <<<"$1"; }
declare -A vm_of=() apply_of=()
for name in $vm_names; do vm_of[$(node_of "$name")]=proxmox_virtual_environment_vm.$name; done
for name in $apply_names; do apply_of[$(node_of "$name")]=talos_machine_configuration_apply.$name; done
[ ${#vm_of[@]} -ge 2 ] || fail "expected VMs named *_Nodes_<node>_Vm_<hash> in $config, found: ${vm_names:-none}"
[ -n "${vm_of[$node]:-}" ] && [ -n "${apply_of[$node]:-}" ] ||
  fail "no VM and config apply for node $node in $config (nodes: ${!vm_of[*]})"

# --- Static facts of the configuration --------------------------------------
for n in $(printf '%s\n' "${!vm_of[@]}" | sort); do
  [ -n "${apply_of[$n]:-}" ] || fail "node $n has a VM but no talos_machine_configuration_apply"
  got=$(jq -c --arg a "${apply_of[$n]#*.}" '.resource.talos_machine_configuration_apply[$a].lifecycle.replace_triggered_by' "$config")
  want=$(jq -cn --arg v "${vm_of[$n]}.id" '[$v]')
  [ "$got" = "$want" ] || fail "${apply_of[$n]}: lifecycle.replace_triggered_by is $got, expected $want"
done
ok "each config apply has replace_triggered_by = [its own node's VM .id] (${#vm_of[@]} nodes)"
[ "$(jq '.data.talos_cluster_health // {} | length' "$config")" = 0 ] ||
  fail "a top-level data.talos_cluster_health exists; the health check belongs in a check block only"
health_checks=$(jq -r '.check // {} | to_entries[] | select(.value.data.talos_cluster_health) | .key' "$config")
[ "$(wc -w <<<"$health_checks")" = 1 ] || fail "expected one check block with a scoped talos_cluster_health, found: ${health_checks:-none}"
health_data=$(jq -r --arg c "$health_checks" '.check[$c].data.talos_cluster_health | keys[]' "$config")
[ "$(wc -w <<<"$health_data")" = 1 ] || fail "check.$health_checks: expected one talos_cluster_health, found: $health_data"
ok "no top-level talos_cluster_health; check.$health_checks scopes data.talos_cluster_health.$health_data"

# --- The throwaway copy -----------------------------------------------------
# Provisioners go (the null_resource stays: it is the gate the health check
# waits on), and outputs the stand-ins cannot evaluate (.ci/offline-stack-copy.sh).
"$root/.ci/offline-stack-copy.sh" "$stack" "$work/stack" "$work/terraform.tfstate"

# --- init, apply, re-plan ---------------------------------------------------
run_tf init.log init
run_tf apply.log apply -auto-approve
ok "terraform init and apply with the stand-in providers (local state in the temp folder)"

TF_OK="0 2" run_tf replan.log plan -detailed-exitcode -out="$work/replan.plan"
show_json "$work/replan.plan"
replan=$work/replan.plan.json
changed=$(jq -r '[.resource_changes[] | select(.mode == "managed" and .change.actions != ["no-op"]) | "\(.address) \(.change.actions | join("+"))"] | join(", ")' "$replan")
[ -z "$changed" ] || fail "a plain re-plan after apply changes resources: $changed"
reads=$(jq -r '[.resource_changes[] | select(.mode == "data" and .change.actions != ["no-op"]) | .address] | join(", ")' "$replan")
ok "plain re-plan after apply: no resource changes (exit $status${reads:+; data reads at apply: $reads})"

# --- Health behaviour -------------------------------------------------------
check_status=$(jq -r --arg c "check.$health_checks" '[.checks[]? | select(.address.to_display == $c) | .status] | first // empty' "$replan")
[ -n "$check_status" ] || fail "the re-plan's checks do not list check.$health_checks: $(jq -c '[.checks[]?.address.to_display]' "$replan")"
ok "re-plan succeeds (exit $status) and reports check.$health_checks, status $check_status"
health_config=$(jq -c '[.configuration.root_module.resources[] | select(.type == "talos_cluster_health")]' "$replan")
[ "$(jq 'length' <<<"$health_config")" = 1 ] ||
  fail "expected one talos_cluster_health in the plan's configuration, found $(jq -c 'map(.address)' <<<"$health_config")"
reason=$(jq -r --arg a "data.talos_cluster_health.$health_data" '[.resource_changes[] | select(.address == $a) | .action_reason // "none"] | first // "absent"' "$replan")
[ "$reason" = read_because_check_nested ] ||
  fail "terraform does not treat data.talos_cluster_health.$health_data as nested in a check (action_reason: $reason)"
ok "the only talos_cluster_health data source is the check's (terraform: $reason)"
timeout=$(jq -r '.[0].expressions.timeouts.constant_value.read // "unset"' <<<"$health_config")
gates=$(jq -r '[.[0].depends_on[]? | select(startswith("null_resource."))] | join(", ")' <<<"$health_config")
[ "$timeout" = 60s ] || fail "data.talos_cluster_health.$health_data: timeouts.read is $timeout, expected 60s"
[ -n "$gates" ] || fail "data.talos_cluster_health.$health_data does not depend on the null_resource gate"
ok "the check's data source reads with timeouts.read = $timeout, after $gates"

# --- Replacement trigger ----------------------------------------------------
target=${vm_of[$node]}
TF_OK="0 2" run_tf replace.log plan -detailed-exitcode -replace="$target" -out="$work/replace.plan"
show_json "$work/replace.plan"
replaced=$(jq -r '[.resource_changes[] | select(.change.actions == ["delete","create"] or .change.actions == ["create","delete"]) | .address] | sort | join(" ")' "$work/replace.plan.json")
want=$(printf '%s\n' "$target" "${apply_of[$node]}" | sort | paste -sd' ' -)
[ "$replaced" = "$want" ] ||
  fail "plan -replace=$target replaces [$replaced], expected exactly [$want]"
reasons=$(jq -r --arg v "$target" --arg a "${apply_of[$node]}" '[.resource_changes[] | select(.address == $v or .address == $a) | "\(.type) \(.change.actions | join("+")) (\(.action_reason))"] | join(", ")' "$work/replace.plan.json")
ok "plan -replace of $node's VM replaces exactly $node's VM and config apply: $reasons"
# The first deploy's wait has the VMs' ids among its triggers, so it runs again once the
# re-created node is back (hashicorp/null replaces on a trigger change; the stand-in plans
# an update, as it applies no provider's replace rules).
gate_change=$(jq -r '[.resource_changes[] | select(.type == "null_resource") | .change.actions | join("+")] | join(", ")' "$work/replace.plan.json")
[ "$gate_change" = update ] || [ "$gate_change" = "delete+create" ] || [ "$gate_change" = "create+delete" ] ||
  fail "plan -replace=$target leaves the first deploy's wait (null_resource) at [$gate_change]; it should run again"
ok "the first deploy's wait runs again for the re-created node (planned: $gate_change)"
others=$(jq -r --arg v "$target" --arg a "${apply_of[$node]}" '[.resource_changes[] | select(.mode == "managed" and .address != $v and .address != $a and .type != "null_resource" and .change.actions != ["no-op"]) | "\(.address) \(.change.actions | join("+"))"] | join(", ")' "$work/replace.plan.json")
[ -z "$others" ] || fail "plan -replace=$target also changes: $others"
ok "every other resource (other nodes' VMs and config applies, bootstrap) is a no-op"
