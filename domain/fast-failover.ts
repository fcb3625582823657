/**
 * The opt-in fast API failover (issue 21), resolved and rendered: a second
 * VIP held by keepalived in a Talos static pod on every control plane. Pure.
 *
 * Per control plane the stack writes two files with `machine.files` (Talos
 * allows `op: create` only under /var, and rewrites the files at every boot)
 * and one static pod with `machine.pods`:
 * - /var/etc/keepalived/keepalived.conf: domain/keepalived-config.ts's text
 *   with the interface left as a placeholder;
 * - /var/etc/keepalived/start.sh: finds the NIC by the MAC address the stack
 *   gave the VM, puts its name into a copy of the config, checks the copy
 *   with `keepalived -t`, and execs keepalived in the foreground;
 * - the pod (kube-system, host network, NET_ADMIN, NET_RAW, NET_BROADCAST)
 *   mounts the folder read-only and runs the script with the user's image.
 *
 * Why the MAC and not a name: Talos names NICs predictably since v1.5
 * (`ens18` or `enp6s18` on Proxmox virtio, depending on the PCI slot and the
 * machine type; `eth0` with `net.ifnames=0`), so a name guessed at synth time
 * can be wrong, while the MAC is the stack's own (domain/mac-address.ts), as
 * for Talos's own VIP. Talos 1.12's link aliases are Talos's names, not the
 * kernel's, and keepalived needs the kernel's.
 */
import { stringify } from "yaml";
import { ClusterSpec } from "./cluster-spec";
import { parseCidr } from "./ipv4";
import { KEEPALIVED_INTERFACE_PLACEHOLDER, controlPlanePriorities, fastFailoverVirtualRouterId, renderKeepalivedConfig } from "./keepalived-config";

/** Where Talos writes the files on the node (`machine.files`, `op: create` only under /var). */
export const KEEPALIVED_HOST_DIR = "/var/etc/keepalived";
/** Where the pod sees that folder, read-only. */
export const KEEPALIVED_MOUNT_DIR = "/etc/keepalived";
/** The config the start script writes with the interface filled in (the container's own filesystem). */
const RUNTIME_CONFIG = "/run/keepalived/keepalived.conf";
/** The static pod's name; the kubelet adds `-<node name>`. */
export const KEEPALIVED_POD_NAME = "keepalived-api";
/** How long the start script waits for the NIC to appear, in seconds. */
const INTERFACE_WAIT_SECONDS = 60;

/** One control plane's part: its address, MAC and VRRP priority. */
export interface FastFailoverNode {
  readonly name: string;
  readonly ip: string;
  readonly macAddress: string;
  readonly priority: number;
}

/** The fast failover of a cluster, resolved. */
export interface FastFailoverPlan {
  readonly clusterName: string;
  readonly vip: string;
  readonly prefixLength: number;
  /** The keepalived image, pinned by digest. */
  readonly image: string;
  readonly advertIntervalMs: number;
  /** As given (`fastFailover.virtualRouterId`) or derived from the cluster name. */
  readonly virtualRouterId: number;
  /** The control planes in node order (priorities descending). */
  readonly nodes: readonly FastFailoverNode[];
}

/** The plan, or undefined when the fast failover is off. Call it on a validated spec. */
export function fastFailoverOf(spec: ClusterSpec): FastFailoverPlan | undefined {
  if (!spec.fastFailoverEnabled) return undefined;
  const priorities = controlPlanePriorities(spec.nodes.length);
  return {
    clusterName: spec.clusterName,
    vip: spec.fastFailoverVip ?? "",
    prefixLength: parseCidr(spec.networkCidr)?.prefixLength ?? 32,
    image: spec.fastFailoverImage ?? "",
    advertIntervalMs: spec.fastFailoverAdvertIntervalMs,
    virtualRouterId: spec.fastFailoverVirtualRouterId ?? fastFailoverVirtualRouterId(spec.clusterName),
    nodes: spec.nodes.map((node, index) => ({ name: node.name, ip: node.ip, macAddress: node.macAddress, priority: priorities[index] })),
  };
}

function nodeOf(plan: FastFailoverPlan, nodeName: string): FastFailoverNode {
  const node = plan.nodes.find((candidate) => candidate.name === nodeName);
  if (!node) throw new Error(`no control plane ${nodeName} in the fast failover of cluster ${plan.clusterName}`);
  return node;
}

/**
 * One control plane's keepalived.conf: itself as the unicast source, the
 * others as peers. The interface is the placeholder unless one is given
 * (tests and CI name a real one).
 */
export function keepalivedConfigOf(plan: FastFailoverPlan, nodeName: string, interfaceName: string = KEEPALIVED_INTERFACE_PLACEHOLDER): string {
  const self = nodeOf(plan, nodeName);
  return renderKeepalivedConfig({
    clusterName: plan.clusterName,
    virtualRouterId: plan.virtualRouterId,
    vip: plan.vip,
    prefixLength: plan.prefixLength,
    self: { ip: self.ip, priority: self.priority },
    peers: plan.nodes.filter((node) => node.name !== nodeName).map((node) => node.ip),
    interface: interfaceName,
    advertIntervalMs: plan.advertIntervalMs,
  });
}

/**
 * The pod's start script (POSIX sh; no `${`, which Terraform would read as
 * an expression in the synthesized JSON). It finds the interface whose address
 * is the node's MAC in /sys/class/net (a physical device first: a VLAN or
 * bridge on top of the NIC shares its MAC), waits for it up to a minute,
 * fills its name into a copy of the config, and refuses to start when
 * `keepalived -t` finds a problem: keepalived only warns about a broken
 * setting and starts without it (a dropped health check is fencing gone).
 * Debian's keepalived 2.2.7 ends a clean `-t` with SIGTERM (status 143), so
 * 0 and 143 pass.
 */
export function renderKeepalivedStartScript(macAddress: string): string {
  const mac = macAddress.toLowerCase(); // the kernel prints MACs in lower case
  return `#!/bin/sh
# Rendered by the homelab stack (fast API failover). Do not edit: the stack rewrites it.
set -eu
mac="${mac}"
template="${KEEPALIVED_MOUNT_DIR}/keepalived.conf"
config="${RUNTIME_CONFIG}"

# The interface with the node's MAC: a physical device first, else any (a veth in tests).
find_interface() {
  fallback=""
  for dir in /sys/class/net/*; do
    [ "$(cat "$dir/address" 2>/dev/null)" = "$mac" ] || continue
    if [ -e "$dir/device" ]; then
      basename "$dir"
      return 0
    fi
    [ -n "$fallback" ] || fallback="$(basename "$dir")"
  done
  [ -n "$fallback" ] && echo "$fallback"
}

waited=0
until iface="$(find_interface)"; do
  if [ "$waited" -ge ${INTERFACE_WAIT_SECONDS} ]; then
    echo "keepalived-start: no interface with MAC $mac after ${INTERFACE_WAIT_SECONDS} s" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
echo "keepalived-start: VRRP on $iface (MAC $mac)"

mkdir -p "$(dirname "$config")"
sed "s/${KEEPALIVED_INTERFACE_PLACEHOLDER}/$iface/g" "$template" > "$config"

# keepalived starts without a setting it only warns about: refuse instead.
status=0
keepalived --config-test --use-file "$config" --log-console || status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 143 ]; then
  echo "keepalived-start: keepalived -t failed with status $status; not starting" >&2
  exit 1
fi

exec keepalived --dont-fork --log-console --log-detail --use-file "$config"
`;
}

/** `0644` and `0755` as Talos's schema wants them: integers. */
const READABLE = 0o644;
const EXECUTABLE = 0o755;

/**
 * One control plane's patch (one v1alpha1 document): the two files and the
 * static pod. `machine.files` and `machine.pods` are lists, which Talos's
 * merge appends to a user's own.
 */
export function renderFastFailoverNodePatch(plan: FastFailoverPlan, nodeName: string): string {
  const node = nodeOf(plan, nodeName);
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: KEEPALIVED_POD_NAME,
      // Talos exempts kube-system from Pod Security admission: the mirror pod of a host-network, NET_ADMIN pod is admitted.
      namespace: "kube-system",
      labels: { "app.kubernetes.io/name": KEEPALIVED_POD_NAME, "app.kubernetes.io/managed-by": "homelab-stack" },
    },
    spec: {
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      containers: [
        {
          name: "keepalived",
          image: plan.image,
          command: ["/bin/sh", `${KEEPALIVED_MOUNT_DIR}/start.sh`],
          securityContext: { capabilities: { add: ["NET_ADMIN", "NET_RAW", "NET_BROADCAST"] } },
          resources: { requests: { cpu: "10m", memory: "16Mi" } },
          volumeMounts: [{ name: "config", mountPath: KEEPALIVED_MOUNT_DIR, readOnly: true }],
        },
      ],
      volumes: [{ name: "config", hostPath: { path: KEEPALIVED_HOST_DIR, type: "Directory" } }],
    },
  };
  return stringify(
    {
      machine: {
        files: [
          { path: `${KEEPALIVED_HOST_DIR}/keepalived.conf`, op: "create", permissions: READABLE, content: keepalivedConfigOf(plan, node.name) },
          { path: `${KEEPALIVED_HOST_DIR}/start.sh`, op: "create", permissions: EXECUTABLE, content: renderKeepalivedStartScript(node.macAddress) },
        ],
        pods: [pod],
      },
    },
    { lineWidth: 0, aliasDuplicateObjects: false },
  );
}

/** The API server's certSANs with the fast VIP added (once), when it is on. */
export function certSansWithFastVip(certSANs: readonly string[], plan: FastFailoverPlan | undefined): string[] {
  if (!plan || certSANs.some((san) => san.toLowerCase() === plan.vip)) return [...certSANs];
  return [...certSANs, plan.vip];
}
