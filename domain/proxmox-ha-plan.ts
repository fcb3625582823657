/**
 * What Proxmox HA objects a cluster needs: one HA resource per VM, a home for
 * each VM, and what keeps the control planes apart. Pure: the construct
 * (`proxmox-ha.ts`) only turns this plan into resources.
 *
 * Under HA, placement belongs to these objects, not to the VMs' `node_name`
 * (which the VMs ignore): each VM's home says where Proxmox runs it, so
 * moving a VM is a change of its home, and HA live-migrates it once.
 * - `pve9` (HA rules): a non-strict node-affinity rule per VM naming its home
 *   host: it runs there, runs elsewhere while that host is down, and fails
 *   back when it returns. With `keepControlPlanesApart` and `strict`, one
 *   negative resource-affinity rule over the control planes too: they never
 *   share a host, so while a host is down its control plane stays down
 *   (etcd one member short) unless a host carries none. (pve-ha-manager
 *   accepts a VM in one node-affinity rule and a negative resource-affinity
 *   rule, as long as the home rules together name at least as many hosts as
 *   the negative rule has VMs: validation refuses the rest.)
 * - `pve8` (HA groups; Proxmox VE 8 has no rules): a group per VM, its home
 *   host first and the others at a lower priority; with `keepControlPlanesApart`
 *   and `strict`, a control plane's group is restricted to its home host.
 */
import { HaRulesKind } from "./cluster-fields";

export interface HaVm {
  readonly name: string;
  readonly vmId: number;
  /** The Proxmox host it is placed on. */
  readonly host: string;
}

export interface HaPlanInput {
  readonly clusterName: string;
  readonly controlPlanes: readonly HaVm[];
  readonly workers: readonly HaVm[];
  /** Every Proxmox host of the cluster, in order. */
  readonly hosts: readonly string[];
  readonly keepControlPlanesApart: boolean;
  readonly strict: boolean;
  readonly rules: HaRulesKind;
}

export interface HaResourcePlan {
  readonly name: string;
  readonly resourceId: string;
  readonly role: "control-plane" | "worker";
  /** Proxmox VE 8: the HA group it belongs to. */
  readonly group?: string;
  readonly comment: string;
}

export interface HaRulePlan {
  readonly rule: string;
  readonly type: "resource-affinity" | "node-affinity";
  readonly affinity?: "negative";
  readonly resources: readonly string[];
  /** node-affinity: host -> priority. */
  readonly nodes?: Readonly<Record<string, number>>;
  readonly strict?: boolean;
  readonly comment: string;
}

export interface HaGroupPlan {
  readonly group: string;
  readonly nodes: Readonly<Record<string, number>>;
  readonly restricted: boolean;
  readonly comment: string;
}

export interface HaPlan {
  readonly resources: readonly HaResourcePlan[];
  readonly rules: readonly HaRulePlan[];
  readonly groups: readonly HaGroupPlan[];
}

export const haResourceId = (vm: HaVm) => `vm:${vm.vmId}`;

export function planProxmoxHa(input: HaPlanInput): HaPlan {
  const { clusterName, controlPlanes, workers, hosts, keepControlPlanesApart, strict, rules } = input;
  const keptApart = keepControlPlanesApart && strict && controlPlanes.length >= 2;
  const homeOf = (vm: HaVm) => `${clusterName}-${vm.name}`;
  const vms = [...controlPlanes.map((vm) => ({ vm, role: "control-plane" as const })), ...workers.map((vm) => ({ vm, role: "worker" as const }))];
  const resources: HaResourcePlan[] = vms.map(({ vm, role }) => ({
    name: vm.name,
    resourceId: haResourceId(vm),
    role,
    ...(rules === "pve8" ? { group: homeOf(vm) } : {}),
    comment: `Talos ${role === "worker" ? "worker" : "control plane"} ${vm.name} of cluster ${clusterName}; managed by cdktf`,
  }));

  if (rules === "pve8") {
    const groups = vms.map(({ vm, role }) => {
      const onlyHome = keptApart && role === "control-plane";
      return {
        group: homeOf(vm),
        nodes: onlyHome ? { [vm.host]: 1 } : Object.fromEntries(hosts.map((host) => [host, host === vm.host ? 2 : 1])),
        restricted: onlyHome,
        comment: `Home of ${vm.name} (cluster ${clusterName}): ${vm.host}${onlyHome ? ", only there" : ", elsewhere while it is down"}`,
      };
    });
    return { resources, rules: [], groups };
  }
  const homes: HaRulePlan[] = vms.map(({ vm }) => ({
    rule: `${homeOf(vm)}-home`,
    type: "node-affinity",
    resources: [haResourceId(vm)],
    nodes: { [vm.host]: 1 },
    strict: false,
    comment: `${vm.name} (cluster ${clusterName}) runs on ${vm.host}, elsewhere only while ${vm.host} is down`,
  }));
  const apart: HaRulePlan[] = keptApart
    ? [
        {
          rule: `${clusterName}-control-planes-apart`,
          type: "resource-affinity",
          affinity: "negative",
          resources: controlPlanes.map(haResourceId),
          comment: `Control planes of cluster ${clusterName} never share a host`,
        },
      ]
    : [];
  return { resources, groups: [], rules: [...homes, ...apart] };
}
