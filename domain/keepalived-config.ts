/**
 * keepalived.conf for the opt-in fast API failover (issue 21): one file per
 * control plane, rendered by pure code so CI can prove the exact text with
 * Debian's keepalived (`keepalived -t`, a network-namespace drill).
 *
 * API (kept stable; the CI tests import it):
 *
 * ```ts
 * import { renderKeepalivedConfig } from "../domain/keepalived-config";
 * const text: string = renderKeepalivedConfig({
 *   clusterName: "homelab",        // names the instance and router_id
 *   virtualRouterId: 42,           // 1-255, e.g. fastFailoverVirtualRouterId("homelab")
 *   vip: "192.168.1.9",            // the fast VIP (not Talos's VIP)
 *   prefixLength: 24,              // of network.cidr
 *   self: { ip: "192.168.1.11", priority: 150 },  // unicast_src_ip, priority
 *   peers: ["192.168.1.12", "192.168.1.13"],     // unicast_peer: the other control planes
 *   interface: "ens18",            // the NIC's name; on Talos the placeholder (see below)
 *   advertIntervalMs: 500,         // advert_int, 10-40950 in steps of 10 (VRRPv3 centiseconds)
 *   checkUrl: "https://127.0.0.1:6443/readyz",   // optional, this is the default
 *   scriptUser: "keepalived_script",             // optional, this is the default
 * });
 * ```
 *
 * On Talos the NIC's name is not known when the stack renders (Talos uses
 * predictable names since v1.5, `ens18`/`enp6s18` on Proxmox virtio depending
 * on the PCI slot, or `eth0` with `net.ifnames=0`), so the stack renders with
 * `interface: KEEPALIVED_INTERFACE_PLACEHOLDER` and the pod's start script
 * (keepalived-start-script.ts) finds the interface by the MAC address the
 * stack gave the VM and substitutes it before starting keepalived. Tests and
 * CI pass a real name. `controlPlanePriorities` gives the priority of each
 * control plane by node order.
 *
 * Directives and why:
 * - `vrrp_version 3`: advert_int below one second (VRRPv3 counts centiseconds).
 * - unicast peers: no multicast needed on the bridge; only the control planes take part.
 * - `state BACKUP` everywhere with `nopreempt`: a node that comes back never
 *   takes the address from a healthy holder (one move per failure, not two).
 * - `enable_script_security` with a `script_user`: without a script user
 *   keepalived drops the health check with only a warning, and fencing is gone.
 * - a `vrrp_script` that fails when the local API server's `/readyz` fails
 *   (which it does when its etcd has no quorum), tracked without a weight: the
 *   instance goes to FAULT and releases the address; with quorum lost on every
 *   node, nobody holds it. keepalived's script interval is whole seconds.
 * - `garp_master_refresh`, `higher_prio_send_advert`, `garp_lower_prio_repeat`:
 *   after a partition heals, the two holders settle and the LAN's ARP caches
 *   learn the winner at once (without them clients were cut off ~47 s).
 */

import { createHash } from "node:crypto";

/** The token the stack renders in place of the NIC's name; the start script replaces it. */
export const KEEPALIVED_INTERFACE_PLACEHOLDER = "@VRRP_INTERFACE@";

/** The health check keepalived runs: the local API server's readiness. */
export const DEFAULT_CHECK_URL = "https://127.0.0.1:6443/readyz";

/** A non-root user that exists in the image (the documented Dockerfile creates it); keepalived runs the check as it. */
export const DEFAULT_SCRIPT_USER = "keepalived_script";

/**
 * keepalived's accepted advert_int for VRRPv3: 0.01 s to 40.95 s (12 bits of
 * centiseconds; keepalived 2.2.7 warns and clamps above), so milliseconds in
 * steps of 10.
 */
export const ADVERT_INTERVAL_MS_RANGE = { min: 10, max: 40_950, step: 10 } as const;

/** The highest priority handed out (the first control plane); each next node 10 lower. VRRP priorities are 1-254 for a non-owner. */
const FIRST_PRIORITY = 150;
const PRIORITY_STEP = 10;

export interface KeepalivedConfigInput {
  /** The cluster's name: the instance's and router_id's name. */
  readonly clusterName: string;
  /** VRRP virtual router id, 1-255, the same on every control plane of the cluster. */
  readonly virtualRouterId: number;
  /** The fast VIP (an IPv4 address). */
  readonly vip: string;
  /** The node network's prefix length, for the VIP's address. */
  readonly prefixLength: number;
  /** This control plane: its IP (`unicast_src_ip`) and VRRP priority. */
  readonly self: { readonly ip: string; readonly priority: number };
  /** The other control planes' IPs (`unicast_peer`). */
  readonly peers: readonly string[];
  /** The NIC's name, or KEEPALIVED_INTERFACE_PLACEHOLDER for the start script to fill in. */
  readonly interface: string;
  /** VRRP advertisement interval in milliseconds (ADVERT_INTERVAL_MS_RANGE). */
  readonly advertIntervalMs: number;
  /** @default DEFAULT_CHECK_URL */
  readonly checkUrl?: string;
  /** @default DEFAULT_SCRIPT_USER */
  readonly scriptUser?: string;
}

/** The check's period in whole seconds (keepalived's script `interval` takes no fractions). */
const CHECK_INTERVAL_SECONDS = 1;

/**
 * The VRRP virtual router id of a cluster, derived from its name (the first
 * four bytes of its sha256, mod 255, plus 1), so every control plane renders
 * the same one and re-rendering never changes it.
 *
 * Collision risk: 255 ids, so two clusters have the same id with probability
 * 1/255 (with 5 clusters on one LAN about 4 %). With unicast peers a
 * collision between two of this project's clusters is harmless (adverts go
 * only to the listed peers, and keepalived drops adverts whose source is not a
 * configured peer); it matters with a multicast VRRP router on the same LAN
 * (a router's or firewall's own VRRP), where the override
 * `fastFailover.virtualRouterId` picks another id.
 */
export function fastFailoverVirtualRouterId(clusterName: string): number {
  return (createHash("sha256").update(clusterName).digest().readUInt32BE(0) % 255) + 1;
}

/** VRRP priorities by node order: 150, 140, 130, ... (the first control plane wins a simultaneous start). */
export function controlPlanePriorities(count: number): number[] {
  return Array.from({ length: count }, (_, index) => Math.max(1, FIRST_PRIORITY - PRIORITY_STEP * index));
}

/** `500` -> `0.5`, `10` -> `0.01`, `2000` -> `2`. */
export function formatAdvertInterval(advertIntervalMs: number): string {
  return String(Math.round(advertIntervalMs / 10) / 100);
}

/** The VRRP instance's name: keepalived allows letters, digits, `_` and `-`. */
function instanceName(clusterName: string): string {
  return `${clusterName.replace(/[^A-Za-z0-9_-]/g, "_")}_api`;
}

/**
 * The keepalived.conf of one control plane. Pure and deterministic: the same
 * input gives the same text, byte for byte.
 */
export function renderKeepalivedConfig(input: KeepalivedConfigInput): string {
  const checkUrl = input.checkUrl ?? DEFAULT_CHECK_URL;
  const scriptUser = input.scriptUser ?? DEFAULT_SCRIPT_USER;
  const name = instanceName(input.clusterName);
  const lines = [
    "# Rendered by the homelab stack (fast API failover). Do not edit: the stack rewrites it.",
    "global_defs {",
    `    router_id ${name}`,
    "    vrrp_version 3",
    "    enable_script_security",
    `    script_user ${scriptUser}`,
    "}",
    "",
    "vrrp_script apiserver_ready {",
    `    script "/usr/bin/curl -skf --max-time 1 ${checkUrl}"`,
    `    interval ${CHECK_INTERVAL_SECONDS}`,
    "    timeout 2",
    "    fall 2",
    "    rise 2",
    "}",
    "",
    `vrrp_instance ${name} {`,
    "    state BACKUP",
    "    nopreempt",
    `    interface ${input.interface}`,
    `    virtual_router_id ${input.virtualRouterId}`,
    `    priority ${input.self.priority}`,
    `    advert_int ${formatAdvertInterval(input.advertIntervalMs)}`,
    `    unicast_src_ip ${input.self.ip}`,
    "    unicast_peer {",
    ...input.peers.map((peer) => `        ${peer}`),
    "    }",
    "    garp_master_refresh 5",
    "    garp_master_refresh_repeat 1",
    "    higher_prio_send_advert",
    "    garp_lower_prio_repeat 1",
    "    virtual_ipaddress {",
    `        ${input.vip}/${input.prefixLength} dev ${input.interface}`,
    "    }",
    "    track_script {",
    "        apiserver_ready",
    "    }",
    "}",
  ];
  return `${lines.join("\n")}\n`;
}
