/**
 * The rules of placement and Proxmox HA that would otherwise fail on
 * Proxmox, mid-apply, or fail the day a host dies. Pure; part of
 * `validateClusterSpec`.
 */
import { ClusterSpec, NodeSpec, clusterHostsOf } from "./cluster-spec";
import { etcdQuorum, failuresTolerated } from "./quorum";
import { ValidationProblem, fieldRef } from "./validation-problem";
import { dataDiskListsOf } from "./data-disk-rules";

/** Every placement and HA problem of the resolved spec. */
export function placementProblems(spec: ClusterSpec): ValidationProblem[] {
  return [...hostListProblems(spec), ...quorumPlacementProblems(spec), ...proxmoxHaProblems(spec)];
}

const entriesOf = (spec: ClusterSpec) => [
  ...spec.nodes.map((node, index) => ({ node, field: `controlPlanes[${index}].proxmoxNode` })),
  ...spec.workers.map((node, index) => ({ node, field: `workers[${index}].proxmoxNode` })),
];

/** `proxmoxNode` beside `proxmoxNodes`, and a node's host missing from `proxmoxNodes`. */
function hostListProblems(spec: ClusterSpec): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const hosts = spec.proxmoxNodes;
  if (hosts.length === 0) return problems;
  if (spec.proxmoxNodeGiven) {
    problems.push({
      field: "proxmoxNode",
      value: spec.proxmoxNode,
      message: `is ignored while ${fieldRef("proxmoxNodes")} is set (VMs that name no host are spread over ${hosts.join(", ")}); remove one of the two: ${fieldRef("proxmoxNodes")} to spread the VMs, ${fieldRef("proxmoxNode")} to put them all on one host`,
    });
  }
  for (const { node, field } of entriesOf(spec)) {
    if (typeof node.proxmoxHost !== "string" || hosts.includes(node.proxmoxHost)) continue;
    const alike = hosts.find((host) => comparable(host) === comparable(node.proxmoxHost));
    problems.push({
      field,
      value: node.proxmoxHost,
      message: `is not one of ${fieldRef("proxmoxNodes")} (${hosts.join(", ")}), so Proxmox would refuse the VM mid-apply; ${alike ? `did you mean ${alike}? ` : ""}use a listed host's name exactly as Proxmox shows it, or add it to ${fieldRef("proxmoxNodes")}`,
    });
  }
  return problems;
}

const comparable = (name: string) => name.toLowerCase().replace(/[-_.]/g, "");

/**
 * A host whose loss would lose etcd quorum, when the hosts could hold the
 * control planes so that no host's loss does: each host may carry at most
 * as many members as etcd tolerates losing. (With fewer hosts no placement
 * avoids it: a synth warning says what losing the host does.)
 */
function quorumPlacementProblems(spec: ClusterSpec): ValidationProblem[] {
  const members = spec.nodes.length;
  if (members < 3) return []; // one or two members tolerate no failure: nothing to keep
  const tolerated = failuresTolerated(members);
  const hosts = clusterHostsOf(spec);
  if (hosts.length * tolerated < members) return [];
  const byHost = new Map<string, { node: NodeSpec; index: number }[]>();
  spec.nodes.forEach((node, index) => byHost.set(node.proxmoxHost, [...(byHost.get(node.proxmoxHost) ?? []), { node, index }]));
  const problems: ValidationProblem[] = [];
  for (const [host, onHost] of byHost) {
    if (onHost.length <= tolerated) continue;
    const names = onHost.map(({ node }) => node.name);
    const roomy = hosts.filter((other) => (byHost.get(other)?.length ?? 0) < tolerated);
    // Reported on the member that tips the host over, as the user wrote it (or as it was placed).
    const { node, index } = onHost[tolerated];
    problems.push({
      field: `controlPlanes[${index}].proxmoxNode`,
      value: host,
      ...(node.proxmoxHostGiven ? {} : { origin: `not set: placed over ${fieldRef("proxmoxNodes")}` }),
      message: `Proxmox host ${host} would run control planes ${names.join(", ")}: losing ${host} leaves ${members - onHost.length} of ${members} etcd members, below the quorum of ${etcdQuorum(members)}, and stops the cluster, though the ${hosts.length} hosts (${hosts.join(", ")}) can hold ${members} control planes so that losing any one keeps quorum; move ${node.name} to ${roomy.join(" or ") || "another host"}, or leave its proxmoxNode unset to place it`,
    });
  }
  return problems;
}

/** HA on storage one host has; a node or a data disk with its own datastore under HA; a strict rule Proxmox would refuse. */
function proxmoxHaProblems(spec: ClusterSpec): ValidationProblem[] {
  if (!spec.haEnabled) return [];
  const problems: ValidationProblem[] = [];
  if (!spec.datastoreShared) {
    problems.push({
      field: "haEnabled",
      value: true,
      message: `needs the VM disks on storage every host sees: Proxmox HA recovers a VM of a failed host on another host without checking its storage (pve-ha-manager), so with ${fieldRef("datastoreId")} ${spec.datastoreId} on one host's own disks the VM lands on a host without its disk and ends in error; put the VMs on shared storage (Ceph RBD, NFS, ...) and set ${fieldRef("datastoreShared")}: true, or turn HA off`,
    });
  }
  for (const [list, nodes] of [["controlPlanes", spec.nodes], ["workers", spec.workers]] as const) {
    nodes.forEach((node, index) => {
      if (node.datastoreId === spec.datastoreId) return;
      problems.push({
        field: `${list}[${index}].datastoreId`,
        value: node.datastoreId,
        message: `under Proxmox HA every VM's disks must be on the shared ${fieldRef("datastoreId")} (${spec.datastoreId}), which ${fieldRef("datastoreShared")} declares; remove this node's own datastoreId`,
      });
    });
  }
  // A data disk on another datastore would stay behind on a failed host too. One that names none is on
  // its VM's datastore: a node's own datastoreId is reported above.
  for (const { field, disks } of dataDiskListsOf(spec)) {
    disks.forEach((disk, index) => {
      if (disk.datastoreId === undefined || disk.datastoreId === spec.datastoreId) return;
      problems.push({
        field: `${field}[${index}].datastoreId`,
        value: disk.datastoreId,
        message: `under Proxmox HA a data disk must be on the shared ${fieldRef("datastoreId")} (${spec.datastoreId}) too: HA restarts the VM of a failed host elsewhere, and a disk on ${disk.datastoreId} would stay behind; remove this disk's datastoreId (it then takes the VM's)`,
      });
    });
  }
  const strictProblem = strictRuleProblem(spec);
  return strictProblem ? [...problems, strictProblem] : problems;
}

/**
 * pve-ha-manager refuses a negative resource-affinity rule with more VMs than
 * the cluster has hosts ("rule defines more resources than available nodes"),
 * and one whose VMs' node-affinity rules (their homes) name fewer hosts than
 * it has VMs: under a strict pve9 rule every control plane needs a home of its own.
 */
function strictRuleProblem(spec: ClusterSpec): ValidationProblem | undefined {
  const members = spec.nodes.length;
  if (!spec.haKeepControlPlanesApart || !spec.haStrict || spec.haRules !== "pve9" || members < 2) return undefined;
  const hosts = clusterHostsOf(spec);
  const fix = `list more hosts in ${fieldRef("proxmoxNodes")}, or set ${fieldRef("haStrict")}: false`;
  if (members > hosts.length) {
    return {
      field: "haStrict",
      value: true,
      message: `a strict rule keeping ${members} control planes apart needs at least ${members} hosts, and the cluster has ${hosts.length} (${hosts.join(", ")}): Proxmox refuses it ("rule defines more resources than available nodes"); ${fix}`,
    };
  }
  const byHost = new Map<string, string[]>();
  for (const node of spec.nodes) byHost.set(node.proxmoxHost, [...(byHost.get(node.proxmoxHost) ?? []), node.name]);
  const shared = [...byHost].filter(([, names]) => names.length > 1);
  if (shared.length === 0) return undefined;
  return {
    field: "haStrict",
    value: true,
    message: `a strict rule keeps the control planes on separate hosts, but ${shared.map(([host, names]) => `${names.join(" and ")} have their home on ${host}`).join(", ")}: Proxmox refuses a rule whose VMs' homes name fewer hosts than it has VMs; give each control plane a host of its own (leave proxmoxNode unset to place them), or set ${fieldRef("haStrict")}: false`,
  };
}
