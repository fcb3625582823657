/**
 * Data disks: what the VMs get (order, interfaces, sizes, datastores, a
 * node's list replacing its role's) and every refusal, through the props,
 * the HOMELAB_CONFIG file and the construct.
 */
import { ControlPlaneHaProps, MAX_DATA_DISKS, resolveClusterSpec } from "../../domain";
import { Block, addressOf, synthHomelab } from "../support/synth";
import { problemLinesOf } from "../support/config-problems";
import { specProblemsOf } from "../support/spec-problems";

const VM = "proxmox_virtual_environment_vm";

function disksOf(props: ControlPlaneHaProps, path: string): Block[] {
  const { json } = synthHomelab({ cluster: props });
  const [, name] = addressOf(json, VM, path).split(".");
  return json.resource[VM][name].disk as Block[];
}

/** What a data disk's block says, without the settings every data disk shares. */
const brief = ({ interface: iface, datastore_id, size }: Block) => ({ interface: iface, datastore_id, size });


const WORKERS = [
  { name: "w1", ip: "192.168.1.221" },
  { name: "w2", ip: "192.168.1.222", dataDisks: [{ sizeGib: 500, datastoreId: "nvme" }] },
  { name: "w3", ip: "192.168.1.223", datastoreId: "ssd", dataDisks: [] },
];

describe("the data disks of a VM", () => {
  test("GIVEN no data disks THEN the boot disk is the VM's only disk", () => {
    expect(disksOf({}, "ControlPlane/Nodes/k8s-controller1/Vm").map(({ interface: iface }) => iface)).toEqual(["scsi0"]);
  });

  test("GIVEN workerVm.dataDisks THEN every worker gets them after the boot disk, scsi1, scsi2, on the VM's datastore unless one names its own", () => {
    const disks = disksOf({ workers: [WORKERS[0]], workerDataDisks: [{ sizeGib: 100 }, { sizeGib: 200, datastoreId: "nvme" }] }, "ControlPlane/Workers/w1/Vm");
    expect(disks[0]).toMatchObject({ interface: "scsi0", import_from: expect.any(String) });
    expect(disks.slice(1)).toEqual([
      { interface: "scsi1", datastore_id: "local-lvm", size: 100, file_format: "raw", discard: "on", ssd: true },
      { interface: "scsi2", datastore_id: "nvme", size: 200, file_format: "raw", discard: "on", ssd: true },
    ]);
  });

  test("the boot disk alone carries the image and the lifecycle ignore; no data disk imports anything", () => {
    const { json } = synthHomelab({ cluster: { dataDisks: [{ sizeGib: 20 }] } });
    const [, name] = addressOf(json, VM, "ControlPlane/Nodes/k8s-controller1/Vm").split(".");
    const vm = json.resource[VM][name];
    expect((vm.lifecycle as Block).ignore_changes).toEqual(["disk[0].file_id", "disk[0].import_from"]);
    expect((vm.disk as Block[])[1]).not.toHaveProperty("import_from");
    expect((vm.disk as Block[])[1]).not.toHaveProperty("file_id");
    expect(vm.boot_order).toEqual(["scsi0"]);
  });

  test("a node's list replaces its role's whole list: its own disks, or none with []", () => {
    const props: ControlPlaneHaProps = { workers: WORKERS, workerDataDisks: [{ sizeGib: 100 }, { sizeGib: 200 }] };
    expect(disksOf(props, "ControlPlane/Workers/w1/Vm").slice(1).map(brief)).toEqual([
      { interface: "scsi1", datastore_id: "local-lvm", size: 100 },
      { interface: "scsi2", datastore_id: "local-lvm", size: 200 },
    ]);
    expect(disksOf(props, "ControlPlane/Workers/w2/Vm").slice(1).map(brief)).toEqual([{ interface: "scsi1", datastore_id: "nvme", size: 500 }]);
    expect(disksOf(props, "ControlPlane/Workers/w3/Vm").map(({ interface: iface }) => iface)).toEqual(["scsi0"]);
  });

  test("a disk that names no datastore is on its node's own datastore", () => {
    const disks = disksOf({ workers: [{ name: "w1", ip: "192.168.1.221", datastoreId: "ssd" }], workerDataDisks: [{ sizeGib: 10 }] }, "ControlPlane/Workers/w1/Vm");
    expect(disks.map(brief)).toEqual([
      { interface: "scsi0", datastore_id: "ssd", size: 64 },
      { interface: "scsi1", datastore_id: "ssd", size: 10 },
    ]);
  });

  test("vm.dataDisks are the control planes', not the workers'", () => {
    const props: ControlPlaneHaProps = { workers: [WORKERS[0]], dataDisks: [{ sizeGib: 30 }] };
    expect(disksOf(props, "ControlPlane/Nodes/k8s-controller2/Vm").slice(1).map(brief)).toEqual([{ interface: "scsi1", datastore_id: "local-lvm", size: 30 }]);
    expect(disksOf(props, "ControlPlane/Workers/w1/Vm")).toHaveLength(1);
  });

  test("from the file: vm.dataDisks, workerVm.dataDisks and a node's dataDisks", () => {
    const spec = resolveClusterSpec({
      dataDisks: [{ sizeGib: 8 }],
      workers: [{ name: "w1", ip: "192.168.1.221", dataDisks: [{ sizeGib: 9, datastoreId: "nvme" }] }],
      workerDataDisks: [{ sizeGib: 7 }],
    });
    expect(spec.nodes[0].dataDisks).toEqual([{ interface: "scsi1", sizeGib: 8, datastoreId: "local-lvm", datastoreIdGiven: false }]);
    expect(spec.workers[0].dataDisks).toEqual([{ interface: "scsi1", sizeGib: 9, datastoreId: "nvme", datastoreIdGiven: true }]);
    expect(spec.workers[0].dataDisksGiven).toBe(true);
  });
});

describe("refused data disks", () => {
  test("fails a size that is not a whole number of GiB from 1 to the VM maximum", () => {
    expect(specProblemsOf({ dataDisks: [{ sizeGib: 0 }, { sizeGib: 1.5 }, { sizeGib: 70_000 }] })).toEqual([
      "dataDisks[0].sizeGib = 0: a disk needs at least 1 GiB; use a value from 1 to 65536",
      "dataDisks[1].sizeGib = 1.5: must be a whole number of GiB from 1 to 65536",
      "dataDisks[2].sizeGib = 70000: too large: the maximum is 65536 GiB; use a value from 1 to 65536",
    ]);
  });

  test(`fails more than ${MAX_DATA_DISKS} disks on a VM, with the reason (SCSI slots)`, () => {
    const disks = Array.from({ length: MAX_DATA_DISKS + 1 }, () => ({ sizeGib: 1 }));
    expect(specProblemsOf({ workerDataDisks: disks })).toEqual([
      "workerDataDisks = 31: 31 data disks, and a VM has room for 30: Proxmox has 31 SCSI slots (scsi0 to scsi30) and scsi0 is the boot disk; use at most 30 (fewer, larger disks)",
    ]);
    expect(specProblemsOf({ workerDataDisks: disks.slice(1) })).toEqual([]);
  });

  test("fails a datastore name Proxmox would refuse, where it was written", () => {
    expect(specProblemsOf({ workers: [{ name: "w1", ip: "192.168.1.221", dataDisks: [{ sizeGib: 1, datastoreId: "my disks" }] }] })).toEqual([
      `workers[0].dataDisks[0].datastoreId = "my disks": not a valid Proxmox datastore name; use letters, digits, '.', '_' or '-', e.g. local-lvm, or leave it out to use the VM's datastore (datastoreId)`,
    ]);
  });

  test("a role's list is checked once, not again under each node that uses it", () => {
    expect(specProblemsOf({ dataDisks: [{ sizeGib: 0 }] })).toHaveLength(1);
  });

  describe("under Proxmox HA", () => {
    const ha: ControlPlaneHaProps = { proxmoxNodes: ["pve1", "pve2", "pve3"], haEnabled: true, datastoreId: "ceph", datastoreShared: true, cpuType: "x86-64-v2-AES" };

    test("a data disk on the shared datastore, named or not, is fine", () => {
      expect(specProblemsOf({ ...ha, dataDisks: [{ sizeGib: 10 }, { sizeGib: 10, datastoreId: "ceph" }] })).toEqual([]);
    });

    test("fails a data disk on another datastore, in a role's list and in a node's", () => {
      const workers = [{ name: "w1", ip: "192.168.1.221", dataDisks: [{ sizeGib: 10, datastoreId: "local-lvm" }] }];
      expect(specProblemsOf({ ...ha, workers, dataDisks: [{ sizeGib: 10, datastoreId: "nvme" }] })).toEqual([
        "dataDisks[0].datastoreId = \"nvme\": under Proxmox HA a data disk must be on the shared datastoreId (ceph) too: HA restarts the VM of a failed host elsewhere, and a disk on nvme would stay behind; remove this disk's datastoreId (it then takes the VM's)",
        "workers[0].dataDisks[0].datastoreId = \"local-lvm\": under Proxmox HA a data disk must be on the shared datastoreId (ceph) too: HA restarts the VM of a failed host elsewhere, and a disk on local-lvm would stay behind; remove this disk's datastoreId (it then takes the VM's)",
      ]);
    });
  });

  describe("in the HOMELAB_CONFIG file, named as written", () => {
    test("fails vm.dataDisks, workerVm.dataDisks and a node's dataDisks under their file names", () => {
      const text = [
        "vm: { dataDisks: [{ sizeGib: 0 }] }",
        "workerVm: { dataDisks: [{ sizeGib: 70000 }] }",
        "workers:",
        "  - { name: w1, ip: 192.168.1.221, dataDisks: [{ sizeGib: 5, datastoreId: 'a b' }] }",
      ].join("\n");
      const lines = problemLinesOf(text).join("\n");
      expect(lines).toMatch(/vm\.dataDisks\[0\]\.sizeGib = 0: a disk needs at least 1 GiB/);
      expect(lines).toMatch(/workerVm\.dataDisks\[0\]\.sizeGib = 70000: too large/);
      expect(lines).toMatch(/workers\[0\]\.dataDisks\[0\]\.datastoreId = "a b": not a valid Proxmox datastore name/);
    });

    test("fails an unknown key in a data disk", () => {
      expect(problemLinesOf("vm: { dataDisks: [{ sizeGib: 5, size: 5 }] }").join("\n")).toMatch(/vm\.dataDisks\/0|vm\.dataDisks\[0\]/);
    });
  });

  test("fails in the construct too, before anything is written", () => {
    expect(() => synthHomelab({ cluster: { dataDisks: [{ sizeGib: 0 }] } })).toThrow(/dataDisks\[0\]\.sizeGib = 0/);
  });
});
