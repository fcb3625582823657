/**
 * The numeric limits a cluster description must keep: one definition each,
 * checked by validation.ts and quoted by the field descriptions
 * (cluster-fields.ts) and so by the generated configuration reference.
 */

/** Talos's minimums for a control plane. */
export const CONTROL_PLANE_MINIMUMS = { cores: 2, memoryMib: 2048, diskSizeGib: 10 } as const;
/**
 * Talos's minimums for a worker: 1 GiB, 1 core, 10 GiB system disk.
 * @see https://www.talos.dev/v1.12/introduction/system-requirements/
 */
export const WORKER_MINIMUMS = { cores: 1, memoryMib: 1024, diskSizeGib: 10 } as const;
/** The largest VM the checks accept: well above any homelab host, so a value past them is a typo (an extra digit). */
export const VM_MAXIMUMS = { cores: 512, memoryMib: 4_194_304, diskSizeGib: 65_536 } as const;
/** More etcd members slow every write without a useful gain in tolerance. */
export const MAX_CONTROL_PLANES = 7;
/** What Proxmox accepts as a VM id. */
export const PROXMOX_VM_ID_RANGE = { min: 100, max: 999_999_999 } as const;
/** 802.1Q VLAN tags. */
export const VLAN_ID_RANGE = { min: 1, max: 4094 } as const;
/** PostgreSQL's identifier limit (NAMEDATALEN - 1): a longer name is cut silently, so two clusters could share a schema. */
export const MAX_SCHEMA_NAME = 63;
/**
 * Data disks per VM: Proxmox has 31 SCSI slots (scsi0 to scsi30, qemu-server's
 * `$MAX_SCSI_DISKS` in PVE/QemuServer/Drive.pm, also bpg/proxmox's MaxItems of
 * `disk`), and scsi0 is the boot disk.
 */
export const MAX_DATA_DISKS = 30;
