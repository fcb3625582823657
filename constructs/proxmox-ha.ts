import { Construct } from "constructs";
import { TerraformResource } from "cdktf";
import { Harule } from "../.gen/providers/proxmox/harule";
import { Hagroup } from "../.gen/providers/proxmox/hagroup";
import { Haresource } from "../.gen/providers/proxmox/haresource";
import { HaPlan } from "../domain/proxmox-ha-plan";
import { moveFromLongTypeName, terraformAddress } from "./private/terraform-address";

export interface ProxmoxHaProps {
  readonly plan: HaPlan;
  /** Each VM by name: its HA resource is created after it, and re-created with it. */
  readonly vms: ReadonlyMap<string, TerraformResource>;
}

/**
 * Proxmox's own high availability for the cluster's VMs: an HA resource per
 * VM (Proxmox restarts it, on another host when its host fails and its disks
 * are shared), and the rules or groups that keep the control planes apart
 * (see `proxmox-ha-plan.ts`). Rules name HA resources, so they come after them.
 *
 * Destroying a VM purges it from HA: bpg destroys with `purge_on_destroy`, and
 * qemu-server removes the VM's HA resource and drops it from every rule,
 * deleting rules left empty (pve-ha-manager `delete_service_from_config`).
 * Terraform would still list them, and the new VM would run without HA until
 * a second apply. So an HA resource is replaced whenever its VM is (the VM's
 * id is unknown exactly then, and changes with a new vmId, where the provider
 * would otherwise PUT the new id to the old `vm:<old>`), and a rule whenever
 * one of its HA resources is. Groups name no VM and survive the purge.
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
        lifecycle: vm ? { replaceTriggeredBy: [`${terraformAddress(vm)}.id`] } : undefined,
      });
      moveFromLongTypeName(haResource);
      this.resources.set(resource.name, haResource);
    }
    // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/harule
    for (const rule of props.plan.rules) {
      const members = props.plan.resources.filter((resource) => rule.resources.includes(resource.resourceId));
      const memberVms = members.flatMap((member) => props.vms.get(member.name) ?? []);
      new Harule(this, `Rule-${rule.rule}`, {
        rule: rule.rule,
        type: rule.type,
        affinity: rule.affinity,
        resources: [...rule.resources],
        nodes: rule.nodes,
        strict: rule.strict,
        comment: rule.comment,
        dependsOn: members.map((member) => this.resources.get(member.name)!),
        // Replaced with its HA resources, which are replaced exactly when their VMs are:
        // the VMs' ids say it surely (unknown while re-created), whatever the HA resource's id does.
        lifecycle: { replaceTriggeredBy: memberVms.map((vm) => `${terraformAddress(vm)}.id`) },
      });
    }
  }
}
