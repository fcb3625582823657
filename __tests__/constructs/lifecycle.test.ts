/**
 * Every plan must be safe to apply: the PKI survives, upgrades never replace
 * VMs, growing the cluster or resizing one node touches only that node, no
 * change reboots two control planes at once, and the bootstrap never repeats.
 */
import { ControlPlaneHaProps } from "../../domain";
import { TerraformJson, addressOf, blocksOf, synthHomelab } from "../support/synth";

/** Every resource by Terraform address, with its configuration (data sources and outputs left out). */
function resourcesByAddress(json: TerraformJson): Map<string, string> {
  return new Map(
    Object.entries(json.resource).flatMap(([type, blocks]) => Object.entries(blocks).map(([name, block]) => [`${type}.${name}`, JSON.stringify(block)] as const)),
  );
}

/** Addresses added, removed and changed between two synths. */
function diff(before: TerraformJson, after: TerraformJson) {
  const [a, b] = [resourcesByAddress(before), resourcesByAddress(after)];
  return {
    added: [...b.keys()].filter((address) => !a.has(address)).sort(),
    removed: [...a.keys()].filter((address) => !b.has(address)).sort(),
    changed: [...a.keys()].filter((address) => b.has(address) && a.get(address) !== b.get(address)).sort(),
  };
}

const reference = synthHomelab().json;

describe("machine secrets", () => {
  test("cannot be destroyed by a plan, and a Talos version change does not regenerate them", () => {
    const [[, secrets]] = blocksOf(reference, "talos_machine_secrets");
    expect(secrets.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["talos_version"] });
  });
});

describe("Talos upgrades", () => {
  const from: ControlPlaneHaProps = { talosVersion: "v1.12.11", kubernetesVersion: "v1.35.2" };
  const to: ControlPlaneHaProps = { talosVersion: "v1.13.9", kubernetesVersion: "v1.35.2" };

  test("change the image and the secrets' (ignored) input, never a VM, and never the configuration's contract", () => {
    const [before, after] = [synthHomelab({ cluster: from }).json, synthHomelab({ cluster: to }).json];
    const changes = diff(before, after);
    expect(changes.added).toEqual([]);
    expect(changes.removed).toEqual([]);
    expect(changes.changed.map((address) => address.split(".")[0]).sort()).toEqual(["proxmox_download_file", "talos_machine_secrets"]);
    // The configuration keeps generating for the contract the secrets were created with
    // (their talos_version in the state, which ignores the change): the OS moves, the contract does not.
    const talosVersionOf = (json: TerraformJson) => blocksOf(json, "talos_machine_configuration", "data")[0][1].talos_version;
    expect(talosVersionOf(after)).toBe(talosVersionOf(before));
    expect(talosVersionOf(after)).toMatch(/^\$\{talos_machine_secrets\.ControlPlane_Secrets_\w+\.talos_version\}$/);
    const [[, secrets]] = blocksOf(after, "talos_machine_secrets");
    expect(secrets).toMatchObject({ talos_version: "v1.13", lifecycle: { ignore_changes: ["talos_version"] } });
  });

  test("a new image never replaces a VM: the boot disk's source is only read at creation", () => {
    for (const [, vm] of blocksOf(reference, "proxmox_virtual_environment_vm")) {
      expect(vm.lifecycle).toEqual({ ignore_changes: ["disk[0].file_id", "disk[0].import_from"] });
    }
  });
});

describe("growing and resizing the cluster", () => {
  const five = {
    controlPlanes: [
      { name: "k8s-controller1", ip: "192.168.1.211" },
      { name: "k8s-controller2", ip: "192.168.1.212" },
      { name: "k8s-controller3", ip: "192.168.1.213" },
      { name: "k8s-controller4", ip: "192.168.1.214" },
      { name: "k8s-controller5", ip: "192.168.1.215" },
    ],
  };

  test("adding a fourth and fifth control plane only adds their resources", () => {
    const grown = synthHomelab({ cluster: five }).json;
    const changes = diff(reference, grown);
    expect(changes.removed).toEqual([]);
    // The first deploy's wait runs again, for the new nodes: its triggers gain their VMs' ids.
    const [gate] = changes.changed;
    expect(changes.changed).toEqual([expect.stringMatching(/^null_resource\.ControlPlane_VipReady_Wait_/)]);
    const triggers = (json: TerraformJson) => Object.keys(json.resource.null_resource[gate.split(".")[1]].triggers as object).sort();
    expect(triggers(grown)).toEqual([...triggers(reference), "vm_k8s-controller4", "vm_k8s-controller5"].sort());
    expect(changes.added).toHaveLength(4);
    expect(changes.added.every((address) => /_Nodes_k8s-controller[45]_(Vm|ConfigApply)_/.test(address))).toBe(true);
  });

  test("addresses are keyed by node name, not list position", () => {
    const reordered = synthHomelab({ cluster: { controlPlanes: [...five.controlPlanes].reverse() } }).json;
    const inOrder = synthHomelab({ cluster: five }).json;
    const vms = (json: TerraformJson) => new Map(blocksOf(json, "proxmox_virtual_environment_vm").map(([name, vm]) => [name, JSON.stringify(vm)]));
    expect(vms(reordered)).toEqual(vms(inOrder));
  });

  test("changing one node's CPU and memory changes only that node's VM", () => {
    const resized = synthHomelab({
      cluster: {
        controlPlanes: [
          { name: "k8s-controller1", ip: "192.168.1.211" },
          { name: "k8s-controller2", ip: "192.168.1.212", cores: 4, memoryMib: 8192 },
          { name: "k8s-controller3", ip: "192.168.1.213" },
        ],
      },
    }).json;
    expect(diff(reference, resized)).toEqual({
      added: [],
      removed: [],
      changed: [addressOf(reference, "proxmox_virtual_environment_vm", "ControlPlane/Nodes/k8s-controller2/Vm")],
    });
  });
});

describe("reboots", () => {
  test("configuration changes that need a reboot are staged, never applied to all nodes at once", () => {
    for (const [, apply] of blocksOf(reference, "talos_machine_configuration_apply")) {
      expect(apply.apply_mode).toBe("staged_if_needing_reboot");
    }
  });

  test("VM hardware changes wait for the operator's reboot", () => {
    for (const [, vm] of blocksOf(reference, "proxmox_virtual_environment_vm")) {
      expect(vm.reboot_after_update).toBe(false);
    }
  });
});

describe("bootstrap", () => {
  test("happens once: later changes to the node list never re-run or move it", () => {
    const [[, bootstrap]] = blocksOf(reference, "talos_machine_bootstrap");
    expect(bootstrap.lifecycle).toEqual({ ignore_changes: ["node", "endpoint", "client_configuration", "timeouts"] });
  });
});

describe("destroy", () => {
  test("stops VMs that ignore ACPI instead of hanging, within bounded timeouts", () => {
    for (const [, vm] of blocksOf(reference, "proxmox_virtual_environment_vm")) {
      expect(vm).toMatchObject({ stop_on_destroy: true, timeout_stop_vm: 300, timeout_shutdown_vm: 300 });
    }
  });
});
