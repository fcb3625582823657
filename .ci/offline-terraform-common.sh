# Sourced by the .ci/ci-*.sh proofs that run Terraform offline with real state
# (../shared/tools/terraform-offline/tf.sh), as their first step:
#   source "$(dirname "${BASH_SOURCE[0]}")/offline-terraform-common.sh" NAME
# It defines fail and ok, sets root (the repository), tf (tf.sh, absolute:
# TF_OFFLINE_SH or ../shared beside the repository) and work (a temporary
# folder NAME.XXXXXX, removed on exit, also on interrupt, with TMPDIR inside
# it so tf.sh's provider mirror goes too), and needs jq.

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() { echo "ok   $*"; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tf=${TF_OFFLINE_SH:-$root/../shared/tools/terraform-offline/tf.sh}
[ -x "$tf" ] || fail "no terraform-offline tool at $tf (set TF_OFFLINE_SH)"
tf=$(cd "$(dirname "$tf")" && pwd)/$(basename "$tf")
command -v jq >/dev/null 2>&1 || fail "jq is not on PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$work/tmp"
export TMPDIR=$work/tmp TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
