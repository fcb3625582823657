/**
 * What a change does under Proxmox HA that the resource diff alone does not
 * say: a switch between HA groups and rules (the Proxmox 8 to 9 path), and a
 * VM moved to another host, which HA carries out, not Terraform. Pure.
 */
import { code } from "./markdown";
import { HaModel, StackModel } from "./stack-model";

/** The warnings, in that order; none when neither stack uses Proxmox HA. */
export function haChangeWarnings(base: StackModel, head: StackModel): string[] {
  const kind = rulesKindChange(base.ha, head.ha, head.clusterName);
  return [...(kind ? [kind] : []), ...haMoves(base, head)];
}

/**
 * pve8 -> pve9: once every host runs Proxmox VE 9, pve-ha-manager rewrites each
 * group as a rule `ha-group-<group>` and the groups API refuses every call, so
 * the groups are forgotten in the state and the migrated rules removed before
 * the deploy (docs/proxmox.md, Upgrading Proxmox 8 to 9). pve9 -> pve8 only
 * works on Proxmox VE 8, which has no rules.
 */
function rulesKindChange(base: HaModel | undefined, head: HaModel | undefined, clusterName: string | undefined): string | undefined {
  if (!base?.rules || !head?.rules || base.rules === head.rules) return undefined;
  const steps = "docs/proxmox.md, Upgrading Proxmox 8 to 9";
  if (head.rules === "pve8") {
    return `proxmoxHa.rules changes from pve9 to pve8: HA groups exist only on Proxmox VE 8, and Proxmox VE 9 refuses to create them ("ha groups have been migrated to rules"); keep pve9 unless these hosts run Proxmox VE 8.`;
  }
  const folder = clusterName ? `cdktf.out/stacks/${clusterName}` : "the stack folder";
  // The base's addresses are the state's: what was deployed last.
  const forget = base.groups.map(({ address }) => code(`terraform state rm '${address}'`));
  const remove = base.groups.map(({ group }) => code(`ha-manager rules remove ha-group-${group}`));
  return (
    `proxmoxHa.rules changes from pve8 to pve9: deploy it only once every host runs Proxmox VE 9 and pve-ha-manager has migrated the HA groups to rules (\`ha-manager rules config\` lists \`ha-group-*\` rules), then follow ${steps}: ` +
    `${forget.length > 0 ? `in ${code(folder)} run ${forget.join(", ")}; ` : ""}` +
    `${remove.length > 0 ? `on a host run ${remove.join(", ")} (Proxmox refuses a VM in two node-affinity rules); ` : ""}` +
    `then deploy. Before the migration, the new rules are refused ("ha groups have not been migrated yet").`
  );
}

/**
 * Under HA the VMs ignore `node_name`: a VM placed on another host keeps
 * running where it is until the deploy changes its home, and Proxmox HA then
 * live-migrates it once (a stopped VM starts there next time).
 */
function haMoves(base: StackModel, head: StackModel): string[] {
  const before = new Map([...base.nodes, ...base.workers].map((vm) => [vm.name, vm]));
  const home = head.ha?.rules === "pve8" ? "HA group" : "home rule";
  return [...head.nodes, ...head.workers].flatMap((vm) => {
    const was = before.get(vm.name);
    if (!vm.haManaged || !was || was.proxmoxHost === vm.proxmoxHost) return [];
    return [
      `Moves ${vm.name} from ${was.proxmoxHost} to ${vm.proxmoxHost} under Proxmox HA: Terraform leaves the VM in place (its node_name is ignored) and changes its ${home}; Proxmox HA then live-migrates it once. Move control planes one per deploy, and let each rejoin etcd first.`,
    ];
  });
}
