/**
 * What the VMs and the image downloads must look like to survive a real
 * first deploy and a real day two (issue "Deploy-ready", parts B and D).
 */
import { addressOf, blocksOf, synthHomelab } from "../support/synth";

const threeHosts = [
  { name: "cp1", ip: "192.168.1.211", proxmoxNode: "pve1" },
  { name: "cp2", ip: "192.168.1.212", proxmoxNode: "pve2" },
  { name: "cp3", ip: "192.168.1.213", proxmoxNode: "pve3" },
];

describe("the control-plane VMs", () => {
  const { json } = synthHomelab();
  const vms = blocksOf(json, "proxmox_virtual_environment_vm").map(([, vm]) => vm);

  test("use VirtIO SCSI (virtio-scsi-pci) without iothread, as Talos's Proxmox guide says", () => {
    for (const vm of vms) {
      expect(vm.scsi_hardware).toBe("virtio-scsi-pci");
      const [disk] = vm.disk as Record<string, unknown>[];
      expect(disk).not.toHaveProperty("iothread");
    }
  });

  test("ask for a NoCloud cloud-init drive, which Talos's nocloud platform reads", () => {
    for (const vm of vms) {
      expect(vm.initialization).toMatchObject({ type: "nocloud" });
    }
  });

  test("enable the guest agent when the image carries the qemu-guest-agent extension", () => {
    for (const vm of vms) expect(vm.agent).toMatchObject({ enabled: true });
  });

  test("do not wait for a guest agent the image does not have", () => {
    const { json: bare } = synthHomelab({ cluster: { systemExtensions: [] } });
    for (const [, vm] of blocksOf(bare, "proxmox_virtual_environment_vm")) {
      expect(vm.agent).toMatchObject({ enabled: false });
    }
  });

  test("redo a node's configuration apply when its VM is re-created", () => {
    for (const name of ["k8s-controller1", "k8s-controller2", "k8s-controller3"]) {
      const vm = addressOf(json, "proxmox_virtual_environment_vm", `ControlPlane/Nodes/${name}/Vm`);
      const applyAddress = addressOf(json, "talos_machine_configuration_apply", `ControlPlane/Nodes/${name}/ConfigApply`);
      const apply = json.resource.talos_machine_configuration_apply[applyAddress.split(".")[1]];
      // The VM's id is unknown only while the VM is being (re-)created, so an
      // in-place change (memory, cores) does not re-apply.
      expect(apply.lifecycle).toMatchObject({ replace_triggered_by: [`${vm}.id`] });
    }
  });
});

describe("the Talos image downloads", () => {
  const downloadsOf = (props: Parameters<typeof synthHomelab>[0]) =>
    blocksOf(synthHomelab(props).json, "proxmox_download_file").map(([, download]) => download);

  test("go once to each host that carries a VM, under names that cannot collide on shared storage", () => {
    const downloads = downloadsOf({ cluster: { controlPlanes: threeHosts } });
    expect(downloads.map((download) => download.node_name)).toEqual(["pve1", "pve2", "pve3"]);
    expect(downloads.map((download) => download.file_name)).toEqual([
      "talos-homelab-pve1-v1.13.9-nocloud-amd64.qcow2",
      "talos-homelab-pve2-v1.13.9-nocloud-amd64.qcow2",
      "talos-homelab-pve3-v1.13.9-nocloud-amd64.qcow2",
    ]);
  });

  test("replace an unmanaged file of the same name (an interrupted earlier download) instead of failing", () => {
    for (const download of downloadsOf({})) {
      expect(download).toMatchObject({ overwrite: false, overwrite_unmanaged: true });
    }
  });

  test("go once in all when the image datastore is shared, and every VM uses that one", () => {
    const { json } = synthHomelab({ cluster: { controlPlanes: threeHosts, imageDatastoreId: "cephfs", imageDatastoreShared: true } });
    const downloads = blocksOf(json, "proxmox_download_file");
    expect(downloads).toHaveLength(1);
    const [[name, download]] = downloads;
    expect(download).toMatchObject({ node_name: "pve1", datastore_id: "cephfs", file_name: "talos-homelab-v1.13.9-nocloud-amd64.qcow2" });
    for (const [, vm] of blocksOf(json, "proxmox_virtual_environment_vm")) {
      const [disk] = vm.disk as Record<string, unknown>[];
      expect(disk.import_from).toBe(`\${proxmox_download_file.${name}.id}`);
    }
  });
});

describe("the boot disk import", () => {
  test("by default goes through the API: the factory's uncompressed qcow2 as import content, then import_from (no SSH)", () => {
    const { json } = synthHomelab();
    const [[name, download]] = blocksOf(json, "proxmox_download_file");
    expect(download).toMatchObject({ content_type: "import", url: expect.stringMatching(/\/v1\.13\.9\/nocloud-amd64\.qcow2$/) });
    // Proxmox decompresses only iso content.
    expect(download).not.toHaveProperty("decompression_algorithm");
    for (const [, vm] of blocksOf(json, "proxmox_virtual_environment_vm")) {
      const [disk] = vm.disk as Record<string, unknown>[];
      expect(disk).toMatchObject({ import_from: `\${proxmox_download_file.${name}.id}`, file_format: "raw" });
      expect(disk).not.toHaveProperty("file_id");
    }
  });

  test("with imageImport: ssh, downloads the gzip raw image as iso content and imports it with file_id (qm disk import over SSH)", () => {
    const { json } = synthHomelab({ cluster: { imageImport: "ssh" } });
    const [[name, download]] = blocksOf(json, "proxmox_download_file");
    expect(download).toMatchObject({
      content_type: "iso",
      decompression_algorithm: "gz",
      url: expect.stringMatching(/\/nocloud-amd64\.raw\.gz$/),
      file_name: "talos-homelab-pve-v1.13.9-nocloud-amd64.img",
    });
    for (const [, vm] of blocksOf(json, "proxmox_virtual_environment_vm")) {
      const [disk] = vm.disk as Record<string, unknown>[];
      expect(disk.file_id).toBe(`\${proxmox_download_file.${name}.id}`);
      expect(disk).not.toHaveProperty("import_from");
    }
  });

  test("is ignored after creation in either form, so switching method or image never replaces a VM", () => {
    for (const imageImport of ["api", "ssh"] as const) {
      for (const [, vm] of blocksOf(synthHomelab({ cluster: { imageImport } }).json, "proxmox_virtual_environment_vm")) {
        expect(vm.lifecycle).toMatchObject({ ignore_changes: ["disk[0].file_id", "disk[0].import_from"] });
      }
    }
  });
});
