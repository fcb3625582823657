/**
 * The HA arithmetic of a synthesized control plane: etcd quorum, failures
 * tolerated, what losing each Proxmox host does, and how many control planes
 * may be down before writes and the VIP freeze. Pure.
 */
import { etcdQuorum, failuresTolerated } from "../domain/quorum";
import { clusterWarnings } from "../domain/warnings";
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

/**
 * Configuration warnings (no base needed), most severe first: the rule set
 * the synth prints too (domain/warnings.ts), then what only a synthesized
 * stack can get wrong (talosctl's defaults).
 */
export function configurationWarnings(model: StackModel, facts: HaFacts | undefined): string[] {
  if (!facts) return ["The stack has no control-plane VM (proxmox_virtual_environment_vm): there is no cluster to review."];
  const warnings = clusterWarnings({
    controlPlanes: model.nodes,
    knownHosts: model.knownHosts,
    workerCount: model.workers.length,
    proxmoxHa: model.ha && { cpuType: model.nodes[0]?.cpuType },
    talosVersion: model.talosVersion,
    kubernetesVersion: model.kubernetesVersion,
    systemExtensions: model.systemExtensions,
  });
  if (model.talosctlNodes.length > 1) {
    warnings.push(
      `talosctl's default nodes are ${model.talosctlNodes.join(", ")}: a bare \`talosctl reboot\` or \`talosctl upgrade\` acts on all of them at once and can lose etcd quorum. Leave nodes unset so talosctl asks for -n`,
    );
  }
  const vip = model.vip;
  if (vip && model.talosctlEndpoints.includes(vip)) {
    warnings.push(`talosctl's endpoints include the VIP ${vip}: when etcd loses quorum the VIP is gone, and talosctl cannot reach the nodes through it`);
  }
  return warnings.map((warning) => `${warning}.`);
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
