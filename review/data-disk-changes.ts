/**
 * What a change of a VM's disks does that "updated in place" does not say,
 * from bpg/proxmox v0.111.1's update code and qemu-server:
 *
 * - a removed disk is sent in the config update's `delete`; Proxmox unplugs it
 *   from the running VM and keeps its volume as `unusedN` (no `force`), so the
 *   guest loses the disk at once and the volume is deleted with the VM, or by
 *   hand (vm.go L6489-L6525; qemu-server vmconfig_delete_or_detach_drive);
 * - the disks are positional (scsi1, scsi2, ...): removing one but the last
 *   shifts the others, so a slot changes size or datastore under its old data;
 * - a smaller size fails the apply ("Cannot shrink ... it is not supported!",
 *   vm.go L7296-L7303): Proxmox cannot shrink a disk;
 * - a new datastore is a disk move, which needs the VM powered off; with
 *   `reboot_after_update = false` the apply fails while the VM runs
 *   ("cannot move disks between datastores while the VM is running", vm.go L7025-L7031).
 *
 * Pure.
 */
import { code } from "./markdown";
import { ResourceChange } from "./resource-diff";

const VM_TYPE = "proxmox_virtual_environment_vm";

type Disk = Readonly<Record<string, unknown>>;

/** The warnings, one a disk change; `nameOf` gives a VM's node name by address. */
export function dataDiskWarnings(changed: readonly ResourceChange[], nameOf: (address: string) => string | undefined): string[] {
  const warnings: string[] = [];
  for (const change of changed.filter(({ type, action }) => type === VM_TYPE && action !== "replace")) {
    const vm = nameOf(change.address) ?? code(change.address);
    for (const { path, before, after } of change.changes) {
      const whole = /^disk\.(\d+)$/.exec(path);
      if (whole && isDisk(before) && after === undefined) {
        warnings.push(
          `Removes the disk ${before.interface} of ${vm} (${before.size} GiB on ${before.datastore_id}): Proxmox unplugs it from the running VM and keeps its volume, with its data, as an \`unusedN\` disk of the VM until the VM is destroyed or you delete it in Proxmox; whatever stores data on it (Longhorn, a Ceph OSD) loses it at once. Take it out of service first.`,
        );
        continue;
      }
      const field = /^disk\.(\d+)\.(size|datastore_id)$/.exec(path);
      if (!field) continue;
      const slot = `disk ${Number(field[1]) === 0 ? "scsi0 (the boot disk)" : `scsi${field[1]}`}`;
      if (field[2] === "size" && typeof before === "number" && typeof after === "number" && after < before) {
        warnings.push(
          `Shrinks the ${slot} of ${vm} from ${before} to ${after} GiB: Proxmox cannot shrink a disk and the apply fails ("Cannot shrink ... it is not supported!"). Keep the size; a disk removed from the middle of a list moves the ones after it into its slot.`,
        );
      } else if (field[2] === "datastore_id" && typeof before === "string" && typeof after === "string") {
        warnings.push(
          `Moves the ${slot} of ${vm} from ${before} to ${after}: a disk move needs the VM powered off, and with reboot_after_update = false the apply fails while it runs; stop the VM first (one node at a time), then deploy.`,
        );
      }
    }
  }
  return warnings;
}

function isDisk(value: unknown): value is Disk & { readonly interface: string; readonly size: unknown; readonly datastore_id: unknown } {
  return typeof value === "object" && value !== null && typeof (value as Disk).interface === "string";
}
