#!/usr/bin/env bash
# .ci/ci-moved-types.sh [BASE_REV]
#
# Proves with Terraform's own planner, offline, that a state written by the
# commit before the move to bpg/proxmox's short type names (BASE_REV, default
# the pinned 11726d6) moves to this checkout's stack and nothing is replaced:
#   1. the base revision's stack is synthesized the way `npm run review -- --base`
#      synthesizes it (scripts/synth-revision.ts: the revision extracted to a
#      temporary folder, HOMELAB_CONFIG as it was then), and applied with real
#      local state (../shared/tools/terraform-offline/tf.sh init, apply);
#   2. this checkout's stack (npm run synth) is planned against that state;
#   3. the plan must say, for every resource of the three long-named kinds in
#      the state (proxmox_virtual_environment_download_file, _haresource,
#      _hagroup), "<old address> has moved to <short address>" (same name part),
#      add 0 and destroy 0, and carry no deprecation: no "deprecat" in
#      terraform's output, and no resource type of the configuration that the
#      provider schema marks deprecated (the stand-in providers print no
#      warning for a deprecated type, as bpg's framework code does; that the
#      schema check finds the base's deprecated types is asserted too, so it
#      can fail).
# For the reference homelab, examples/proxmox-cluster-ha.yaml (HA resources and
# a pve9 rule), and that file with `rules: pve8` (HA groups), written to the
# temp folder. Copies lose their provisioners (.ci/offline-stack-copy.sh).
# Nothing leaves the machine; the temp folder (states, copies, tf.sh's provider
# mirror unless TF_OFFLINE_MIRROR points elsewhere) is removed on exit.
#
# Environment: TF_OFFLINE_SH  tf.sh to use (default: ../shared beside the repo)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/offline-terraform-common.sh" ci-moved-types

[ $# -le 1 ] || { echo "usage: $0 [BASE_REV]" >&2; exit 2; }
# The last commit with the long type names: pinned, so the proof keeps its meaning as main moves on.
base=$(git -C "$root" rev-parse --verify --quiet "${1:-11726d6c41f6fe65a35cb3591406658d2c89d9cb}^{commit}") ||
  fail "${1:-11726d6c41f6} is not a commit of this repository (a shallow clone? fetch it)"

# The long names and their short names (domain/proxmox-type-names.ts).
long_types='["proxmox_virtual_environment_download_file","proxmox_virtual_environment_haresource","proxmox_virtual_environment_hagroup"]'
short_of() { sed -E 's/^proxmox_virtual_environment_/proxmox_/' <<<"$1"; }

# run_tf DIR LOG ARGS...: tf.sh in DIR; prints its log on an unexpected status.
# Sets $status; statuses in $TF_OK (default "0") count as success.
run_tf() {
  local dir=$1 log=$2
  shift 2
  status=0
  (cd "$dir" && "$tf" "$@") >"$log" 2>&1 || status=$?
  if [[ " ${TF_OK:-0} " != *" $status "* ]]; then
    cat "$log" >&2
    fail "terraform $* in $dir exited $status (output above)"
  fi
}

# the_stack OUTDIR: the one stack folder a synth wrote.
the_stack() {
  local dirs=("$1"/stacks/*/)
  [ ${#dirs[@]} = 1 ] && [ -f "${dirs[0]}cdk.tf.json" ] || fail "expected one stack in $1, found: ${dirs[*]}"
  echo "${dirs[0]%/}"
}

# Deprecated resource types of the configuration in DIR (initialised), by the provider schemas.
deprecated_types() {
  local dir=$1
  (cd "$dir" && "$tf" providers schema -json) >"$dir/../schema.json"
  jq -r --slurpfile schema "$dir/../schema.json" '
    ($schema[0].provider_schemas | [.[].resource_schemas | to_entries[] | select(.value.block.deprecated == true) | .key]) as $deprecated
    | [.resource // {} | keys[] | select(. as $t | $deprecated | index($t))] | join(" ")
  ' "$dir/cdk.tf.json"
}

# prove NAME [HOMELAB_CONFIG] [MIN_KINDS] [NEW_BY_DESIGN]: the proof for one configuration.
# NEW_BY_DESIGN, an extended regex of addresses, names what a later commit adds on
# purpose (the workers' HA homes, 4b05ff3): those may be created, nothing else.
prove() {
  local name=$1 config=${2:-} want_kinds=${3:-} new_by_design=${4:-}
  local dir=$work/$name
  mkdir -p "$dir"
  echo "-- $name${config:+ ($config)}, state from ${base:0:12}"

  # 1. the base revision, applied
  node --import tsx "$root/scripts/synth-revision.ts" "$base" "$dir/old-out" ${config:+"$config"} >"$dir/synth-old.log" 2>&1 ||
    { cat "$dir/synth-old.log" >&2; fail "$name: synthesizing ${base:0:12} failed"; }
  "$root/.ci/offline-stack-copy.sh" "$(the_stack "$dir/old-out")" "$dir/old" "$dir/terraform.tfstate" >/dev/null
  run_tf "$dir/old" "$dir/old-init.log" init -no-color -input=false
  run_tf "$dir/old" "$dir/old-apply.log" apply -auto-approve -no-color -input=false
  local old_addresses kinds
  old_addresses=$(cd "$dir/old" && "$tf" state list | jq -R -r --argjson long "$long_types" 'select(split(".")[0] as $t | $long | index($t))' | sort)
  [ -n "$old_addresses" ] || fail "$name: the applied state of ${base:0:12} has no resource of a long-named type"
  kinds=$(cut -d. -f1 <<<"$old_addresses" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
  ok "$name: ${base:0:12} applied; its state holds $kinds"
  for kind in $want_kinds; do
    grep -q "^$kind\." <<<"$old_addresses" || fail "$name: expected the old state to hold $kind resources (kinds: $kinds)"
  done
  # The deprecation check can fail: it finds the base's deprecated types.
  local old_deprecated
  old_deprecated=$(deprecated_types "$dir/old")
  [ -n "$old_deprecated" ] || fail "$name: the deprecation check finds no deprecated type even in ${base:0:12}'s stack; it proves nothing"

  # 2. this checkout's stack, planned against that state
  if [ -n "$config" ]; then
    HOMELAB_CONFIG=$config CDKTF_OUTDIR="$dir/new-out" npm run --prefix "$root" --silent synth >"$dir/synth-new.log" 2>&1
  else
    (unset HOMELAB_CONFIG; CDKTF_OUTDIR="$dir/new-out" npm run --prefix "$root" --silent synth) >"$dir/synth-new.log" 2>&1
  fi || { cat "$dir/synth-new.log" >&2; fail "$name: npm run synth failed"; }
  "$root/.ci/offline-stack-copy.sh" "$(the_stack "$dir/new-out")" "$dir/new" "$dir/terraform.tfstate" >/dev/null
  run_tf "$dir/new" "$dir/new-init.log" init -no-color -input=false
  TF_OK="0 2" run_tf "$dir/new" "$dir/plan.log" plan -detailed-exitcode -no-color -input=false -out="$dir/plan.bin"
  (cd "$dir/new" && "$tf" show -json "$dir/plan.bin") >"$dir/plan.json"

  # 3. what the plan says
  # Terraform words a move alone "# <old> has moved to <new>", and a move that also
  # changes the resource "# <new> will be updated in-place" then "# (moved from <old>)".
  local address short missing="" also_changed="" count=0
  while read -r address; do
    short=$(short_of "$address")
    if grep -qF "# $address has moved to $short" "$dir/plan.log"; then
      :
    elif grep -B1 -F "# (moved from $address)" "$dir/plan.log" | grep -qF "# $short "; then
      also_changed+=" $short"
    else
      missing+=" $address"
    fi
    count=$((count + 1))
  done <<<"$old_addresses"
  [ -z "$missing" ] || { cat "$dir/plan.log" >&2; fail "$name: the plan does not say these have moved to their short names:$missing"; }
  local moved_json
  moved_json=$(jq --argjson long "$long_types" '[.resource_changes[] | select(.previous_address != null and (.previous_address | split(".")[0]) as $t | $long | index($t))] | length' "$dir/plan.json")
  [ "$moved_json" = "$count" ] || fail "$name: the plan's JSON moves $moved_json resources from long names, the state holds $count"
  ok "$name: every one of the $count long-named addresses \"has moved to\" its short name (e.g. $(head -1 <<<"$old_addresses") -> $(short_of "$(head -1 <<<"$old_addresses")"))${also_changed:+; also updated in place, by other changes of this stack:$also_changed}"

  local plan_line added destroyed changed designed=""
  plan_line=$(grep -E '^(Plan:|No changes\.)' "$dir/plan.log" | head -1)
  if [ -n "$new_by_design" ]; then
    designed=$(jq -r --arg re "$new_by_design" '[.resource_changes[] | select(.change.actions == ["create"] and (.address | test($re))) | .address] | join(", ")' "$dir/plan.json")
    [ -n "$designed" ] || fail "$name: expected the plan to create what matches $new_by_design, and it creates none of it"
  fi
  added=$(jq --arg re "${new_by_design:-^$}" '[.resource_changes[] | select((.change.actions | index("create")) and ((.change.actions == ["create"] and (.address | test($re))) | not))] | length' "$dir/plan.json")
  destroyed=$(jq '[.resource_changes[] | select(.change.actions | index("delete"))] | length' "$dir/plan.json")
  if [ "$added" != 0 ] || [ "$destroyed" != 0 ]; then
    jq -r '.resource_changes[] | select(.change.actions | index("create") or index("delete")) | "  \(.address): \(.change.actions | join("+")) \(.action_reason // "")"' "$dir/plan.json" >&2
    fail "$name: the plan adds $added and destroys $destroyed (above; terraform: ${plan_line:-no summary line})"
  fi
  changed=$(jq -r '[.resource_changes[] | select(.change.actions == ["update"]) | .address] | join(", ")' "$dir/plan.json")
  local adds=0
  [ -z "$designed" ] || adds="nothing but the HA homes of the workers, new by design ($designed)"
  ok "$name: adds $adds, destroys 0 (terraform: ${plan_line:-no summary line}${changed:+; updated in place: $changed})"

  if grep -qi 'deprecat' "$dir/new-init.log" "$dir/plan.log"; then
    grep -i -B2 -A4 'deprecat' "$dir/new-init.log" "$dir/plan.log" >&2
    fail "$name: terraform printed a deprecation warning (above)"
  fi
  local new_deprecated
  new_deprecated=$(deprecated_types "$dir/new")
  [ -z "$new_deprecated" ] || fail "$name: the stack still uses resource types the provider schema deprecates: $new_deprecated"
  ok "$name: no deprecation: none printed, and no deprecated type left (${base:0:12} used: $old_deprecated)"
}

# Proxmox VE 8 HA groups: the same file with rules: pve8, outside the repository (it serves both sides as it is).
pve8=$work/proxmox-cluster-ha-pve8.yaml
sed 's/^\(  rules: \)pve9/\1pve8/' "$root/examples/proxmox-cluster-ha.yaml" >"$pve8"
grep -q '^  rules: pve8' "$pve8" || fail "could not set proxmoxHa.rules to pve8 in a copy of examples/proxmox-cluster-ha.yaml"

# Every case runs (each in a subshell that stops at its first failure), then the verdict.
failed=()
check() { # NAME ARGS...: prove NAME ARGS..., noting a failure
  set +e
  (set -e; prove "$@")
  local rc=$?
  set -e
  [ $rc = 0 ] || failed+=("$1")
}
check reference "" "proxmox_virtual_environment_download_file"
# Every HA VM has a home since 4b05ff3; before, only control planes did: the workers' are new.
worker_homes='^proxmox_(harule\.ControlPlane_ProxmoxHa_Rule-lab-worker[0-9]+-home|hagroup\.ControlPlane_ProxmoxHa_Group-lab-worker[0-9]+)_[0-9A-F]+$'
check proxmox-cluster-ha "$root/examples/proxmox-cluster-ha.yaml" "proxmox_virtual_environment_download_file proxmox_virtual_environment_haresource" "$worker_homes"
check proxmox-cluster-ha-pve8 "$pve8" "proxmox_virtual_environment_download_file proxmox_virtual_environment_haresource proxmox_virtual_environment_hagroup" "$worker_homes"
[ ${#failed[@]} = 0 ] || fail "the move from the long type names is not clean for: ${failed[*]} (above)"
