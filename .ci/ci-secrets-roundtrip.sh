#!/usr/bin/env bash
# .ci/ci-secrets-roundtrip.sh
#
# Proves `npm run secrets -- export|adopt` against real local state, with the
# real terraform and the talos provider's import as
# ../shared/tools/terraform-offline models it (a secrets bundle read into
# state, talos_version v1.3), offline:
#   1. the reference homelab is synthesized and applied with real local state
#      (tf.sh). The stand-in stores placeholders for the machine secrets (one
#      "fake-cert" for every CA, and both encryption secrets, which the real
#      provider never writes), so the state is given distinct secrets of the
#      real provider's shape first (terraform state pull | jq | state push);
#   2. export writes the bundle: mode 0600, the contract v1.13 noted;
#   3. a fresh copy of the same stack (configContract unset): adopt refuses and
#      imports nothing, saying to add configContract: v1.13;
#   4. a fresh copy of the stack with configContract: v1.13: adopt runs
#      terraform import, the state holds the import's talos_version v1.3, and
#      export again writes a bundle byte-identical to the first; a second
#      adopt into that state is refused;
#   5. the adopted state's plan creates, replaces and changes no machine secrets.
# The CLI runs tf.sh as its `terraform` (a shim first on PATH). Copies lose
# their provisioners (.ci/offline-stack-copy.sh). Nothing leaves the machine;
# the temp folder is removed on exit.
#
# Environment: TF_OFFLINE_SH  tf.sh to use (default: ../shared beside the repo)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/offline-terraform-common.sh" ci-secrets-roundtrip

real_terraform=$(command -v terraform) || fail "terraform is not on PATH"

mkdir -p "$work/bin"
unset HOMELAB_CONFIG

# The CLI's `terraform`: tf.sh, running the real binary.
printf '#!/bin/sh\nTERRAFORM=%q exec %q "$@"\n' "$real_terraform" "$tf" >"$work/bin/terraform"
chmod +x "$work/bin/terraform"

# synth NAME [CONFIG]: synthesizes into $work/NAME-out.
synth() {
  local name=$1
  if [ $# -gt 1 ]; then
    HOMELAB_CONFIG=$2 CDKTF_OUTDIR="$work/$name-out" npm run --prefix "$root" --silent synth >"$work/$name-synth.log" 2>&1 ||
      { cat "$work/$name-synth.log" >&2; fail "$name: npm run synth failed"; }
  else
    CDKTF_OUTDIR="$work/$name-out" npm run --prefix "$root" --silent synth >"$work/$name-synth.log" 2>&1 ||
      { cat "$work/$name-synth.log" >&2; fail "$name: npm run synth failed"; }
  fi
}

# checkout NAME OUT: a project folder $work/NAME whose stack homelab is a copy of OUT's, with local state $work/NAME.tfstate, initialised.
checkout() {
  local name=$1 out=$2 stack=$work/$1/cdktf.out/stacks/homelab
  "$root/.ci/offline-stack-copy.sh" "$work/$out-out/stacks/homelab" "$stack" "$work/$name.tfstate" >/dev/null
  (cd "$stack" && "$tf" init -no-color -input=false) >"$work/$name-init.log" 2>&1 ||
    { cat "$work/$name-init.log" >&2; fail "$name: terraform init failed"; }
}

# secrets NAME ARGS...: npm run secrets in project $work/NAME, with tf.sh as terraform; output in $work/NAME-secrets.log.
secrets() {
  local name=$1
  shift
  PATH="$work/bin:$PATH" npm run --prefix "$root" --silent secrets -- --project "$work/$name" "$@" >"$work/$name-secrets.log" 2>&1
}

secrets_in_state() { # STATE_FILE: the machine secrets' resources in it, as JSON
  jq -c '[.resources[]? | select(.type == "talos_machine_secrets")]' "$1"
}

# 1. the cluster, applied; then secrets of the real provider's shape in its state
synth reference
checkout first reference
first=$work/first/cdktf.out/stacks/homelab
(cd "$first" && "$tf" apply -auto-approve -no-color -input=false) >"$work/first-apply.log" 2>&1 ||
  { cat "$work/first-apply.log" >&2; fail "applying the reference homelab failed"; }
value() { head -c "${1:-48}" /dev/urandom | base64 -w0; }
(cd "$first" && "$tf" state pull) >"$work/pulled.json"
jq --arg cid "$(value 32 | tr '+/' '-_')" --arg cs "$(value 32)" --arg sb "$(value 32)" \
  --arg bt "$(LC_ALL=C tr -dc 'a-z0-9' </dev/urandom | head -c 6).$(LC_ALL=C tr -dc 'a-z0-9' </dev/urandom | head -c 16)" \
  --arg tt "$(LC_ALL=C tr -dc 'a-z0-9' </dev/urandom | head -c 6).$(LC_ALL=C tr -dc 'a-z0-9' </dev/urandom | head -c 16)" \
  --arg ec "$(value)" --arg ek "$(value)" --arg kc "$(value)" --arg kk "$(value)" --arg ac "$(value)" --arg ak "$(value)" \
  --arg sa "$(value)" --arg oc "$(value)" --arg ok "$(value)" '
  .serial += 1
  | (.resources[] | select(.type == "talos_machine_secrets") | .instances[0].attributes.machine_secrets) = {
      cluster: {id: $cid, secret: $cs},
      secrets: {bootstrap_token: $bt, secretbox_encryption_secret: $sb, aescbc_encryption_secret: null},
      trustdinfo: {token: $tt},
      certs: {etcd: {cert: $ec, key: $ek}, k8s: {cert: $kc, key: $kk}, k8s_aggregator: {cert: $ac, key: $ak},
              k8s_serviceaccount: {key: $sa}, os: {cert: $oc, key: $ok}}
    }' "$work/pulled.json" >"$work/seeded.json"
(cd "$first" && "$tf" state push "$work/seeded.json") >"$work/push.log" 2>&1 || { cat "$work/push.log" >&2; fail "terraform state push failed"; }
rm -f "$work/pulled.json" "$work/seeded.json"
[ "$(jq -r '[.resources[] | select(.type == "talos_machine_secrets") | .instances[0].attributes.talos_version][0]' "$work/first.tfstate")" = v1.13 ] ||
  fail "the applied state's machine secrets do not hold talos_version v1.13"
ok "the reference homelab applied with real local state; its machine secrets: distinct values of the real provider's shape, talos_version v1.13"

# 2. export
bundle1=$work/exported/first.yaml
mkdir -p "$work/exported"
secrets first export --out "$bundle1" || { cat "$work/first-secrets.log" >&2; fail "npm run secrets -- export failed"; }
[ "$(stat -c %a "$bundle1")" = 600 ] || fail "the exported bundle has mode $(stat -c %a "$bundle1"), expected 600"
[ "$(sed -n 2p "$bundle1")" = "# configContract: v1.13" ] || fail "the exported bundle does not note configContract: v1.13 on its second line"
grep -q "WARNING: this file is the cluster's whole PKI" "$work/first-secrets.log" || fail "export printed no warning"
for value in $(jq -r '.resources[] | select(.type == "talos_machine_secrets") | .instances[0].attributes.machine_secrets | .. | strings' "$work/first.tfstate"); do
  grep -qF -- "$value" "$bundle1" || fail "a machine secret of the state is missing from the bundle"
  ! grep -qF -- "$value" "$work/first-secrets.log" || fail "export printed a secret value"
done
ok "export: $(grep -c . "$bundle1") lines, mode 0600, contract v1.13 noted, every secret of the state in it, none printed"

# 3. a fresh state of the same stack (configContract unset): refused, nothing imported
checkout unpinned reference
status=0
secrets unpinned adopt "$bundle1" || status=$?
[ "$status" = 1 ] || { cat "$work/unpinned-secrets.log" >&2; fail "adopt with configContract unset exited $status, expected 1"; }
grep -qF "configContract: v1.13" "$work/unpinned-secrets.log" || { cat "$work/unpinned-secrets.log" >&2; fail "the refusal does not say to add configContract: v1.13"; }
! grep -q "terraform import" "$work/unpinned-secrets.log" || fail "adopt ran terraform import although it refused"
[ ! -s "$work/unpinned.tfstate" ] || [ "$(secrets_in_state "$work/unpinned.tfstate")" = "[]" ] || fail "the refused adopt left machine secrets in the state"
ok "adopt into a fresh state with configContract unset: refused, nothing imported, 'add the line configContract: v1.13'"

# 4. with configContract pinned: adopted by terraform import; exported again, the same bytes
echo "configContract: v1.13" >"$work/pinned.yaml"
synth pinned "$work/pinned.yaml"
checkout second pinned
HOMELAB_CONFIG=$work/pinned.yaml secrets second adopt "$bundle1" || { cat "$work/second-secrets.log" >&2; fail "adopt with configContract: v1.13 failed"; }
grep -q "Import successful" "$work/second-secrets.log" || { cat "$work/second-secrets.log" >&2; fail "adopt did not run terraform import"; }
imported=$(jq -r '[.resources[] | select(.type == "talos_machine_secrets") | .instances[0].attributes.talos_version][0]' "$work/second.tfstate")
[ "$imported" = v1.3 ] || fail "the imported machine secrets hold talos_version $imported, expected the import's v1.3"
bundle2=$work/exported/second.yaml
secrets second export --out "$bundle2" || { cat "$work/second-secrets.log" >&2; fail "export from the adopted state failed"; }
cmp -s "$bundle1" "$bundle2" || { diff <(sed 's/: .*/: .../' "$bundle1") <(sed 's/: .*/: .../' "$bundle2") >&2 || true; fail "the bundle exported from the adopted state differs from the first"; }
status=0
secrets second adopt "$bundle1" || status=$?
[ "$status" = 1 ] && grep -q "already holds machine secrets" "$work/second-secrets.log" || { cat "$work/second-secrets.log" >&2; fail "a second adopt into the adopted state was not refused"; }
ok "adopt with configContract: v1.13: terraform import (talos_version v1.3 in the state); exported again: byte-identical ($(wc -c <"$bundle2") bytes); a second adopt is refused"

# 5. the adopted state's plan: the machine secrets stay as they are
second=$work/second/cdktf.out/stacks/homelab
(cd "$second" && "$tf" plan -no-color -input=false -out="$work/second.plan") >"$work/second-plan.log" 2>&1 ||
  { cat "$work/second-plan.log" >&2; fail "the plan of the adopted state failed"; }
actions=$(cd "$second" && "$tf" show -json "$work/second.plan" | jq -c '[.resource_changes[] | select(.type == "talos_machine_secrets") | .change.actions]')
[ "$actions" = '[["no-op"]]' ] || fail "the adopted state's plan has machine secrets changes $actions, expected [[\"no-op\"]]"
ok "the adopted state's plan leaves the machine secrets alone (no-op); the rest of the stack, not in this state yet, is created: $(grep -E '^Plan:' "$work/second-plan.log")"
