/**
 * What Proxmox HA objects a cluster needs: one HA resource per VM, and what
 * keeps the control planes apart. Pure: the construct (`proxmox-ha.ts`) only
 * turns this plan into resources.
 *
 * Keeping control planes apart, by `rules` and `strict`:
 * - `pve9`, strict: one negative resource-affinity rule over the control
 *   planes: they never share a host, so while a host is down its control
 *   plane stays down (etcd one member short) until the host returns.
 * - `pve9`, not strict: one non-strict node-affinity rule per control plane
 *   naming its home host: it runs there, may be restarted next to another
 *   control plane while its host is down, and fails back when the host
 *   returns. (The Proxmox API's `strict` flag exists only for node-affinity
 *   rules, so that is how "apart, but not at any price" is expressed.)
 * - `pve8` (HA groups; Proxmox VE 8 has no rules): one group per control
 *   plane, its home host first; strict restricts it to the home host, not
 *   strict lets it run on the other hosts at a lower priority.
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
  const groupOf = (vm: HaVm) => `${clusterName}-${vm.name}`;
  const useGroups = keepControlPlanesApart && rules === "pve8";
  const resources: HaResourcePlan[] = [
    ...controlPlanes.map((vm) => ({
      name: vm.name,
      resourceId: haResourceId(vm),
      role: "control-plane" as const,
      ...(useGroups ? { group: groupOf(vm) } : {}),
      comment: `Talos control plane ${vm.name} of cluster ${clusterName}; managed by cdktf`,
    })),
    ...workers.map((vm) => ({ name: vm.name, resourceId: haResourceId(vm), role: "worker" as const, comment: `Talos worker ${vm.name} of cluster ${clusterName}; managed by cdktf` })),
  ];
  if (!keepControlPlanesApart || controlPlanes.length < 2) return { resources, rules: [], groups: [] };

  if (rules === "pve8") {
    const groups = controlPlanes.map((vm) => ({
      group: groupOf(vm),
      nodes: strict ? { [vm.host]: 1 } : Object.fromEntries(hosts.map((host) => [host, host === vm.host ? 2 : 1])),
      restricted: strict,
      comment: `Home of ${vm.name} (cluster ${clusterName}); ${strict ? "only there" : "elsewhere while it is down"}`,
    }));
    return { resources, rules: [], groups };
  }
  if (strict) {
    return {
      resources,
      groups: [],
      rules: [
        {
          rule: `${clusterName}-control-planes-apart`,
          type: "resource-affinity",
          affinity: "negative",
          resources: controlPlanes.map(haResourceId),
          comment: `Control planes of cluster ${clusterName} never share a host`,
        },
      ],
    };
  }
  return {
    resources,
    groups: [],
    rules: controlPlanes.map((vm) => ({
      rule: `${clusterName}-${vm.name}-home`,
      type: "node-affinity" as const,
      resources: [haResourceId(vm)],
      nodes: { [vm.host]: 1 },
      strict: false,
      comment: `${vm.name} (cluster ${clusterName}) runs on ${vm.host}, elsewhere only while ${vm.host} is down`,
    })),
  };
}
