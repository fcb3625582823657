/**
 * The rules of the VMs' data disks (`vm.dataDisks`, `workerVm.dataDisks`, a
 * node's `dataDisks`): each list where it was written, once. Pure; part of
 * `validateClusterSpec`. The Proxmox HA rule (a data disk on the shared
 * datastore only) is in placement-rules.ts with the other HA rules.
 */
import { ClusterSpec, NodeSpec } from "./cluster-spec";
import { DataDiskProps } from "./control-plane-ha-props";
import { MAX_DATA_DISKS, VM_MAXIMUMS } from "./limits";
import { PROXMOX_NAME } from "./proxmox-names";
import { ValidationProblem, fieldRef } from "./validation-problem";

/** The lists as written: the roles', and each node's own (a node without one uses its role's, checked there). */
export function dataDiskListsOf(spec: ClusterSpec): { readonly field: string; readonly disks: readonly DataDiskProps[] }[] {
  const own = (list: "controlPlanes" | "workers", nodes: readonly NodeSpec[]) =>
    nodes.flatMap((node, index) => (node.dataDisksGiven ? [{ field: `${list}[${index}].dataDisks`, disks: node.dataDisks.map(asGiven) }] : []));
  return [
    { field: "dataDisks", disks: spec.dataDisks },
    { field: "workerDataDisks", disks: spec.workerDataDisks },
    ...own("controlPlanes", spec.nodes),
    ...own("workers", spec.workers),
  ];
}

const asGiven = (disk: NodeSpec["dataDisks"][number]): DataDiskProps => ({ sizeGib: disk.sizeGib, ...(disk.datastoreIdGiven ? { datastoreId: disk.datastoreId } : {}) });

/** Every problem of the data disk lists. `isUnresolved` tells a deploy-time token from a literal (not checked). */
export function dataDiskProblems(spec: ClusterSpec, isUnresolved: (value: unknown) => boolean = () => false): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const max = VM_MAXIMUMS.diskSizeGib;
  for (const { field, disks } of dataDiskListsOf(spec)) {
    if (!Array.isArray(disks)) continue;
    if (disks.length > MAX_DATA_DISKS) {
      problems.push({
        field,
        value: disks.length,
        message: `${disks.length} data disks, and a VM has room for ${MAX_DATA_DISKS}: Proxmox has 31 SCSI slots (scsi0 to scsi30) and scsi0 is the boot disk; use at most ${MAX_DATA_DISKS} (fewer, larger disks)`,
      });
    }
    disks.forEach((disk, index) => {
      const sizeGib = disk?.sizeGib;
      if (!isUnresolved(sizeGib)) {
        if (typeof sizeGib !== "number" || !Number.isInteger(sizeGib)) {
          problems.push({ field: `${field}[${index}].sizeGib`, value: sizeGib, message: `must be a whole number of GiB from 1 to ${max}` });
        } else if (sizeGib < 1) {
          problems.push({ field: `${field}[${index}].sizeGib`, value: sizeGib, message: `a disk needs at least 1 GiB; use a value from 1 to ${max}` });
        } else if (sizeGib > max) {
          problems.push({ field: `${field}[${index}].sizeGib`, value: sizeGib, message: `too large: the maximum is ${max} GiB; use a value from 1 to ${max}` });
        }
      }
      const datastoreId = disk?.datastoreId;
      if (datastoreId !== undefined && !isUnresolved(datastoreId) && (typeof datastoreId !== "string" || !PROXMOX_NAME.test(datastoreId))) {
        problems.push({
          field: `${field}[${index}].datastoreId`,
          value: datastoreId,
          message: `not a valid Proxmox datastore name; use letters, digits, '.', '_' or '-', e.g. local-lvm, or leave it out to use the VM's datastore (${fieldRef("datastoreId")})`,
        });
      }
    });
  }
  return problems;
}
