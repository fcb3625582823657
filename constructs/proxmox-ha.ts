import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Harule } from "../.gen/providers/proxmox/harule";
import { VirtualEnvironmentHagroup } from "../.gen/providers/proxmox/virtual-environment-hagroup";
import { VirtualEnvironmentHaresource } from "../.gen/providers/proxmox/virtual-environment-haresource";
import { HaPlan } from "../domain/proxmox-ha-plan";

export interface ProxmoxHaProps {
  readonly plan: HaPlan;
  /** Each VM by name: its HA resource is created after it. */
  readonly vms: ReadonlyMap<string, ITerraformDependable>;
}

/**
 * Proxmox's own high availability for the cluster's VMs: an HA resource per
 * VM (Proxmox restarts it, on another host when its host fails and its disks
 * are shared), and the rules or groups that keep the control planes apart
 * (see `proxmox-ha-plan.ts`). Rules name HA resources, so they come after them.
 */
export class ProxmoxHa extends Construct {
  public readonly resources = new Map<string, VirtualEnvironmentHaresource>();

  constructor(scope: Construct, id: string, props: ProxmoxHaProps) {
    super(scope, id);
    const groups = new Map<string, VirtualEnvironmentHagroup>();
    // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/virtual_environment_hagroup
    for (const group of props.plan.groups) {
      groups.set(
        group.group,
        new VirtualEnvironmentHagroup(this, `Group-${group.group}`, {
          group: group.group,
          nodes: group.nodes,
          restricted: group.restricted,
          noFailback: false,
          comment: group.comment,
        }),
      );
    }
    // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/virtual_environment_haresource
    for (const resource of props.plan.resources) {
      const vm = props.vms.get(resource.name);
      this.resources.set(
        resource.name,
        new VirtualEnvironmentHaresource(this, `Resource-${resource.name}`, {
          resourceId: resource.resourceId,
          state: "started",
          comment: resource.comment,
          group: resource.group !== undefined ? groups.get(resource.group)!.group : undefined,
          dependsOn: vm ? [vm] : undefined,
        }),
      );
    }
    // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/harule
    for (const rule of props.plan.rules) {
      new Harule(this, `Rule-${rule.rule}`, {
        rule: rule.rule,
        type: rule.type,
        affinity: rule.affinity,
        resources: [...rule.resources],
        nodes: rule.nodes,
        strict: rule.strict,
        comment: rule.comment,
        dependsOn: [...this.resources.values()].filter((resource) => rule.resources.includes(resource.resourceIdInput ?? "")),
      });
    }
  }
}
