#!/usr/bin/env bash
# .ci/offline-stack-copy.sh STACK_DIR COPY_DIR STATE_FILE
#
# Writes a throwaway copy of a synthesized stack (STACK_DIR holds cdk.tf.json)
# into COPY_DIR, for ../shared/tools/terraform-offline/tf.sh to init, apply and
# plan with real state:
#   - provisioners removed: Terraform runs a local-exec for real, and these
#     reach the LAN (tf.sh refuses a configuration that has any);
#   - the backend replaced by a local state at STATE_FILE;
#   - outputs that yamldecode a provider-computed value left out: the stand-ins
#     store "fake-<attr>" strings, on which .clusters etc. cannot work.
# Prints one line saying what it left out. The one way CI makes such a copy
# (.ci/ci-offline-terraform.sh, .ci/ci-moved-types.sh).
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
[ $# -eq 3 ] || { echo "usage: $0 STACK_DIR COPY_DIR STATE_FILE" >&2; exit 2; }
stack=$1 copy=$2 state=$3
config=$stack/cdk.tf.json
[ -f "$config" ] || fail "no cdk.tf.json in $stack"
command -v jq >/dev/null 2>&1 || fail "jq is not on PATH"

mkdir -p "$copy"
cp -R "$stack/." "$copy/"
rm -rf "$copy/.terraform" "$copy/.terraform.lock.hcl" "$copy/"*.tfstate*
dropped=$(jq -r '.output // {} | to_entries[] | select(.value.value | tostring | contains("yamldecode(")) | .key' "$config" | paste -sd, -)
jq --arg state "$state" '
  del(.resource[][].provisioner)
  | .terraform.backend = {local: {path: $state}}
  | if .output then .output |= with_entries(select(.value.value | tostring | contains("yamldecode(") | not)) else . end
' "$config" >"$copy/cdk.tf.json"
! grep -qs '"provisioner"' "$copy/"*.tf.json || fail "the copy still has a provisioner"
echo "     (copy: provisioners and backend removed${dropped:+; outputs the stand-ins cannot evaluate left out: $dropped})"
