#!/usr/bin/env bash
# `keepalived -t` on every keepalived.conf the stack renders for the fast API
# failover (issue 21): it must exit 0 and print nothing at all. keepalived
# drops a broken setting with only a warning and starts without it (a health
# check without a usable script_user is removed, and fencing with it), so any
# warning fails.
#
# The configs: .ci/render-keepalived-configs.ts (the domain's renderer) for
# examples/fast-failover.yaml when it exists, and for the reference homelab's
# three control planes. Each is checked as the node would run it: in a network
# namespace with a NIC carrying the MAC address the stack gives that node
# (keepalived refuses an interface that does not exist), the placeholder
# replaced by the NIC found by that MAC, and the script user present.
# A control: the same config naming a script user the machine lacks must be
# refused (keepalived drops the health check, and fencing, with a warning).
#
# Root only (network and mount namespaces): run by .ci/run, not by npm test.
# Nothing outlives it: the namespaces die with their processes; the temporary
# folder is removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
. .ci/keepalived-common.sh

fail() { echo "keepalived-config-test: $*" >&2; exit 1; }

if [ "${1:-}" = "--inside" ]; then
  # In fresh network and mount namespaces (see below): one node's check.
  shift
  conf=$1 mac=$2 nic=$3 bind=$4 dir=$5 placeholder=$6
  mount --make-rprivate /
  mount -t sysfs sysfs /sys # this namespace's NICs under /sys/class/net
  if [ "$bind" = bind ]; then
    mount --bind "$dir/passwd" /etc/passwd
    mount --bind "$dir/group" /etc/group
  fi
  ip link set lo up
  ip link add "$nic" address "$mac" type veth peer name peer0 # (dummy NICs need a module that may be missing)
  ip link set "$nic" up
  found=$(find_interface_by_mac "$mac")
  sed "s/$placeholder/$found/g" "$conf" >"$conf.$found"
  rc=0
  out=$(keepalived_config_check "$conf.$found") || rc=$?
  printf '%s\n' "$rc" "$found" "$out"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || fail "must run as root (it creates network and mount namespaces); skipped"
command -v keepalived >/dev/null 2>&1 || fail "needs keepalived (Debian's: apt-get install -y keepalived; .ci/run installs it)"
command -v unshare >/dev/null 2>&1 || fail "needs unshare (util-linux)"
version=$(keepalived --version 2>&1 | sed -n 1p)

work=$(mktemp -d "${TMPDIR:-/tmp}/keepalived-config-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
bind=$(prepare_script_user "$work")

configs=("reference=")
[ -f examples/fast-failover.yaml ] && configs+=("fast-failover=examples/fast-failover.yaml")

checked=0 failures=0
# check NAME CONF MAC NIC EXPECT(ok|refused)
check() {
  local name=$1 conf=$2 mac=$3 nic=$4 expect=$5 result rc found out
  result=$(unshare --net --mount --fork bash "$0" --inside "$conf" "$mac" "$nic" "$bind" "$work" "$PLACEHOLDER")
  rc=$(sed -n 1p <<<"$result") found=$(sed -n 2p <<<"$result") out=$(sed -n '3,$p' <<<"$result")
  checked=$((checked + 1))
  if [ "$expect" = ok ]; then
    if [ "$rc" = 0 ] && [ -z "$out" ]; then
      echo "ok   $name: keepalived -t exits 0 and prints nothing (interface $found, found by MAC $mac)"
    else
      failures=$((failures + 1))
      echo "FAIL $name: keepalived -t exited $rc$([ -n "$out" ] && printf ' and printed:\n%s' "$out" | sed 's/^/       /')"
    fi
  else
    if [ "$rc" != 0 ] || [ -n "$out" ]; then
      echo "ok   $name: refused as it must be (exit $rc: $(head -1 <<<"$out"))"
    else
      failures=$((failures + 1))
      echo "FAIL $name: keepalived -t accepted it silently; the check would miss a dropped health check"
    fi
  fi
}

for entry in "${configs[@]}"; do
  label=${entry%%=*} file=${entry#*=}
  out="$work/$label"
  if [ -n "$file" ]; then
    node --import tsx .ci/render-keepalived-configs.ts "$out" "$file" >/dev/null
  else
    node --import tsx .ci/render-keepalived-configs.ts "$out" >/dev/null
  fi
  # shellcheck disable=SC1091
  . "$out/env"
  i=0
  while IFS=$'\t' read -r node ip mac priority conf; do
    i=$((i + 1))
    # A name no renderer could guess, different on each node, as on Talos (ens18, enp6s18, eth0).
    check "$label/$node ($ip, priority $priority)" "$conf" "$mac" "enp${i}s18" ok
  done <"$out/nodes.tsv"
done

# The control: a script user that does not exist (as in an image that does not
# create it) drops the health check with only a warning: the check must see it.
first=$(head -1 "$work/reference/nodes.tsv")
IFS=$'\t' read -r node ip mac priority conf <<<"$first"
sed "s/script_user .*/script_user no_such_user_$$/" "$conf" >"$work/missing-script-user.conf"
check "control: $node with a script user that does not exist" "$work/missing-script-user.conf" "$mac" "enp1s18" refused

if [ "$failures" -gt 0 ]; then
  fail "$failures of $checked checks failed ($version)"
fi
echo "ok   $checked keepalived -t checks ($version)"
