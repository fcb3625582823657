import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { Harule } from "../.gen/providers/proxmox/harule";
import { Hagroup } from "../.gen/providers/proxmox/hagroup";
import { Haresource } from "../.gen/providers/proxmox/haresource";
import { HaPlan } from "../domain/proxmox-ha-plan";
import { moveFromLongTypeName } from "./private/terraform-address";

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
 * HA resources and groups carry a `moved` block from their deprecated long
 * type names, so a state from before the short names moves over.
 */
export class ProxmoxHa extends Construct {
  public readonly resources = new Map<string, Haresource>();

  constructor(scope: Construct, id: string, props: ProxmoxHaProps) {
    super(scope, id);
    const groups = new Map<string, Hagroup>();
    // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/hagroup
    for (const group of props.plan.groups) {
      const haGroup = new Hagroup(this, `Group-${group.group}`, {
        group: group.group,
        nodes: group.nodes,
        restricted: group.restricted,
        noFailback: false,
        comment: group.comment,
      });
      moveFromLongTypeName(haGroup);
      groups.set(group.group, haGroup);
    }
    // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/haresource
    for (const resource of props.plan.resources) {
      const vm = props.vms.get(resource.name);
      const haResource = new Haresource(this, `Resource-${resource.name}`, {
        resourceId: resource.resourceId,
        state: "started",
        comment: resource.comment,
        group: resource.group !== undefined ? groups.get(resource.group)!.group : undefined,
        dependsOn: vm ? [vm] : undefined,
      });
      moveFromLongTypeName(haResource);
      this.resources.set(resource.name, haResource);
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
