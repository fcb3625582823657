/**
 * Advice about a cluster's configuration that does not stop synthesis: one
 * rule set, used by the synth (printed as `warning [stack ...]`, and as the
 * construct's annotations) and by the pull-request review (its Warnings
 * list). Each side describes the cluster in the same small shape (from the
 * resolved spec, or from the synthesized JSON) so the two never disagree.
 */
import type { ClusterSpec } from "./cluster-spec";
import { clusterHostsOf } from "./cluster-spec";
import { etcdQuorum } from "./quorum";
import { unknownReleaseWarning } from "./known-releases";
import { unknownExtensionWarnings } from "./talos-extensions";
import { parseVersion } from "./talos-versions";

/** What the rules look at. */
export interface WarningSubject {
  /** Control planes in order (the bootstrapped one first) and the Proxmox host of each. */
  readonly controlPlanes: readonly { readonly name: string; readonly proxmoxHost: string }[];
  /** Every Proxmox host the cluster knows, in placement order (the `proxmox_hosts` output). */
  readonly knownHosts: readonly string[];
  /** How many worker VMs there are. */
  readonly workerCount: number;
  /** Whether workloads may run on the control planes; undefined when not known (the review does not read it). */
  readonly allowSchedulingOnControlPlanes?: boolean;
  /** Proxmox HA, when it manages the VMs: the VMs' QEMU CPU type, when known. */
  readonly proxmoxHa?: { readonly cpuType?: string };
  /** The Talos version the nodes run, when known. */
  readonly talosVersion?: string;
  /** The Kubernetes version, when known. */
  readonly kubernetesVersion?: string;
  /** The official system extensions in the image, when known. */
  readonly systemExtensions?: readonly string[];
}

/** The subject as the resolved spec describes it. */
export function warningSubjectOf(spec: ClusterSpec): WarningSubject {
  return {
    controlPlanes: spec.nodes,
    knownHosts: clusterHostsOf(spec),
    workerCount: spec.workers.length,
    allowSchedulingOnControlPlanes: spec.allowSchedulingOnControlPlanes,
    proxmoxHa: spec.haEnabled ? { cpuType: spec.cpuType } : undefined,
    talosVersion: spec.talosVersion,
    kubernetesVersion: spec.kubernetesVersion,
    systemExtensions: spec.systemExtensions,
  };
}

/** Every warning, most severe first, each a sentence without its final period. */
export function clusterWarnings(subject: WarningSubject): string[] {
  const warnings: string[] = [];
  const members = subject.controlPlanes.length;
  if (members === 0) return warnings;
  if (members === 1) {
    warnings.push("A single control plane is not highly available: when it is down, the Kubernetes API, etcd and the VIP are down");
  }
  warnings.push(...hostWarnings(subject));
  if (subject.workerCount === 0 && subject.allowSchedulingOnControlPlanes === false) {
    warnings.push("allowSchedulingOnControlPlanes is false and there are no workers: no node will run workloads; add workers or allow scheduling on the control planes");
  }
  if (subject.proxmoxHa?.cpuType === "host") {
    warnings.push(
      "Proxmox HA is on and vm.cpuType is host: every move HA makes (failback, a rule change, a migration before host maintenance) live-migrates a running VM between hosts whose CPUs may differ, which can crash it; use a model every host supports, e.g. x86-64-v2-AES",
    );
  }
  const staleKey = staleElectionKeyRisk(subject.talosVersion);
  if (staleKey) warnings.push(staleKey);
  warnings.push(...versionWarnings(subject));
  return warnings;
}

/** Versions that are not known releases, and extensions not in the official list of the Talos release (plain lookups in committed lists). */
function versionWarnings(subject: WarningSubject): string[] {
  return [
    unknownReleaseWarning("Talos", "talosVersion", subject.talosVersion),
    unknownReleaseWarning("Kubernetes", "kubernetesVersion", subject.kubernetesVersion),
    ...unknownExtensionWarnings(subject.talosVersion, subject.systemExtensions ?? []),
  ].filter((warning): warning is string => warning !== undefined);
}

/** Where the control planes sit: one host for all, a host whose loss breaks quorum, control planes doubled up beside a free host. */
function hostWarnings(subject: WarningSubject): string[] {
  const members = subject.controlPlanes.length;
  const byHost = new Map<string, string[]>();
  for (const node of subject.controlPlanes) byHost.set(node.proxmoxHost, [...(byHost.get(node.proxmoxHost) ?? []), node.name]);
  if (members > 1 && byHost.size === 1) {
    const [host] = byHost.keys();
    return [`All ${members} control planes run on Proxmox host ${host}: losing ${host} stops the cluster`];
  }
  const warnings: string[] = [];
  const quorum = etcdQuorum(members);
  for (const [host, names] of byHost) {
    const remaining = members - names.length;
    if (members > 1 && remaining < quorum) {
      warnings.push(`Proxmox host ${host} runs ${names.length} of ${members} control planes: losing ${host} leaves ${remaining}, below the quorum of ${quorum}, and stops the cluster`);
    }
  }
  const free = subject.knownHosts.filter((host) => !byHost.has(host));
  if (free.length > 0) {
    for (const [host, names] of byHost) {
      if (names.length < 2) continue;
      warnings.push(
        `Control planes ${names.join(" and ")} share Proxmox host ${host} while ${free.join(", ")} ${free.length === 1 ? "carries" : "carry"} none: losing ${host} takes ${names.length} etcd members at once; spread them (leave proxmoxNode unset to place them round-robin over proxmox.nodes)`,
      );
    }
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
  return `Talos ${talosVersion} predates the fix of a stale VIP election key (v1.13.8, v1.12.11): a failover, even after a graceful reboot, can wait for the old holder's 60 s etcd lease; upgrade to v1.13.8 or later`;
}
