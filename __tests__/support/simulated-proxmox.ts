/**
 * The simulated cluster as the Proxmox VE API answers it: a VM's status (and
 * whether Proxmox HA manages it), the token's privileges (every key
 * `GET /access/permissions` returns, whatever its propagate flag), and power
 * off and on, each ending as its task did (`OK`, or `WARNINGS: 2` with the
 * `proxmox-task-warnings` fault); failures worded as ops/adapters/proxmox.ts
 * reports the API's (the reason Proxmox puts in the HTTP status line).
 */
import type { ProxmoxClient, ProxmoxTaskEnd } from "../../ops/contracts";
import type { Method, SimNode, SimulatedCluster } from "./simulated-cluster";

/** The ProxmoxClient the drill gets: each call counted (and maybe failed, see `call-fails`). */
export function simulatedProxmox(sim: SimulatedCluster): ProxmoxClient {
  /** The VM `vmId` on Proxmox host `host`; Proxmox has no such VM config on any other host. */
  const vm = (method: Method, host: string, vmId: number): SimNode => {
    const n = sim.nodes().find((x) => x.spec.vmId === vmId);
    sim.recordCall(method, n);
    if (n === undefined || n.spec.proxmoxHost !== host) {
      throw new Error(`Proxmox API GET /nodes/${host}/qemu/${vmId}/status/current: HTTP 500 Configuration file 'nodes/${host}/qemu-server/${vmId}.conf' does not exist`);
    }
    return n;
  };
  const powerCheck = (vmId: number): void => {
    if (sim.hasFault("no-power-privilege")) throw new Error(`Proxmox API POST: HTTP 403 Permission check failed (/vms/${vmId}, VM.PowerMgmt)`);
  };
  const taskEnd = (host: string, action: "stop" | "start", vmId: number): ProxmoxTaskEnd => {
    return { upid: `UPID:${host}:0001A2B3:0C4D5E6F:6757A1B2:qm${action}:${vmId}:drill@pve!ops:`, warnings: sim.hasFault("proxmox-task-warnings") ? 2 : 0 };
  };
  return {
    async vmStatus(host, vmId) {
      const n = vm("vmStatus", host, vmId);
      return { status: n.poweredOff ? "stopped" : "running", haManaged: sim.haManaged.includes(n.spec.name) };
    },
    async privileges() {
      sim.recordCall("privileges");
      return sim.hasFault("no-power-privilege") ? ["VM.Audit"] : ["VM.Audit", "VM.PowerMgmt"];
    },
    async stopVm(host, vmId) {
      const n = vm("stopVm", host, vmId);
      powerCheck(vmId);
      sim.actions.push(`stop-vm ${n.spec.name}`);
      sim.powerOff(n);
      return taskEnd(host, "stop", vmId);
    },
    async startVm(host, vmId) {
      const n = vm("startVm", host, vmId);
      powerCheck(vmId);
      sim.actions.push(`start-vm ${n.spec.name}`);
      sim.powerOn(n);
      return taskEnd(host, "start", vmId);
    },
  };
}
