/** Field descriptions quote the limit and version tables; they never restate a number of their own. */
import { BACKEND_FIELDS, CLUSTER_FIELDS, CONTROL_PLANE_MINIMUMS, MAX_CONTROL_PLANES, MAX_SCHEMA_NAME, NODE_FIELDS, PROXMOX_VM_ID_RANGE, TALOS_OS_RELEASES, VLAN_ID_RANGE, WORKER_MINIMUMS } from "../../domain";

describe("field descriptions", () => {
  test.each([
    ["vm.cores", CLUSTER_FIELDS.cores.description, `at least ${CONTROL_PLANE_MINIMUMS.cores} for a control plane`],
    ["vm.memoryMib", CLUSTER_FIELDS.memoryMib.description, `at least ${CONTROL_PLANE_MINIMUMS.memoryMib} for a control plane`],
    ["vm.diskGib", CLUSTER_FIELDS.diskSizeGib.description, `at least ${CONTROL_PLANE_MINIMUMS.diskSizeGib})`],
    ["workerVm.cores", CLUSTER_FIELDS.workerCores.description, `at least ${WORKER_MINIMUMS.cores} for a worker`],
    ["workerVm.memoryMib", CLUSTER_FIELDS.workerMemoryMib.description, `at least ${WORKER_MINIMUMS.memoryMib} for a worker`],
    ["workerVm.diskGib", CLUSTER_FIELDS.workerDiskSizeGib.description, `at least ${WORKER_MINIMUMS.diskSizeGib})`],
    ["controlPlanes", CLUSTER_FIELDS.controlPlanes.description, `3, 5 or ${MAX_CONTROL_PLANES}`],
    ["controlPlanes[].vmId", NODE_FIELDS.vmId.description, `${PROXMOX_VM_ID_RANGE.min} to ${PROXMOX_VM_ID_RANGE.max}`],
    ["network.vlanId", CLUSTER_FIELDS.vlanId.description, `${VLAN_ID_RANGE.min} to ${VLAN_ID_RANGE.max}`],
    ["backend.schemaName", BACKEND_FIELDS.schemaName.description, `1-${MAX_SCHEMA_NAME} letters`],
    ["talosVersion", CLUSTER_FIELDS.talosVersion.description, `\`v${TALOS_OS_RELEASES[0].minor}.x\` to \`v${TALOS_OS_RELEASES[TALOS_OS_RELEASES.length - 1].minor}.x\``],
  ])("%s quotes its table", (_field, description, quoted) => {
    expect(description).toContain(quoted);
  });
});
