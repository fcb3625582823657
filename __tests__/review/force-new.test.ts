/**
 * The force-new table against bpg/terraform-provider-proxmox v0.111.1 and
 * hashicorp/null v3.2.4: each corrected entry, tested through a base/head
 * pair of hand-made cdk.tf.json objects.
 */
import { argumentEffect } from "../../review/force-new";
import { diffStacks } from "../../review/resource-diff";
import { TerraformJson } from "../../review/stack-model";

type Block = Record<string, unknown>;

const VM_TYPE = "proxmox_virtual_environment_vm";
const BASE_VM: Block = {
  name: "k8s-controller1",
  node_name: "pve",
  vm_id: 211,
  template: false,
  efi_disk: { datastore_id: "local-lvm", file_format: "raw", pre_enrolled_keys: false, type: "4m" },
  tpm_state: { datastore_id: "local-lvm", version: "v2.0" },
  initialization: { datastore_id: "local-lvm", user_account: { username: "talos", keys: ["ssh-ed25519 AAAA-one"] } },
};

const stack = (type: string, block: Block): TerraformJson => ({ resource: { [type]: { x: block } } });

/** What the review plans for the one resource `x` when its block goes from `base` to `head`. */
function planFor(base: Block, head: Block, type = VM_TYPE) {
  const [change] = diffStacks(stack(type, base), stack(type, head)).changed;
  return { action: change?.action ?? "unchanged", outcomes: change?.changes.map(({ path, outcome }) => [path, outcome.kind]) ?? [] };
}

const without = (block: Block, key: string): Block => Object.fromEntries(Object.entries(block).filter(([name]) => name !== key));

describe("proxmox_virtual_environment_vm, updated in place", () => {
  test("template false -> true converts the VM in place (vm.go L1526-L1532, no ForceNew)", () => {
    expect(planFor(BASE_VM, { ...BASE_VM, template: true })).toEqual({ action: "update", outcomes: [["template", "in-place"]] });
  });

  test("adding the efi_disk block updates in place (vm.go L1892-L1895)", () => {
    expect(planFor(without(BASE_VM, "efi_disk"), BASE_VM)).toEqual({ action: "update", outcomes: [["efi_disk", "in-place"]] });
  });

  test("removing the efi_disk block updates in place", () => {
    expect(planFor(BASE_VM, without(BASE_VM, "efi_disk"))).toEqual({ action: "update", outcomes: [["efi_disk", "in-place"]] });
  });

  test("efi_disk.file_format and efi_disk.pre_enrolled_keys have no ForceNew", () => {
    const head = { ...BASE_VM, efi_disk: { ...(BASE_VM.efi_disk as Block), file_format: "qcow2", pre_enrolled_keys: true } };
    expect(planFor(BASE_VM, head)).toEqual({
      action: "update",
      outcomes: [
        ["efi_disk.file_format", "in-place"],
        ["efi_disk.pre_enrolled_keys", "in-place"],
      ],
    });
  });

  test("adding or removing the tpm_state block updates in place (vm.go L1831-L1833)", () => {
    expect(planFor(without(BASE_VM, "tpm_state"), BASE_VM)).toEqual({ action: "update", outcomes: [["tpm_state", "in-place"]] });
    expect(planFor(BASE_VM, without(BASE_VM, "tpm_state"))).toEqual({ action: "update", outcomes: [["tpm_state", "in-place"]] });
  });

  test("initialization.user_account changes update in place (no ForceNew since provider PR #1885)", () => {
    const withAccount = (account: Block) => ({ ...BASE_VM, initialization: { ...(BASE_VM.initialization as Block), user_account: account } });
    expect(planFor(BASE_VM, withAccount({ username: "admin", keys: ["ssh-ed25519 AAAA-two"] }))).toEqual({
      action: "update",
      outcomes: [
        ["initialization.user_account.keys", "in-place"],
        ["initialization.user_account.username", "in-place"],
      ],
    });
    const noAccount = { ...BASE_VM, initialization: without(BASE_VM.initialization as Block, "user_account") };
    expect(planFor(noAccount, BASE_VM)).toEqual({ action: "update", outcomes: [["initialization.user_account", "in-place"]] });
  });
});

describe("proxmox_virtual_environment_vm, replaced only when the block is kept", () => {
  const efiType = (type: string | undefined): Block => ({ ...BASE_VM, efi_disk: { ...(BASE_VM.efi_disk as Block), type } });

  test("efi_disk.type 4m -> 2m with the block before and after replaces (vm.go L1875-L1928)", () => {
    const plan = diffStacks(stack(VM_TYPE, BASE_VM), stack(VM_TYPE, efiType("2m"))).changed[0];
    expect(plan.action).toBe("replace");
    expect(plan.changes[0]).toMatchObject({
      path: "efi_disk.type",
      outcome: { kind: "replaces", rule: "CustomizeDiff forceNewOnEFIDiskTypeChange", see: expect.stringMatching(/vm\.go#L1875-L1928$/) },
    });
  });

  test("efi_disk.type compares with the provider's default 2m when unset", () => {
    expect(planFor(efiType(undefined), efiType("4m")).action).toBe("replace");
    expect(planFor(efiType(undefined), efiType("2m"))).toEqual({ action: "update", outcomes: [["efi_disk.type", "in-place"]] });
  });

  test("efi_disk added with a type is no replacement: the type only replaces when the block stays", () => {
    expect(planFor(without(BASE_VM, "efi_disk"), efiType("2m")).action).toBe("update");
  });

  test("efi_disk written as a list of one (HCL-style JSON) is read the same way", () => {
    const asList = (type: string): Block => ({ ...BASE_VM, efi_disk: [{ ...(BASE_VM.efi_disk as Block), type }] });
    expect(planFor(asList("4m"), asList("2m"))).toEqual({ action: "replace", outcomes: [["efi_disk.0.type", "replaces"]] });
    expect(planFor({ ...BASE_VM, efi_disk: [] }, asList("2m")).action).toBe("update");
  });

  test("tpm_state.version v2.0 -> v1.2 with the block before and after replaces (vm.go L1814-L1873)", () => {
    const head = { ...BASE_VM, tpm_state: { datastore_id: "local-lvm", version: "v1.2" } };
    expect(planFor(BASE_VM, head)).toEqual({ action: "replace", outcomes: [["tpm_state.version", "replaces"]] });
    expect(planFor(without(BASE_VM, "tpm_state"), head)).toEqual({ action: "update", outcomes: [["tpm_state", "in-place"]] });
  });

  test("without the old configuration, only terraform plan can tell", () => {
    expect(argumentEffect(VM_TYPE, "efi_disk.type", "4m", "2m", BASE_VM)).toMatchObject({
      kind: "unclassified",
      why: "CustomizeDiff forceNewOnEFIDiskTypeChange, and the old configuration is not known",
    });
  });
});

describe("null_resource (hashicorp/null v3.2.4 has an Update)", () => {
  const gate: Block = {
    triggers: { vip: "192.168.1.210" },
    provisioner: [{ "local-exec": { command: "wait-for-tls 192.168.1.210" } }],
  };

  test("a changed trigger replaces it (RequiresReplaceIfValuesNotNull, resource.go L42-L49)", () => {
    expect(planFor(gate, { ...gate, triggers: { vip: "192.168.1.220" } }, "null_resource")).toEqual({
      action: "replace",
      outcomes: [["triggers.vip", "replaces"]],
    });
  });

  test("a changed provisioner or depends_on alone plans nothing for the existing resource", () => {
    const head = { ...gate, provisioner: [{ "local-exec": { command: "wait-for-tls --timeout 600 192.168.1.210" } }], depends_on: ["null_resource.y"] };
    expect(planFor(gate, head, "null_resource")).toEqual({
      action: "no-op",
      outcomes: [
        ["depends_on", "meta"],
        ["provisioner.0.local-exec.command", "meta"],
      ],
    });
  });
});
