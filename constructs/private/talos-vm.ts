/**
 * The Proxmox VM of a Talos node and the apply of its machine configuration,
 * written once for control planes and workers. Their callers (ControlPlaneNode,
 * WorkerNode) pass themselves as scope, so the ids stay `Nodes/<name>/Vm` and
 * `Workers/<name>/Vm`: Terraform addresses do not move.
 */
import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { MachineConfigurationApply, MachineConfigurationApplyClientConfiguration } from "../../.gen/providers/talos/machine-configuration-apply";
import { VirtualEnvironmentVm } from "../../.gen/providers/proxmox/virtual-environment-vm";
import { NodeSpec } from "../../domain/cluster-spec";
import { nullValue } from "./hcl-compat";
import { ImageImportMethod } from "../../domain/image-factory";
import { terraformAddress } from "./terraform-address";

/** What every Talos VM of a cluster shares. */
export interface TalosVmSettings {
  readonly gateway: string;
  readonly dnsServers: readonly string[];
  readonly bridge: string;
  /** VLAN tag of the NIC; unset: untagged. */
  readonly vlanId?: number;
  readonly cpuType: string;
  /** `api`: the disk is created from the image with `import_from`; `ssh`: with `file_id` (qm disk import over SSH). */
  readonly imageImport: ImageImportMethod;
  /** Whether the image carries the QEMU guest agent, so Proxmox may wait for it. */
  readonly guestAgent: boolean;
  /**
   * Whether Proxmox HA manages the VM. Then its host is the HA rules' to
   * choose: the VM is created on its home host, and Terraform ignores where
   * HA runs it later (see `lifecycle` below).
   */
  readonly haManaged: boolean;
}

export interface TalosVmProps extends TalosVmSettings {
  readonly node: NodeSpec;
  /** e.g. `Talos worker of cluster homelab`; "; managed by cdktf" is appended. */
  readonly description: string;
  /** Proxmox tags; written sorted. */
  readonly tags: readonly string[];
  /** Proxmox volume id of the Talos nocloud image on this node's host. */
  readonly imageFileId: string;
}

/** Seconds Proxmox waits for a guest to stop before giving up (destroy must not hang). */
const STOP_TIMEOUT_SECONDS = 300;

/**
 * The Proxmox VM of one Talos node, set up as Talos recommends.
 * @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/virtual_environment_vm
 * @see https://www.talos.dev/latest/talos-guides/install/virtualized-platforms/proxmox/
 */
export function talosVm(scope: Construct, id: string, props: TalosVmProps): VirtualEnvironmentVm {
  const { node } = props;
  const vm = new VirtualEnvironmentVm(scope, id, {
    nodeName: node.proxmoxHost,
    vmId: node.vmId,
    name: node.name,
    description: `${props.description}; managed by cdktf`,
    tags: [...props.tags].sort(), // Proxmox sorts tags; unsorted lists diff forever
    bios: "ovmf",
    machine: "q35",
    efiDisk: { datastoreId: node.datastoreId, fileFormat: "raw", type: "4m", preEnrolledKeys: false },
    cpu: { cores: node.cores, sockets: 1, type: props.cpuType },
    // floating 0 disables the balloon device: Talos and etcd want their memory fixed.
    memory: { dedicated: node.memoryMib, floating: 0 },
    // The agent only answers when the image carries the qemu-guest-agent extension;
    // enabled without it, the provider waits for an agent that never starts.
    agent: { enabled: props.guestAgent, trim: true },
    // Talos's Proxmox guide: VirtIO SCSI (virtio-scsi-pci), not "VirtIO SCSI single"
    // with iothread, with which bootstrap can hang (siderolabs/talos issue 11173).
    scsiHardware: "virtio-scsi-pci",
    disk: [
      {
        interface: "scsi0",
        datastoreId: node.datastoreId,
        ...(props.imageImport === "api" ? { importFromAttribute: props.imageFileId } : { fileId: props.imageFileId }),
        fileFormat: "raw",
        size: node.diskSizeGib,
        discard: "on",
        ssd: true,
      },
      // Blank disks after the boot disk, on the same virtio-scsi-pci controller, for
      // Longhorn or Rook-Ceph (docs/storage.md). No import: the provider adds one to a
      // running VM through the config API (Proxmox hot-plugs it), with no replacement.
      ...node.dataDisks.map((dataDisk) => ({
        interface: dataDisk.interface,
        datastoreId: dataDisk.datastoreId,
        fileFormat: "raw",
        size: dataDisk.sizeGib,
        discard: "on",
        ssd: true,
      })),
    ],
    bootOrder: ["scsi0"],
    operatingSystem: { type: "l26" },
    initialization: {
      // Talos's nocloud platform reads a NoCloud drive; say so rather than let
      // Proxmox pick the format from the OS type.
      type: "nocloud",
      datastoreId: node.datastoreId,
      ipConfig: [{ ipv4: { address: node.ipWithPrefixLength, gateway: props.gateway } }],
      dns: { servers: [...props.dnsServers] },
    },
    onBoot: true,
    started: true,
    // Hardware changes wait for the next reboot, which the operator does one node at a
    // time: the provider's default reboots at once, and on every node together.
    rebootAfterUpdate: false,
    // Moving a node to another Proxmox host migrates the VM; without this the
    // provider destroys it (and its etcd data) and creates a new one.
    migrate: true,
    // A destroy stops the VM instead of waiting on an ACPI shutdown the guest may ignore.
    stopOnDestroy: true,
    timeoutStopVm: STOP_TIMEOUT_SECONDS,
    timeoutShutdownVm: STOP_TIMEOUT_SECONDS,
    // The boot disk is imported from the image once, at creation. A new Talos
    // version or schematic changes the image, never the VM: nodes are upgraded
    // in place with talosctl upgrade (see docs/operations.md).
    // Both forms are listed, so switching imageImport never touches a running VM either.
    // Index 0 is the boot disk alone: the data disks after it carry no import.
    //
    // Under Proxmox HA, `node_name` is where HA runs the VM (the provider's read adopts
    // the host it finds the VM on). Left to Terraform, a VM that HA restarted elsewhere
    // would be migrated back on the next apply, through an HA migrate the manager drops
    // while the home host is down (the provider then waits 5 minutes and fails), and a
    // placement change would move the VM twice more (the VM update, then HA's failback
    // to the old rule's home). So HA's rules place it, and a move is a rule change.
    lifecycle: { ignoreChanges: ["disk[0].file_id", "disk[0].import_from", ...(props.haManaged ? ["node_name"] : [])] },
  });
  // network_device is a list(object) attribute in bpg/proxmox 0.111: every element
  // needs all 11 keys, so unset ones are written as null.
  const unset = nullValue(scope);
  vm.addOverride("network_device", [
    {
      bridge: props.bridge,
      disconnected: unset,
      enabled: true,
      firewall: false,
      mac_address: node.macAddress,
      model: "virtio",
      mtu: unset,
      queues: unset,
      rate_limit: unset,
      trunks: unset,
      vlan_id: props.vlanId ?? unset,
    },
  ]);
  return vm;
}

/**
 * Terraform applies the nodes' configurations in parallel, so a change that
 * needs a reboot would reboot every control plane at once and lose etcd
 * quorum. In this mode the provider dry-runs the change and stages it for the
 * next boot when it needs one (applying it live otherwise); the operator then
 * reboots one node at a time (docs/operations.md).
 */
export const CONFIG_APPLY_MODE = "staged_if_needing_reboot";

export interface TalosConfigApplyProps {
  readonly node: NodeSpec;
  /** The node's VM: the apply waits for it and is redone when it is re-created. */
  readonly vm: VirtualEnvironmentVm;
  /** Talos client credentials from the machine secrets. */
  readonly clientConfiguration: MachineConfigurationApplyClientConfiguration;
  /** The rendered machine configuration of the node's role (sensitive). */
  readonly machineConfiguration: string;
  /** The node's own patches (hostname, VIP). */
  readonly configPatches: string[];
  /** What must exist first besides the VM, e.g. the bootstrap for a worker. */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The apply of a node's machine configuration, to the node's own address.
 * @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/resources/machine_configuration_apply
 */
export function talosConfigApply(scope: Construct, id: string, props: TalosConfigApplyProps): MachineConfigurationApply {
  const { node, vm } = props;
  return new MachineConfigurationApply(scope, id, {
    clientConfiguration: props.clientConfiguration,
    machineConfigurationInput: props.machineConfiguration,
    nodeAttribute: node.ip,
    endpoint: node.ip,
    applyMode: CONFIG_APPLY_MODE,
    configPatches: props.configPatches,
    dependsOn: [vm, ...(props.dependsOn ?? [])],
    lifecycle: {
      // The provider's Read of an apply is a no-op and depends_on never replaces
      // anything, so a re-created VM (new vmId, EFI change, deleted by hand) would
      // boot into Talos maintenance mode and stay there. The VM's id is unknown
      // exactly when the VM is being re-created: then the apply is redone.
      replaceTriggeredBy: [`${terraformAddress(vm)}.id`],
    },
  });
}
