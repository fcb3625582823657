/**
 * A Proxmox cluster: placement over `proxmox.nodes`, Proxmox HA resources,
 * and the rules or groups that keep the control planes apart (issue "The
 * whole homelab", part 3), from the plan to the synthesized JSON.
 */
import { ControlPlaneHaProps, clusterWarnings, warningSubjectOf, formatProblem, planProxmoxHa, resolveClusterSpec, validateClusterSpec } from "../../domain";
import { blocksOf, synthHomelab } from "../support/synth";

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

  test("pve9, strict: one negative resource-affinity rule over the control planes", () => {
    expect(plan({ strict: true }).rules).toEqual([
      expect.objectContaining({ rule: "lab-control-planes-apart", type: "resource-affinity", affinity: "negative", resources: ["vm:211", "vm:212", "vm:213"] }),
    ]);
  });

  test("pve9, not strict: a non-strict node-affinity rule per control plane to its home host", () => {
    expect(plan({ strict: false }).rules).toEqual(
      controlPlanes.map((vm) => expect.objectContaining({ rule: `lab-${vm.name}-home`, type: "node-affinity", resources: [`vm:${vm.vmId}`], nodes: { [vm.host]: 1 }, strict: false })),
    );
  });

  test("pve8: an HA group per control plane, restricted to its home host when strict", () => {
    const strict = plan({ rules: "pve8", strict: true });
    expect(strict.rules).toEqual([]);
    expect(strict.groups[0]).toMatchObject({ group: "lab-cp1", nodes: { pve1: 1 }, restricted: true });
    const loose = plan({ rules: "pve8", strict: false });
    expect(loose.groups[1]).toMatchObject({ group: "lab-cp2", nodes: { pve1: 1, pve2: 2, pve3: 1 }, restricted: false });
    expect(loose.resources[1]).toMatchObject({ group: "lab-cp2" });
  });

  test("keeps nothing apart when asked not to", () => {
    expect(plan({ keepControlPlanesApart: false })).toMatchObject({ rules: [], groups: [] });
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

  test("gives workers HA resources too, and leaves them out of the rules", () => {
    const { json } = synthHomelab({ cluster: { ...ha, workers: [{ name: "w1", ip: "192.168.1.221" }] } });
    const resources = blocksOf(json, "proxmox_haresource").map(([, resource]) => resource);
    expect(resources.map((resource) => resource.resource_id)).toEqual(["vm:211", "vm:212", "vm:213", "vm:221"]);
    expect(resources[3].depends_on).toEqual([expect.stringMatching(/^proxmox_virtual_environment_vm\.ControlPlane_Workers_w1_Vm_/)]);
    for (const [, rule] of blocksOf(json, "proxmox_harule")) expect(rule.resources).not.toContain("vm:221");
  });

  test("pve8 creates groups and puts each control plane's HA resource in its group", () => {
    const { json } = synthHomelab({ cluster: { ...ha, haRules: "pve8" } });
    const groups = blocksOf(json, "proxmox_hagroup");
    expect(groups.map(([, group]) => group.group)).toEqual(["homelab-k8s-controller1", "homelab-k8s-controller2", "homelab-k8s-controller3"]);
    const [[groupName]] = groups;
    const [[, resource]] = blocksOf(json, "proxmox_haresource");
    expect(resource.group).toBe(`\${proxmox_hagroup.${groupName}.group}`);
  });

  test("warns that HA cannot move a VM whose disks are not on shared storage", () => {
    const warnings = clusterWarnings(warningSubjectOf(resolveClusterSpec({ ...ha, datastoreShared: false, datastoreId: "local-lvm" })));
    expect(warnings).toContainEqual(expect.stringMatching(/^Proxmox HA is on, but the VM disks are not on storage every host sees \(vm\.datastoreShared is false\): HA can restart a VM only on its own host/));
    expect(clusterWarnings(warningSubjectOf(resolveClusterSpec(ha))).filter((warning) => warning.includes("datastoreShared"))).toEqual([]);
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
