#!/usr/bin/env bash
# .ci/ci-contract-upgrade.sh
#
# Proves with Terraform's own planner, offline, that an OS upgrade of a
# cluster created on Talos 1.11 cannot give its nodes patches of the wrong
# form (domain/patch-form.ts):
#   1. examples/talos-1.11.yaml is synthesized and applied with real local
#      state (../shared/tools/terraform-offline/tf.sh): the machine secrets
#      keep the v1.11 contract in the state;
#   2. the same file with talosVersion v1.12.11 (the OS upgrade, configContract
#      unset) is planned against that state: the plan must fail on the
#      precondition of the control planes' machine configuration, naming the
#      v1.11 contract and saying to set configContract: v1.11;
#   3. with configContract: v1.11 added, the plan must succeed, and every node's
#      configuration apply must carry the v1alpha1 hostname form
#      (machine.network.hostname) and no HostnameConfig document.
# Copies lose their provisioners (.ci/offline-stack-copy.sh). Nothing leaves
# the machine; the temp folder is removed on exit.
#
# Environment: TF_OFFLINE_SH  tf.sh to use (default: ../shared beside the repo)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/offline-terraform-common.sh" ci-contract-upgrade

state=$work/terraform.tfstate

# synth NAME CONFIG: synthesizes CONFIG into $work/NAME-out and copies its one stack to $work/NAME.
synth() {
  local name=$1 config=$2
  HOMELAB_CONFIG=$config CDKTF_OUTDIR="$work/$name-out" npm run --prefix "$root" --silent synth >"$work/$name-synth.log" 2>&1 ||
    { cat "$work/$name-synth.log" >&2; fail "$name: npm run synth failed"; }
  "$root/.ci/offline-stack-copy.sh" "$work/$name-out/stacks/homelab" "$work/$name" "$state" >/dev/null
  (cd "$work/$name" && "$tf" init -no-color -input=false) >"$work/$name-init.log" 2>&1 ||
    { cat "$work/$name-init.log" >&2; fail "$name: terraform init failed"; }
}

# 1. the cluster, created on Talos 1.11
created=$work/talos-1.11.yaml
cp "$root/examples/talos-1.11.yaml" "$created"
grep -q '^talosVersion: v1.11' "$created" || fail "examples/talos-1.11.yaml no longer sets talosVersion v1.11.x"
synth created "$created"
(cd "$work/created" && "$tf" apply -auto-approve -no-color -input=false) >"$work/created-apply.log" 2>&1 ||
  { cat "$work/created-apply.log" >&2; fail "applying the Talos 1.11 cluster failed"; }
contract=$(jq -r '[.resources[] | select(.type == "talos_machine_secrets") | .instances[0].attributes.talos_version][0]' "$state")
[ "$contract" = "v1.11" ] || fail "the state's machine secrets hold talos_version $contract, expected v1.11"
ok "a Talos 1.11 cluster applied with real local state; its machine secrets hold the v1.11 contract"

# 2. the OS upgrade alone: refused at plan, with what to set
upgraded=$work/talos-1.12.yaml
sed 's/^talosVersion: v1\.11\.[0-9]*/talosVersion: v1.12.11/' "$created" >"$upgraded"
grep -q '^talosVersion: v1.12.11' "$upgraded" || fail "could not raise talosVersion in a copy of examples/talos-1.11.yaml"
synth upgraded "$upgraded"
status=0
(cd "$work/upgraded" && "$tf" plan -no-color -input=false) >"$work/upgraded-plan.log" 2>&1 || status=$?
[ "$status" = 1 ] || { cat "$work/upgraded-plan.log" >&2; fail "the plan of the OS upgrade exited $status, expected 1 (the precondition)"; }
message=$(tr -s ' \n' ' ' <"$work/upgraded-plan.log")
for expected in "Resource precondition failed" "generated for the Talos v1.11 contract" "Set configContract: v1.11"; do
  grep -qF "$expected" <<<"$message" || { cat "$work/upgraded-plan.log" >&2; fail "the failed plan does not say: $expected"; }
done
ok "the OS upgrade to v1.12.11 with configContract unset stops at plan: 'generated for the Talos v1.11 contract ... Set configContract: v1.11'"

# 3. the OS upgrade with the contract pinned: planned, patches in the v1.11 form
pinned=$work/talos-1.12-pinned.yaml
{ cat "$upgraded"; echo "configContract: v1.11"; } >"$pinned"
synth pinned "$pinned"
(cd "$work/pinned" && "$tf" plan -no-color -input=false -out="$work/pinned.plan") >"$work/pinned-plan.log" 2>&1 ||
  { cat "$work/pinned-plan.log" >&2; fail "the plan of the OS upgrade with configContract v1.11 failed"; }
patches=$(jq -r '.resource.talos_machine_configuration_apply | to_entries[] | .value.config_patches | join("\n---\n")' "$work/pinned/cdk.tf.json")
grep -q 'hostname: k8s-controller' <<<"$patches" || fail "the pinned stack's node patches have no machine.network.hostname"
! grep -q 'kind: HostnameConfig' <<<"$patches" || fail "the pinned stack's node patches hold a HostnameConfig document, which a v1.11 configuration refuses"
ok "with configContract: v1.11 the upgrade plans ($(grep -E '^Plan:|^No changes' "$work/pinned-plan.log" | head -1)); every node patch is in the v1alpha1 form"
