/**
 * lifecycle.replace_triggered_by in the review: a node's configuration apply
 * names its VM, and is replaced with it even when its own arguments are the
 * same. Terraform's rule (v1.11.4 EvaluateReplaceTriggeredBy): a bare resource
 * entry fires on its update or replacement, an attribute entry when that
 * attribute's planned value changes (`id`: only on replacement).
 */
import { renderReview } from "../../review/render-review";
import { parseEntry } from "../../review/replace-triggers";
import { diffStacks } from "../../review/resource-diff";
import { TerraformJson } from "../../review/stack-model";
import { synthHomelab, Block } from "../support/synth";


const VM = "proxmox_virtual_environment_vm.ControlPlane_Nodes_k8s-controller1_Vm_1234";
const APPLY = "talos_machine_configuration_apply.ControlPlane_Nodes_k8s-controller1_ConfigApply_ABCD";
const VM_BLOCK: Block = { name: "k8s-controller1", node_name: "pve", vm_id: 211, memory: { dedicated: 4096 } };
const APPLY_BLOCK: Block = { node: "192.168.1.211", endpoint: "192.168.1.211", depends_on: [VM] };

/** A stack with the VM and its apply, the apply naming the VM in replace_triggered_by as `entry`. */
function stack(vm: Block, entry: string | undefined): TerraformJson {
  const apply = entry === undefined ? APPLY_BLOCK : { ...APPLY_BLOCK, lifecycle: { replace_triggered_by: [entry] } };
  return {
    resource: {
      proxmox_virtual_environment_vm: { [VM.split(".")[1]]: vm },
      talos_machine_configuration_apply: { [APPLY.split(".")[1]]: apply },
    },
  };
}

const actions = (base: TerraformJson, head: TerraformJson) =>
  Object.fromEntries(diffStacks(base, head).changed.map(({ address, action }) => [address.split(".")[0], action]));

const BARE = [VM, `\${${VM}}`];
const ID = [`${VM}.id`, `\${${VM}.id}`];

describe.each([...BARE, ...ID])("replace_triggered_by = [%s]", (entry) => {
  test("a new vm_id replaces the VM and its apply, whose own arguments did not change", () => {
    const diff = diffStacks(stack(VM_BLOCK, entry), stack({ ...VM_BLOCK, vm_id: 311 }, entry));
    const apply = diff.changed.find(({ address }) => address === APPLY);
    expect(diff.changed.find(({ address }) => address === VM)?.action).toBe("replace");
    expect(apply).toMatchObject({ action: "replace", changes: [] });
    expect(apply?.triggeredBy.map(({ reason }) => reason)).toEqual([`replaced because ${VM} is replaced (lifecycle.replace_triggered_by)`]);
  });
});

describe("a memory change (the VM is updated in place)", () => {
  const head = (entry: string) => stack({ ...VM_BLOCK, memory: { dedicated: 8192 } }, entry);

  test.each(ID)("leaves the apply untouched when the entry names the VM's id: %s", (entry) => {
    expect(actions(stack(VM_BLOCK, entry), head(entry))).toEqual({ proxmox_virtual_environment_vm: "update" });
  });

  test.each(BARE)("replaces the apply when the entry names the whole VM, which fires on any update: %s", (entry) => {
    const diff = diffStacks(stack(VM_BLOCK, entry), head(entry));
    expect(actions(stack(VM_BLOCK, entry), head(entry))).toEqual({ proxmox_virtual_environment_vm: "update", talos_machine_configuration_apply: "replace" });
    expect(diff.changed.find(({ address }) => address === APPLY)?.triggeredBy[0].reason).toBe(
      `replaced because ${VM} is updated in place (lifecycle.replace_triggered_by)`
    );
  });

  test("replaces the apply when the entry names the memory attribute", () => {
    const diff = diffStacks(stack(VM_BLOCK, `${VM}.memory`), head(`${VM}.memory`));
    expect(diff.changed.find(({ address }) => address === APPLY)?.triggeredBy[0].reason).toBe(
      `replaced because ${VM}.memory changes (lifecycle.replace_triggered_by)`
    );
  });
});

describe("replace_triggered_by edge cases", () => {
  test("adding the entry while the VM stays the same plans nothing (a meta-argument)", () => {
    expect(actions(stack(VM_BLOCK, undefined), stack(VM_BLOCK, `${VM}.id`))).toEqual({ talos_machine_configuration_apply: "no-op" });
  });

  test("a configured attribute that keeps its value does not fire when the VM is replaced", () => {
    const entry = `${VM}.name`;
    expect(actions(stack(VM_BLOCK, entry), stack({ ...VM_BLOCK, vm_id: 311 }, entry))).toEqual({ proxmox_virtual_environment_vm: "replace" });
  });

  test("chains: a resource naming the triggered apply is replaced too", () => {
    const base = stack(VM_BLOCK, `${VM}.id`);
    const withChain = (json: TerraformJson): TerraformJson => ({
      resource: { ...json.resource, null_resource: { after_apply: { lifecycle: { replace_triggered_by: [APPLY] } } } },
    });
    expect(actions(withChain(base), withChain(stack({ ...VM_BLOCK, vm_id: 311 }, `${VM}.id`)))).toEqual({
      null_resource: "replace",
      proxmox_virtual_environment_vm: "replace",
      talos_machine_configuration_apply: "replace",
    });
  });

  test("reads the three written forms", () => {
    expect(parseEntry(VM)).toEqual({ upstream: VM, attribute: undefined });
    expect(parseEntry(`\${${VM}.id}`)).toEqual({ upstream: VM, attribute: "id" });
    expect(parseEntry(`${VM}.disk[0].size`)).toEqual({ upstream: VM, attribute: "disk.0.size" });
    expect(parseEntry("data.talos_client_configuration.x")).toBeUndefined();
  });
});

describe("the report for a renumbered node whose apply names its VM", () => {
  // The construct change B1, applied by hand to the reference JSON until the construct writes it.
  const withTriggers = (json: TerraformJson): TerraformJson => {
    const vms = Object.keys(json.resource!.proxmox_virtual_environment_vm);
    const applies = Object.fromEntries(
      Object.entries(json.resource!.talos_machine_configuration_apply).map(([name, block]) => {
        const vm = vms.find((candidate) => candidate.startsWith(name.replace(/_ConfigApply_.*$/, "_Vm_")))!;
        const lifecycle = { ...(block.lifecycle as object | undefined), replace_triggered_by: [`proxmox_virtual_environment_vm.${vm}.id`] };
        return [name, { ...block, lifecycle }];
      })
    );
    return { ...json, resource: { ...json.resource, talos_machine_configuration_apply: applies } };
  };
  const nodes = [
    { name: "k8s-controller1", ip: "192.168.1.211" },
    { name: "k8s-controller2", ip: "192.168.1.212" },
    { name: "k8s-controller3", ip: "192.168.1.213" },
  ];
  const base = withTriggers(synthHomelab({}).json as TerraformJson);
  const head = withTriggers(synthHomelab({ cluster: { controlPlanes: [{ ...nodes[0], vmId: 311 }, ...nodes.slice(1)] } }).json as TerraformJson);

  test("replaces that VM and its apply, and says why", () => {
    const diff = diffStacks(base, head);
    expect(diff.changed.map(({ type, action }) => [type, action])).toEqual([
      ["proxmox_virtual_environment_vm", "replace"],
      ["talos_machine_configuration_apply", "replace"],
    ]);
    const [vm, apply] = diff.changed;
    expect(vm.dependsOnOnly).toEqual([]);
    const review = renderReview({ head, base: { json: base, label: "the reference" } });
    expect(review).toContain(`- Replaces \`${apply.address}\` because \`${vm.address}\` is replaced (lifecycle.replace_triggered_by).`);
    expect(review).toContain(`  - **replaced** because \`${vm.address}\` is replaced (lifecycle.replace_triggered_by)`);
    expect(review).not.toContain("not applied again to the new VM");
  });
});
