#!/usr/bin/env bash
# `npm run drill -- --measure-only` against a VIP that moves between three
# "nodes", for real over the network, on this machine only:
#
#   - network namespaces: a bridge, a client and three nodes (random suffix);
#     addresses from 198.18.0.0/15 (the benchmarking range, never routed):
#     client 198.18.0.2, nodes 198.18.0.11-13 (/24), the VIP 198.18.0.10/32;
#     nothing is added to this machine's own namespace, no route leads out;
#   - each node runs a TLS server on 0.0.0.0:6443 (.ci/netns-tls-server.js)
#     with one certificate for the VIP, minted here; the drill verifies it;
#   - the VIP moves as Talos moves it:
#       graceful: node1 releases the VIP, node2 adds it 1.0 s later;
#       crash:    node2's link goes down, node3 adds the VIP 2.0 s later;
#     then the new holder announces it: a gratuitous ARP when iputils arping
#     is installed (Talos sends one), otherwise the client's neighbour entry
#     for the VIP is flushed (the effect of that ARP: the client asks again);
#   - drill --measure-only probes https://198.18.0.10:6443 from the client
#     and must report exactly one window of the length the test made.
#
# Root only (it creates network namespaces): run by .ci/run, not by npm test.
# Every namespace (with its bridge and veths) and every process started in
# them is removed on exit, also on failure or interrupt.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "netns-vip-test: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "must run as root (it creates network namespaces); skipped"
command -v ip >/dev/null 2>&1 || fail "needs ip (iproute2), which is not on PATH"
command -v node >/dev/null 2>&1 || fail "needs node, which is not on PATH"
[ -n "${EPOCHREALTIME:-}" ] || fail "needs bash 5 (EPOCHREALTIME)"

VIP=198.18.0.10
INTERVAL_S=0.1 # the drill's probe interval (its default)
TOLERANCE_S=0.2
suffix=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
BR="vipt-$suffix-br" CLIENT="vipt-$suffix-client"
NODES=("vipt-$suffix-n1" "vipt-$suffix-n2" "vipt-$suffix-n3")
work=$(mktemp -d "${TMPDIR:-/tmp}/netns-vip-test.XXXXXX")
created=()
failures=0

cleanup() {
  local rc=$? ns pid
  trap - EXIT INT TERM
  for ns in "${created[@]}"; do
    # The processes this test started in its namespaces (servers, drill), by id.
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
  done
  for ns in "${created[@]}"; do
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || echo "netns-vip-test: could not delete namespace $ns" >&2
  done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

add_ns() {
  local err
  if ! err=$(ip netns add "$1" 2>&1); then
    fail "cannot create a network namespace here (ip netns add $1: $err); this machine does not permit it"
  fi
  created+=("$1")
  ip -n "$1" link set lo up
}

# --- the network -----------------------------------------------------------
add_ns "$BR"
ip -n "$BR" link add br0 type bridge
ip -n "$BR" link set br0 up
join() { # namespace port address
  add_ns "$1"
  ip -n "$BR" link add "$2" type veth peer name eth0 netns "$1"
  ip -n "$BR" link set "$2" master br0 up
  ip -n "$1" addr add "$3/24" dev eth0
  ip -n "$1" link set eth0 up
}
join "$CLIENT" p-client 198.18.0.2
for i in 1 2 3; do join "${NODES[$((i - 1))]}" "p-n$i" "198.18.0.1$i"; done

# --- the API servers -------------------------------------------------------
if command -v openssl >/dev/null 2>&1; then
  minted="openssl"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "/CN=netns-vip-test" \
    -addext "subjectAltName=IP:$VIP" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
else
  minted="selfsigned (node)"
  node -e '
    const fs = require("node:fs");
    require("selfsigned").generate([{ name: "commonName", value: "netns-vip-test" }], { keyType: "ec", extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: process.argv[1] }] }] })
      .then((p) => { fs.writeFileSync(process.argv[2] + "/key.pem", p.private); fs.writeFileSync(process.argv[2] + "/cert.pem", p.cert); });
  ' "$VIP" "$work"
fi
for i in 1 2 3; do
  ip netns exec "${NODES[$((i - 1))]}" node .ci/netns-tls-server.js "$work/key.pem" "$work/cert.pem" 6443 >"$work/server$i.log" 2>&1 &
done
wait_for() { # file pattern seconds what
  local deadline=$((SECONDS + $3))
  until grep -q "$2" "$1" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "$4 did not start within $3 s: $(cat "$1" 2>/dev/null)"
    sleep 0.05
  done
}
for i in 1 2 3; do wait_for "$work/server$i.log" "^listening" 15 "the TLS server on node$i"; done

if command -v arping >/dev/null 2>&1 && arping -V 2>&1 | grep -qi iputils; then
  announce_with="a gratuitous ARP from the new holder (iputils arping)"
  announce() { ip netns exec "$1" arping -q -U -c 1 -I eth0 -s "$VIP" "$VIP" || true; }
else
  announce_with="flushing the client's neighbour entry for the VIP (iputils arping not installed)"
  announce() { ip -n "$CLIENT" neigh flush to "$VIP" dev eth0; }
fi
echo "network: namespaces vipt-$suffix-*, VIP $VIP, certificate minted with $minted; the VIP's move is announced by $announce_with"

# --- the scenarios ---------------------------------------------------------
# scenario NAME HOLDER NEXT DELAY_S
#
# What the drill measures: from the last successful handshake before the fault
# to the first after the recovery. Probes start every INTERVAL_S, so the last
# success came up to one interval before the fault and the first success up to
# one interval after the recovery: the reported window lies in
# [made, made + 2 x INTERVAL_S] (plus a handshake, ~1 ms here), where `made` is
# the time from the start of the fault to the end of the announcement, as this
# script timed it. The expected value is its middle, made + INTERVAL_S, and the
# check is expected +/- TOLERANCE_S (0.2 s), as the issue asks.
scenario() {
  local name=$1 holder=$2 next=$3 delay=$4 fault_start fault_done recovered out err made expected
  out="$work/$name.json" err="$work/$name.err"
  ip netns exec "$CLIENT" npm run --silent drill -- --measure-only --endpoint "https://$VIP:6443" --seconds 6 \
    --ca "$work/cert.pem" --out "$work/reports-$name" --json >"$out" 2>"$err" &
  local drill=$!
  wait_for "$err" "^drill: probing" 30 "drill"
  sleep 2
  fault_start=$EPOCHREALTIME
  if [ "$name" = graceful ]; then
    ip -n "$holder" addr del "$VIP/32" dev eth0 # release
  else
    ip -n "$holder" link set eth0 down # the holder's link goes down: it vanishes without a word
  fi
  fault_done=$EPOCHREALTIME
  sleep "$(awk -v d="$delay" -v a="$fault_done" -v n="$EPOCHREALTIME" 'BEGIN { s = d - (n - a); printf "%.3f", (s > 0 ? s : 0) }')"
  ip -n "$next" addr add "$VIP/32" dev eth0
  announce "$next"
  recovered=$EPOCHREALTIME
  wait "$drill" || { cat "$err" >&2; fail "$name: drill exited non-zero"; }
  made=$(awk -v a="$fault_start" -v b="$recovered" 'BEGIN { printf "%.3f", b - a }')
  expected=$(awk -v m="$made" -v i="$INTERVAL_S" 'BEGIN { printf "%.3f", m + i }')
  node -e '
    const [file, name, delay, made, expected, tolerance] = process.argv.slice(1);
    const report = JSON.parse(require("node:fs").readFileSync(file, "utf8"));
    const w = report.windows;
    const seen = w.map((x) => `${x.start}-${x.end ?? "open"} s (${x.durationSeconds} s, ${x.failedProbes} failed: ${x.errors.join(", ")})`).join("; ") || "none";
    const problems = [];
    if (w.length !== 1) problems.push(`expected exactly one window, saw ${w.length}`);
    else {
      if (w[0].open || w[0].fromRunStart) problems.push("the window is not closed on both sides");
      if (Math.abs(w[0].durationSeconds - Number(expected)) > Number(tolerance)) problems.push(`duration ${w[0].durationSeconds} s is not ${expected} +/- ${tolerance} s`);
    }
    const verdict = problems.length === 0 ? "ok  " : "FAIL";
    console.log(`${verdict} ${name}: set delay ${delay} s, made ${made} s, expected ${expected} +/- ${tolerance} s; drill saw ${report.probes} probes, windows: ${seen}${problems.length ? " -- " + problems.join("; ") : ""}`);
    process.exitCode = problems.length === 0 ? 0 : 1;
  ' "$out" "$name" "$delay" "$made" "$expected" "$TOLERANCE_S" || failures=$((failures + 1))
}

ip -n "${NODES[0]}" addr add "$VIP/32" dev eth0
scenario graceful "${NODES[0]}" "${NODES[1]}" 1.0
scenario crash "${NODES[1]}" "${NODES[2]}" 2.0

if [ "$failures" -gt 0 ]; then
  echo "FAIL: $failures of 2 scenarios: drill --measure-only did not report the window the test made" >&2
  exit 1
fi
echo "ok   drill --measure-only reported the VIP's outage within $TOLERANCE_S s in both scenarios"
