/**
 * The HA arithmetic of a synthesized control plane: etcd quorum, failures
 * tolerated, what losing each Proxmox host does, and how many control planes
 * may be down before writes and the VIP freeze. Pure.
 */
import { etcdQuorum, failuresTolerated } from "../domain/quorum";
import { parseVersion } from "../domain/talos-versions";
import { StackModel } from "./stack-model";

export interface HostLoss {
  readonly host: string;
  /** Control planes on that host. */
  readonly lost: number;
  readonly remaining: number;
  readonly quorumKept: boolean;
  /** What Proxmox HA does about the lost control planes. */
  readonly recovery: HostLossRecovery;
}

/**
 * - `none`: no Proxmox HA for them; they are down until the host is back.
 * - `restart-elsewhere`: HA restarts them on another host once the lost host is fenced.
 * - `kept-apart`: HA could, but the strict rule keeps control planes on separate hosts.
 * - `own-host-only`: their disks are not on shared storage, so HA can only restart them there.
 */
export type HostLossRecovery = "none" | "restart-elsewhere" | "kept-apart" | "own-host-only";

export interface DownScenario {
  /** Control planes down at once. */
  readonly down: number;
  readonly remaining: number;
  readonly quorumKept: boolean;
}

export interface HaFacts {
  readonly members: number;
  readonly quorum: number;
  readonly tolerated: number;
  readonly hostLosses: readonly HostLoss[];
  /** 1 down, 2 down, ... up to the first count that loses quorum (at least 2, at most all). */
  readonly downScenarios: readonly DownScenario[];
}

/** Undefined when the stack has no control-plane VM. */
export function haFacts(model: StackModel): HaFacts | undefined {
  const members = model.nodes.length;
  if (members === 0) return undefined;
  const quorum = etcdQuorum(members);
  const tolerated = failuresTolerated(members);
  const hostLosses = model.hosts.map(({ name, nodes }) => {
    const remaining = members - nodes.length;
    return { host: name, lost: nodes.length, remaining, quorumKept: remaining >= quorum, recovery: recoveryOf(model, name) };
  });
  const worst = Math.min(members, Math.max(2, tolerated + 1));
  const downScenarios = Array.from({ length: worst }, (_, index) => {
    const down = index + 1;
    return { down, remaining: members - down, quorumKept: members - down >= quorum };
  });
  return { members, quorum, tolerated, hostLosses, downScenarios };
}

/** Configuration warnings (no base needed), most severe first. */
export function configurationWarnings(model: StackModel, facts: HaFacts | undefined): string[] {
  if (!facts) return ["The stack has no control-plane VM (proxmox_virtual_environment_vm): there is no cluster to review."];
  const warnings: string[] = [];
  const { members, tolerated } = facts;
  if (members === 1) {
    warnings.push("Only 1 control plane: not highly available. When it is down, the Kubernetes API, etcd and the VIP are down.");
  } else if (members % 2 === 0) {
    warnings.push(
      `${members} control planes: an even count tolerates no more failures than ${members - 1} (${tolerated}), and needs one more member up for quorum.`
    );
  }
  if (members > 1 && model.hosts.length === 1) {
    const [host] = model.hosts;
    warnings.push(`All ${members} control planes run on Proxmox host ${host.name}: losing ${host.name} stops the cluster.`);
  } else {
    for (const loss of facts.hostLosses.filter((item) => !item.quorumKept && members > 1)) {
      warnings.push(
        `Proxmox host ${loss.host} runs ${loss.lost} of ${members} control planes: losing ${loss.host} leaves ${loss.remaining}, below the quorum of ${facts.quorum}, and stops the cluster.`
      );
    }
  }
  const freeHosts = model.knownHosts.filter((host) => !model.nodes.some((node) => node.proxmoxHost === host));
  if (freeHosts.length > 0) {
    for (const host of model.hosts.filter(({ nodes }) => nodes.length > 1)) {
      warnings.push(
        `Control planes ${host.nodes.join(" and ")} share Proxmox host ${host.name} while ${freeHosts.join(", ")} ${freeHosts.length === 1 ? "carries" : "carry"} none: losing ${host.name} takes ${host.nodes.length} etcd members at once.`
      );
    }
  }
  if (model.ha && !model.ha.datastoreShared) {
    warnings.push(
      "Proxmox HA is on, but the VM disks are not on storage every host sees (vm.datastoreShared is false): HA can restart a VM only on its own host, not on another one when the host fails."
    );
  }
  if (model.talosctlNodes.length > 1) {
    warnings.push(
      `talosctl's default nodes are ${model.talosctlNodes.join(", ")}: a bare \`talosctl reboot\` or \`talosctl upgrade\` acts on all of them at once and can lose etcd quorum. Leave nodes unset so talosctl asks for -n.`
    );
  }
  const staleKey = staleElectionKeyRisk(model.talosVersion);
  if (staleKey) warnings.push(staleKey);
  const vip = model.vip;
  if (vip && model.talosctlEndpoints.includes(vip)) {
    warnings.push(`talosctl's endpoints include the VIP ${vip}: when etcd loses quorum the VIP is gone, and talosctl cannot reach the nodes through it.`);
  }
  return warnings;
}

/**
 * Talos releases before the fix of a stale VIP election key (siderolabs/talos
 * d76938912, in v1.13.8 and backported to v1.12.11): a node that stopped
 * campaigning could leave its key in etcd's FIFO election queue, delaying
 * failover until its lease expired (60 s), even after a graceful reboot.
 */
export function staleElectionKeyRisk(talosVersion: string | undefined): string | undefined {
  const version = parseVersion(talosVersion ?? "");
  if (version?.major !== 1) return undefined;
  const { minor, patch } = version;
  const fixed = minor > 13 || (minor === 13 && patch >= 8) || (minor === 12 && patch >= 11);
  if (fixed) return undefined;
  return `Talos ${talosVersion} predates the fix of a stale VIP election key (v1.13.8, v1.12.11): a failover, even after a graceful reboot, can wait for the old holder's 60 s etcd lease. Upgrade to v1.13.8 or later.`;
}

function recoveryOf(model: StackModel, host: string): HostLossRecovery {
  const lost = model.nodes.filter((node) => node.proxmoxHost === host);
  if (!model.ha || !lost.some((node) => node.haManaged)) return "none";
  if (!model.ha.datastoreShared) return "own-host-only";
  const otherHosts = new Set([...model.knownHosts, ...model.hosts.map(({ name }) => name)].filter((name) => name !== host));
  if (otherHosts.size === 0) return "own-host-only";
  if (model.ha.keepControlPlanesApart && model.ha.strict) {
    const free = [...otherHosts].filter((name) => !model.nodes.some((node) => node.proxmoxHost === name));
    return free.length >= lost.length ? "restart-elsewhere" : "kept-apart";
  }
  return "restart-elsewhere";
}
