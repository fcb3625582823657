/**
 * What a plan leaves out while one Proxmox host is down (ops/host-down-plan.ts),
 * over stacks synthesized from the examples and over small hand-written ones.
 * Blocks are named by construct path, so the tests hold whichever type name
 * bpg's resources carry (long or short).
 */
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { HostDownSelection, changesOnDownHost, hostDownSelection, plannedChanges, stackHosts } from "../../ops/host-down-plan";
import { PROJECT_ROOT } from "../support/project-root";
import { synthHomelab } from "../support/synth";

const exampleStack = (file: string) => synthHomelab(loadHomelabConfig(`${PROJECT_ROOT}/examples/${file}`)).json;
/** A block's construct path as its Terraform name spells it (`ControlPlane_Nodes_cp1_Vm`): Testing.synth writes no metadata. */
const nameOf = (address: string) => address.split(".").pop()!.replace(/_[0-9A-F]{8}$/, "");
const names = (blocks: readonly { address: string }[]) => blocks.map((block) => nameOf(block.address)).sort();
const addresses = (blocks: readonly { address: string }[]) => blocks.map((block) => block.address).sort();
const targetNames = (selection: HostDownSelection) => selection.targets.map(nameOf).sort();
/**
 * Proxmox HA blocks apart from the rest: their set follows the HA design
 * (a rule per VM or per control plane), so the tests say which VMs' HA
 * blocks go and which stay, not how many there are.
 */
const isHa = (name: string) => name.startsWith("ControlPlane_ProxmoxHa_");
const withoutHa = (list: string[]) => list.filter((name) => !isHa(name));
const haOf = (list: string[]) => list.filter(isHa);
/** The VM an HA block is for: `Resource-cp1` or `Rule-lab-cp1-home` -> cp1. */
const haVm = (name: string) => /(?:Resource-|Rule-lab-)(\w+?)(?:-home)?$/.exec(name)?.[1];

describe("a Proxmox cluster of three hosts with HA and a shared image datastore (examples/proxmox-cluster-ha.yaml)", () => {
  const stack = exampleStack("proxmox-cluster-ha.yaml");

  test("the stack's hosts are the node_names it uses", () => {
    expect(stackHosts(stack)).toEqual(["pve1", "pve2", "pve3"]);
  });

  test("pve1 down: its VMs and the one download are on it; what references them is left out, transitively", () => {
    // WHEN
    const selection = hostDownSelection(stack, "pve1", "lab");
    // THEN the download goes through pve1, the first host
    expect(names(selection.onHost)).toEqual(["ControlPlane_Image_Download-pve1", "ControlPlane_Nodes_cp1_Vm", "ControlPlane_Workers_worker1_Vm"]);
    // the HA resources and rule of its VMs, their Talos configuration, and through the bootstrap (on cp1) everything after it
    expect(withoutHa(names(selection.dependents))).toEqual([
      "ControlPlane_Bootstrap",
      "ControlPlane_Kubeconfig",
      "ControlPlane_Nodes_cp1_ConfigApply",
      "ControlPlane_VipReady_Wait",
      "ControlPlane_Workers_worker1_ConfigApply",
      "ControlPlane_Workers_worker2_ConfigApply",
    ]);
    expect(haOf(names(selection.dependents))).toEqual(expect.arrayContaining(["ControlPlane_ProxmoxHa_Resource-cp1", "ControlPlane_ProxmoxHa_Resource-worker1", "ControlPlane_ProxmoxHa_Rule-lab-cp1-home"]));
    expect(new Set(haOf(names(selection.dependents)).map(haVm))).toEqual(new Set(["cp1", "worker1"]));
    expect(selection.dependents.find((block) => nameOf(block.address) === "ControlPlane_Workers_worker2_ConfigApply")!.references).toMatch(/^talos_machine_bootstrap\./);
  });

  test("pve1 down: the VMs on pve2 and pve3 that import pve1's shared download are kept, and planned", () => {
    const selection = hostDownSelection(stack, "pve1", "lab");
    expect(names(selection.keptOnHealthyHosts)).toEqual(["ControlPlane_Nodes_cp2_Vm", "ControlPlane_Nodes_cp3_Vm", "ControlPlane_Workers_worker2_Vm"]);
    expect(selection.keptOnHealthyHosts.every((block) => /download_file\.ControlPlane_Image_Download-pve1_/.test(block.references))).toBe(true);
    expect(withoutHa(targetNames(selection))).toEqual([
      "ControlPlane_Image_Schematic",
      "ControlPlane_Nodes_cp2_ConfigApply",
      "ControlPlane_Nodes_cp2_Vm",
      "ControlPlane_Nodes_cp3_ConfigApply",
      "ControlPlane_Nodes_cp3_Vm",
      "ControlPlane_Secrets",
      "ControlPlane_Workers_worker2_Vm",
    ]);
    expect(haOf(targetNames(selection))).toEqual(expect.arrayContaining(["ControlPlane_ProxmoxHa_Resource-cp2", "ControlPlane_ProxmoxHa_Resource-cp3", "ControlPlane_ProxmoxHa_Resource-worker2", "ControlPlane_ProxmoxHa_Rule-lab-cp2-home"]));
    expect(new Set(haOf(targetNames(selection)).map(haVm))).toEqual(new Set(["cp2", "cp3", "worker2"]));
  });

  test("every resource is either a target or left out, never both; data sources are never targets", () => {
    for (const host of ["pve1", "pve2", "pve3"]) {
      const selection = hostDownSelection(stack, host, "lab");
      const leftOut = [...selection.onHost, ...selection.dependents].filter((block) => block.kind === "resource").map((block) => block.address);
      const resources = Object.entries(stack.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
      expect([...selection.targets, ...leftOut].sort()).toEqual(resources.sort());
      expect(selection.targets.some((address) => address.startsWith("data."))).toBe(false);
    }
  });

  test("pve2 down: the download on pve1 and the bootstrap stay in; only pve2's VMs and what hangs off them go", () => {
    const selection = hostDownSelection(stack, "pve2", "lab");
    expect(names(selection.onHost)).toEqual(["ControlPlane_Nodes_cp2_Vm", "ControlPlane_Workers_worker2_Vm"]);
    expect(withoutHa(names(selection.dependents))).toEqual(["ControlPlane_Nodes_cp2_ConfigApply", "ControlPlane_VipReady_Wait", "ControlPlane_Workers_worker2_ConfigApply"]);
    expect(new Set(haOf(names(selection.dependents)).map(haVm))).toEqual(new Set(["cp2", "worker2"]));
    expect(selection.keptOnHealthyHosts).toEqual([]);
    expect(targetNames(selection)).toEqual(expect.arrayContaining(["ControlPlane_Image_Download-pve1", "ControlPlane_Bootstrap", "ControlPlane_Kubeconfig", "ControlPlane_Workers_worker1_ConfigApply"]));
  });

  test("fails on a host the stack does not use, listing its hosts", () => {
    expect(() => hostDownSelection(stack, "pve-2", "lab")).toThrow(/^no Proxmox host named pve-2 in the stack lab; its hosts are: pve1, pve2, pve3$/);
  });
});

describe("three hosts, each with its own image download (examples/three-proxmox-hosts.yaml)", () => {
  const stack = exampleStack("three-proxmox-hosts.yaml");

  test("pve2 down: its download and its VM are on it; the other hosts' downloads are targets", () => {
    const selection = hostDownSelection(stack, "pve2", "lab");
    expect(names(selection.onHost)).toEqual(["ControlPlane_Image_Download-pve2", "ControlPlane_Nodes_cp2_Vm"]);
    expect(names(selection.dependents)).toEqual(["ControlPlane_Nodes_cp2_ConfigApply", "ControlPlane_VipReady_Wait"]);
    expect(selection.keptOnHealthyHosts).toEqual([]);
    expect(targetNames(selection)).toEqual(expect.arrayContaining(["ControlPlane_Image_Download-pve1", "ControlPlane_Image_Download-pve3", "ControlPlane_Nodes_cp1_Vm", "ControlPlane_Bootstrap"]));
  });
});

describe("references, in a hand-written stack", () => {
  // GIVEN a data source and a VM on the down host, and blocks referring to them every way Terraform JSON can
  const stack = {
    data: {
      px_vm: { template: { node_name: "h1", vm_id: 9000 } },
      local_info: { mirror: { of: "${px_vm.a.id}" } },
    },
    resource: {
      px_vm: {
        a: { node_name: "h1" },
        b: { node_name: "h2", clone: [{ vm_id: "${data.px_vm.template.vm_id}" }] },
        c: { node_name: "h2" },
      },
      cfg: {
        by_depends_on: { depends_on: ["px_vm.a"] },
        by_trigger: { lifecycle: { replace_triggered_by: ["px_vm.a.id"] } },
        by_interpolation: { nested: [{ deep: { host: "${px_vm.a.ipv4_addresses[1][0]}" } }] },
        by_data: { value: "${data.local_info.mirror.of}" },
        transitively: { depends_on: ["cfg.by_trigger"] },
        on_c: { value: "${px_vm.c.id}" },
        plain_text: { comment: "px_vm.a is named, not referenced" },
        metadata_only: { "//": { metadata: { path: "stack/px_vm.a" } } },
      },
    },
  };

  test("depends_on, replace_triggered_by, interpolations anywhere in the body and data sources all count, transitively", () => {
    const selection = hostDownSelection(stack, "h1", "s");
    expect(addresses(selection.onHost)).toEqual(["data.px_vm.template", "px_vm.a"]);
    expect(addresses(selection.dependents)).toEqual(["cfg.by_data", "cfg.by_depends_on", "cfg.by_interpolation", "cfg.by_trigger", "cfg.transitively", "data.local_info.mirror"]);
    expect(selection.dependents.find((block) => block.address === "cfg.by_data")!.references).toBe("data.local_info.mirror");
  });

  test("a block on a healthy host is kept though it references the down host; text that only looks like a reference is not one", () => {
    const selection = hostDownSelection(stack, "h1", "s");
    expect(selection.keptOnHealthyHosts).toEqual([{ address: "px_vm.b", kind: "resource", references: "data.px_vm.template" }]);
    expect(selection.targets).toEqual(["cfg.metadata_only", "cfg.on_c", "cfg.plain_text", "px_vm.b", "px_vm.c"]);
  });

  test("fails on a stack that names no host", () => {
    expect(() => hostDownSelection({ resource: { cfg: { x: {} } } }, "h1", "s")).toThrow(/^the stack s names no Proxmox host \(no node_name in cdk\.tf\.json\)/);
  });
});

describe("the saved plan's changes on the down host", () => {
  const selection = hostDownSelection({ resource: { px_vm: { a: { node_name: "h1" }, b: { node_name: "h2" } }, px_dl: { d: { node_name: "h1" } } } }, "h1", "s");

  test("a pulled-in block that would be changed is named; one left as it is, or only read, is not", () => {
    const show = JSON.stringify({
      resource_changes: [
        { address: "px_dl.d", change: { actions: ["no-op"] } },
        { address: "px_vm.a", change: { actions: ["read"] } },
        { address: "px_vm.b", change: { actions: ["update"] } },
      ],
    });
    expect(changesOnDownHost(selection, plannedChanges(show))).toEqual([]);
    const replaced = JSON.stringify({ resource_changes: [{ address: "px_dl.d", change: { actions: ["delete", "create"] } }] });
    expect(changesOnDownHost(selection, plannedChanges(replaced))).toEqual([{ address: "px_dl.d", actions: ["delete", "create"] }]);
  });

  test("fails on text that is not JSON", () => {
    expect(() => plannedChanges("Error: no plan")).toThrow(/^terraform show -json did not print JSON$/);
  });
});
