/**
 * A Proxmox cluster: placement over `proxmox.nodes`, Proxmox HA resources,
 * and the rules or groups that keep the control planes apart (issue "The
 * whole homelab", part 3), from the plan to the synthesized JSON.
 */
import { ControlPlaneHaProps, clusterWarnings, warningSubjectOf, formatProblem, planProxmoxHa, resolveClusterSpec, validateClusterSpec } from "../../domain";
import { Block, blocksOf, synthHomelab } from "../support/synth";

const HOSTS = ["pve1", "pve2", "pve3"];
const controlPlanes = [
  { name: "cp1", vmId: 211, host: "pve1" },
  { name: "cp2", vmId: 212, host: "pve2" },
  { name: "cp3", vmId: 213, host: "pve3" },
];
const plan = (over: Partial<Parameters<typeof planProxmoxHa>[0]>) =>
  planProxmoxHa({ clusterName: "lab", controlPlanes, workers: [], hosts: HOSTS, keepControlPlanesApart: true, strict: false, rules: "pve9", ...over });

describe("placement over proxmox.nodes", () => {
  test("spreads control planes round-robin, one per host while there are enough hosts", () => {
    const spec = resolveClusterSpec({ proxmoxNodes: HOSTS });
    expect(spec.nodes.map((node) => node.proxmoxHost)).toEqual(["pve1", "pve2", "pve3"]);
  });

  test("wraps around when there are more control planes than hosts, and a node's own proxmoxNode wins", () => {
    const five: ControlPlaneHaProps = {
      proxmoxNodes: ["pve1", "pve2"],
      controlPlanes: [1, 2, 3, 4, 5].map((i) => ({ name: `cp${i}`, ip: `192.168.1.${210 + i}`, ...(i === 5 ? { proxmoxNode: "pve9" } : {}) })),
      vip: "192.168.1.200",
    };
    expect(resolveClusterSpec(five).nodes.map((node) => node.proxmoxHost)).toEqual(["pve1", "pve2", "pve1", "pve2", "pve9"]);
  });

  test("without proxmox.nodes, puts every VM on proxmox.node", () => {
    expect(resolveClusterSpec({}).nodes.map((node) => node.proxmoxHost)).toEqual(["pve", "pve", "pve"]);
  });

  test("downloads the image to each host that carries a VM", () => {
    const { json } = synthHomelab({ cluster: { proxmoxNodes: HOSTS } });
    expect(blocksOf(json, "proxmox_download_file").map(([, download]) => download.node_name)).toEqual(HOSTS);
  });

  test("warns when two control planes share a host while another host carries none", () => {
    const spec = resolveClusterSpec({
      proxmoxNodes: HOSTS,
      controlPlanes: [
        { name: "cp1", ip: "192.168.1.211", proxmoxNode: "pve1" },
        { name: "cp2", ip: "192.168.1.212", proxmoxNode: "pve1" },
        { name: "cp3", ip: "192.168.1.213", proxmoxNode: "pve2" },
      ],
    });
    expect(clusterWarnings(warningSubjectOf(spec))).toContainEqual(expect.stringMatching(/^Control planes cp1 and cp2 share Proxmox host pve1 while pve3 carries none: losing pve1 takes 2 etcd members at once/));
  });

  test("fails on a duplicate or malformed host in proxmox.nodes", () => {
    const problems = validateClusterSpec(resolveClusterSpec({ proxmoxNodes: ["pve1", "pve1", "bad host"] })).map(formatProblem);
    expect(problems).toContainEqual('proxmoxNodes[1] = "pve1": duplicates proxmoxNodes[0]; list each host once');
    expect(problems).toContainEqual(expect.stringMatching(/^proxmoxNodes\[2\] = "bad host": not a valid Proxmox node name/));
  });
});

describe("the Proxmox HA plan", () => {
  test("gives every VM an HA resource named vm:<id>", () => {
    const { resources } = plan({ workers: [{ name: "w1", vmId: 221, host: "pve1" }] });
    expect(resources.map(({ name, resourceId, role }) => [name, resourceId, role])).toEqual([
      ["cp1", "vm:211", "control-plane"],
      ["cp2", "vm:212", "control-plane"],
      ["cp3", "vm:213", "control-plane"],
      ["w1", "vm:221", "worker"],
    ]);
  });

  const homes = (vms: typeof controlPlanes) =>
    vms.map((vm) => expect.objectContaining({ rule: `lab-${vm.name}-home`, type: "node-affinity", resources: [`vm:${vm.vmId}`], nodes: { [vm.host]: 1 }, strict: false }));

  test("pve9, not strict: a non-strict node-affinity rule per VM to its home host, workers too", () => {
    const worker = { name: "w1", vmId: 221, host: "pve2" };
    expect(plan({ strict: false, workers: [worker] }).rules).toEqual(homes([...controlPlanes, worker]));
  });

  test("pve9, strict: the homes, and one negative resource-affinity rule over the control planes", () => {
    expect(plan({ strict: true }).rules).toEqual([
      ...homes(controlPlanes),
      expect.objectContaining({ rule: "lab-control-planes-apart", type: "resource-affinity", affinity: "negative", resources: ["vm:211", "vm:212", "vm:213"] }),
    ]);
  });

  test("pve8: an HA group per VM, its home first; a control plane's restricted to its home when strict", () => {
    const worker = { name: "w1", vmId: 221, host: "pve1" };
    const strict = plan({ rules: "pve8", strict: true, workers: [worker] });
    expect(strict.rules).toEqual([]);
    expect(strict.groups[0]).toMatchObject({ group: "lab-cp1", nodes: { pve1: 1 }, restricted: true });
    expect(strict.groups[3]).toMatchObject({ group: "lab-w1", nodes: { pve1: 2, pve2: 1, pve3: 1 }, restricted: false });
    const loose = plan({ rules: "pve8", strict: false });
    expect(loose.groups[1]).toMatchObject({ group: "lab-cp2", nodes: { pve1: 1, pve2: 2, pve3: 1 }, restricted: false });
    expect(loose.resources[1]).toMatchObject({ group: "lab-cp2" });
  });

  test("without keeping them apart, the homes alone: placement still belongs to HA", () => {
    expect(plan({ keepControlPlanesApart: false, strict: true })).toMatchObject({ rules: homes(controlPlanes), groups: [] });
  });
});

describe("Proxmox HA in the stack", () => {
  const ha: ControlPlaneHaProps = { proxmoxNodes: HOSTS, haEnabled: true, datastoreShared: true, datastoreId: "ceph-rbd" };

  test("is off by default: no HA resource or rule", () => {
    const { json } = synthHomelab();
    expect(blocksOf(json, "proxmox_haresource")).toEqual([]);
    expect(blocksOf(json, "proxmox_harule")).toEqual([]);
  });

  test("creates an HA resource per VM after its VM, and the rules after the resources", () => {
    const { json } = synthHomelab({ cluster: { ...ha, haStrict: true } });
    const resources = blocksOf(json, "proxmox_haresource");
    expect(resources.map(([, resource]) => [resource.resource_id, resource.state])).toEqual([
      ["vm:211", "started"],
      ["vm:212", "started"],
      ["vm:213", "started"],
    ]);
    for (const [, resource] of resources) expect(resource.depends_on).toEqual([expect.stringMatching(/^proxmox_virtual_environment_vm\.ControlPlane_Nodes_k8s-controller\d_Vm_/)]);
    const [[, rule]] = blocksOf(json, "proxmox_harule");
    expect(rule).toMatchObject({ rule: "homelab-control-planes-apart", type: "resource-affinity", affinity: "negative", resources: ["vm:211", "vm:212", "vm:213"] });
    expect(rule.depends_on).toEqual(resources.map(([name]) => `proxmox_haresource.${name}`));
  });

  test("gives workers HA resources and homes too, and leaves them out of the strict rule", () => {
    const { json } = synthHomelab({ cluster: { ...ha, haStrict: true, workers: [{ name: "w1", ip: "192.168.1.221" }] } });
    const resources = blocksOf(json, "proxmox_haresource").map(([, resource]) => resource);
    expect(resources.map((resource) => resource.resource_id)).toEqual(["vm:211", "vm:212", "vm:213", "vm:221"]);
    expect(resources[3].depends_on).toEqual([expect.stringMatching(/^proxmox_virtual_environment_vm\.ControlPlane_Workers_w1_Vm_/)]);
    const rules = blocksOf(json, "proxmox_harule").map(([, rule]) => rule);
    expect(rules.find((rule) => rule.rule === "homelab-w1-home")).toMatchObject({ resources: ["vm:221"], nodes: { pve1: 1 } });
    expect(rules.find((rule) => rule.rule === "homelab-control-planes-apart")?.resources).not.toContain("vm:221");
  });

  test("an HA resource is re-created with its VM, and a rule with its VMs (a purge drops them in Proxmox)", () => {
    const { json } = synthHomelab({ cluster: { ...ha, haStrict: true } });
    const vms = blocksOf(json, "proxmox_virtual_environment_vm").map(([name]) => `proxmox_virtual_environment_vm.${name}.id`);
    const resources = blocksOf(json, "proxmox_haresource").map(([, resource]) => resource);
    expect(resources.map((resource) => (resource.lifecycle as Block).replace_triggered_by)).toEqual(vms.map((vm) => [vm]));
    const rules = Object.fromEntries(blocksOf(json, "proxmox_harule").map(([, rule]) => [rule.rule, (rule.lifecycle as Block).replace_triggered_by]));
    expect(rules["homelab-k8s-controller2-home"]).toEqual([vms[1]]);
    expect(rules["homelab-control-planes-apart"]).toEqual(vms);
  });

  test("under HA the VMs ignore node_name: HA's homes place them; without HA the provider migrates", () => {
    const ignored = (cluster: ControlPlaneHaProps) =>
      blocksOf(synthHomelab({ cluster }).json, "proxmox_virtual_environment_vm").map(([, vm]) => ((vm.lifecycle as Block).ignore_changes as string[]).includes("node_name"));
    expect(ignored(ha)).toEqual([true, true, true]);
    expect(ignored({ proxmoxNodes: HOSTS })).toEqual([false, false, false]);
  });

  test("refuses HA on VM storage that only one host has", () => {
    const problems = validateClusterSpec(resolveClusterSpec({ ...ha, datastoreShared: false, datastoreId: "local-lvm" })).map(formatProblem);
    expect(problems).toEqual([expect.stringMatching(/^haEnabled = true: needs the VM disks on storage every host sees/)]);
  });

  test("fails on an unknown rules kind and a VLAN tag out of range", () => {
    const problems = validateClusterSpec(resolveClusterSpec({ haRules: "pve7" as never, vlanId: 4095 })).map(formatProblem);
    expect(problems).toContainEqual('haRules = "pve7": must be pve9 (HA rules, Proxmox VE 9) or pve8 (HA groups, Proxmox VE 8)');
    expect(problems).toContainEqual("vlanId = 4095: VLAN tags are 1 to 4094; use a value from 1 to 4094");
  });
});

describe("network and disks", () => {
  test("network.vlanId tags every VM's NIC", () => {
    const { json } = synthHomelab({ cluster: { vlanId: 20, workers: [{ name: "w1", ip: "192.168.1.221" }] } });
    const vms = blocksOf(json, "proxmox_virtual_environment_vm");
    expect(vms).toHaveLength(4);
    for (const [, vm] of vms) expect((vm.network_device as Record<string, unknown>[])[0].vlan_id).toBe(20);
  });

  test("leaves the NIC untagged without a VLAN", () => {
    for (const [, vm] of blocksOf(synthHomelab().json, "proxmox_virtual_environment_vm")) {
      expect((vm.network_device as Record<string, unknown>[])[0].vlan_id).toBeNull();
    }
  });

  test("a node's own diskSizeGib and datastoreId win over the cluster's and vm.datastoreId, for every disk of that VM", () => {
    const { json } = synthHomelab({
      cluster: {
        controlPlanes: [
          { name: "cp1", ip: "192.168.1.211", diskSizeGib: 64, datastoreId: "nvme" },
          { name: "cp2", ip: "192.168.1.212" },
          { name: "cp3", ip: "192.168.1.213" },
        ],
      },
    });
    const [[, cp1], [, cp2]] = blocksOf(json, "proxmox_virtual_environment_vm");
    expect((cp1.disk as Record<string, unknown>[])[0]).toMatchObject({ size: 64, datastore_id: "nvme" });
    expect(cp1.efi_disk).toMatchObject({ datastore_id: "nvme" });
    expect(cp1.initialization).toMatchObject({ datastore_id: "nvme" });
    expect((cp2.disk as Record<string, unknown>[])[0]).toMatchObject({ size: 32, datastore_id: "local-lvm" });
  });

  test("fails on a node disk below Talos's minimum, named under the node", () => {
    const problems = validateClusterSpec(
      resolveClusterSpec({ controlPlanes: [{ name: "cp1", ip: "192.168.1.211", diskSizeGib: 8 }, { name: "cp2", ip: "192.168.1.212" }, { name: "cp3", ip: "192.168.1.213" }] }),
    ).map(formatProblem);
    expect(problems).toEqual(["controlPlanes[0].diskSizeGib = 8: Talos needs at least 10 GiB for a control plane; use a value from 10 to 65536"]);
  });
});
