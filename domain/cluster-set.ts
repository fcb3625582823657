/**
 * Several clusters in one checkout: each is one stack, named after it. What
 * two clusters may not share (a name, a VIP, a node address, a VM id on a
 * Proxmox host both use), and how a command picks one of them. Pure.
 */
import type { ClusterSpec } from "./cluster-spec";
import { LEGACY_STACK_ID, localStateFileOf, stackIdOf } from "./stack-outputs";

/** A cluster and where it was described, for messages (a file name, or the reference homelab). */
export interface DescribedCluster {
  readonly source: string;
  readonly spec: ClusterSpec;
}

/**
 * Every conflict between the clusters, each naming both sources. Addresses are
 * compared across all VMs and VIPs; VM ids only between VMs on the same Proxmox
 * host name (ids are unique per Proxmox cluster; two clusters on different
 * Proxmox clusters may reuse them, but a host name they share is taken for one
 * Proxmox cluster).
 */
export function clusterSetProblems(clusters: readonly DescribedCluster[]): string[] {
  const problems: string[] = [];
  const seen = <T>() => new Map<T, { readonly source: string; readonly what: string }>();
  const names = seen<string>();
  const addresses = seen<string>();
  const vmIds = seen<string>();
  const claim = <T>(map: Map<T, { source: string; what: string }>, key: T, source: string, what: string, conflict: (first: { source: string; what: string }) => string) => {
    const first = map.get(key);
    if (first === undefined) map.set(key, { source, what });
    else if (first.source !== source) problems.push(conflict(first));
  };
  for (const { source, spec } of clusters) {
    claim(names, stackIdOf(spec.clusterName), source, "clusterName", (first) => `${source} and ${first.source} both name their cluster ${spec.clusterName}: each cluster is one stack and one state, named after it; rename one (clusterName)`);
    const vms = [...spec.nodes, ...spec.workers];
    const address = (ip: string, what: string) =>
      claim(addresses, ip, source, what, (first) => `${source} (${what}) and ${first.source} (${first.what}) both use the address ${ip}: two clusters cannot share an address; change one`);
    address(spec.vip, "vip");
    for (const vm of vms) address(vm.ip, `node ${vm.name}`);
    for (const vm of vms) {
      claim(vmIds, `${vm.proxmoxHost}/${vm.vmId}`, source, `node ${vm.name}`, (first) =>
        `${source} (node ${vm.name}) and ${first.source} (${first.what}) both put VM id ${vm.vmId} on Proxmox host ${vm.proxmoxHost}: VM ids are unique in a Proxmox cluster; set vmId on one of them`,
      );
    }
  }
  return problems;
}

/** The stack a command acts on: the one asked for, or the only one there is. */
export type ClusterChoice = { readonly stackId: string } | { readonly problem: string };

/**
 * Picks the cluster a command acts on among the stacks there are.
 * @param flag how the command takes a cluster name, for the messages (`--cluster NAME`)
 */
export function chooseCluster(available: readonly string[], requested: string | undefined, flag = "--cluster NAME"): ClusterChoice {
  const list = [...available].sort().join(", ");
  if (requested !== undefined) {
    return available.includes(requested) ? { stackId: requested } : { problem: `no cluster named ${requested} here; the clusters are: ${list || "(none)"}` };
  }
  if (available.length === 1) return { stackId: available[0] };
  if (available.length === 0) return { problem: "no cluster is synthesized here: run npm run synth first" };
  return { problem: `there are several clusters (${list}): name one with ${flag}` };
}

/** Whether a synthesized stack (its cdk.tf.json) keeps its state in a local file: its backend is `local`. */
export function keepsLocalState(stackJson: unknown): boolean {
  const backend = (stackJson as { terraform?: { backend?: Record<string, unknown> } } | undefined)?.terraform?.backend;
  return backend?.local !== undefined;
}

/** A stack as the legacy-state rule sees it. */
export interface StackState {
  readonly stackId: string;
  /** Whether its state is a local file (the pg backend's schema was always named after the cluster). */
  readonly local: boolean;
}

/**
 * The local state a stack must take over before anything plans it: before
 * stacks were named after their cluster, every cluster's local state was
 * `terraform.homelab.tfstate`. A cluster named otherwise whose own state file
 * does not exist yet, beside that file, would be planned from empty (every
 * VM created again, new machine secrets). Undefined when there is nothing to
 * move: a cluster named homelab is configured (the file is its own), or the
 * file is gone.
 * @param exists whether a file of that name is in the project folder
 */
export function legacyStateMove(stacks: readonly StackState[], stackId: string, exists: (file: string) => boolean): string | undefined {
  const legacyFile = localStateFileOf(LEGACY_STACK_ID);
  const stack = stacks.find((candidate) => candidate.stackId === stackId);
  if (stack === undefined || !stack.local || stackId === LEGACY_STACK_ID) return undefined;
  if (stacks.some((candidate) => candidate.stackId === LEGACY_STACK_ID) || !exists(legacyFile) || exists(localStateFileOf(stackId))) return undefined;
  const others = stacks.filter((candidate) => candidate.local && candidate.stackId !== stackId).map((candidate) => candidate.stackId);
  return (
    `${legacyFile} in the project folder is the local state of a cluster from before each cluster had a stack of its own; ` +
    `cluster ${stackId}'s state is now ${localStateFileOf(stackId)}, which does not exist, so Terraform would plan ${stackId} from empty (every VM and the machine secrets created again). ` +
    `If ${legacyFile} is ${stackId}'s${others.length > 0 ? ` (and not ${others.join(", ")}'s)` : ""}, move it first: mv ${legacyFile} ${localStateFileOf(stackId)}`
  );
}
