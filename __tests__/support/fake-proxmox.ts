/**
 * A fake Proxmox VE API on 127.0.0.1 (HTTPS, the throwaway CA of ops-api.ts)
 * answering as qemu-server's API2/Qemu.pm does: `{"data": ...}`, a task id
 * (UPID) for status/stop and status/start, the reason of a failure in the
 * HTTP status line; `GET /nodes` lists the hosts as pve-manager's
 * API2/Nodes.pm does (`node`, `status`). Loopback only.
 */
import * as https from "node:https";
import { mintPki, type Pki } from "./ops-api";

export const PROXMOX_TOKEN = "drill@pve!ops=0b7d4a3e-secret-5f1c";

export interface FakeProxmox {
  readonly server: https.Server;
  /** `METHOD path` of every request, in order. */
  readonly requests: string[];
  /** Authorization headers seen. */
  readonly auth: string[];
  /** Task status reads before a task reports stopped. */
  taskPolls: number;
  /** The exit status tasks end with. */
  exitstatus: string;
  /** VMs by id (on any Proxmox node): status and HA. */
  readonly vms: Map<number, { status: string; ha: boolean }>;
  /** Privileges the token has on every /vms/<id>. */
  privileges: Record<string, number>;
  /** The hosts `GET /nodes` lists. @default pve1..pve3, online */
  hosts: { node: string; status: "online" | "offline" | "unknown" }[];
  /** Called after a VM was stopped or started. */
  onPower?: (vmId: number, action: "stop" | "start") => void;
}

export async function fakeProxmox(pki: Pki | Promise<Pki> = mintPki(), vmIds: readonly number[] = [211, 212]): Promise<FakeProxmox> {
  const { serverKey, ca } = await pki;
  const fake: Omit<FakeProxmox, "server"> = {
    requests: [],
    auth: [],
    taskPolls: 2,
    exitstatus: "OK",
    vms: new Map(vmIds.map((id, i) => [id, { status: "running", ha: i === 1 }])),
    privileges: { "VM.Audit": 1, "VM.PowerMgmt": 1, "VM.Console": 0 },
    hosts: ["pve1", "pve2", "pve3"].map((node) => ({ node, status: "online" as const })),
  };
  const polls = new Map<string, number>();
  const server = https.createServer({ key: serverKey, cert: ca }, (request, response) => {
    const url = request.url ?? "";
    fake.requests.push(`${request.method} ${url}`);
    fake.auth.push(String(request.headers.authorization));
    const send = (status: number, message: string, data?: unknown) => {
      response.statusMessage = message;
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ data: data ?? null }));
    };
    if (request.headers.authorization !== `PVEAPIToken=${PROXMOX_TOKEN}`) return send(401, "authentication failure");
    let m: RegExpExecArray | null;
    if (url === "/api2/json/nodes") return send(200, "OK", fake.hosts.map((host) => ({ ...host, type: "node", id: `node/${host.node}`, ...(host.status === "online" ? { uptime: 86400 } : {}) })));
    if ((m = /^\/api2\/json\/nodes\/([^/]+)\/qemu\/(\d+)\/status\/(current|stop|start)$/.exec(url))) {
      const [, host, id, action] = m;
      const vmId = Number(id);
      const vm = fake.vms.get(vmId);
      if (!vm) return send(500, `Configuration file 'nodes/${host}/qemu-server/${vmId}.conf' does not exist`);
      if (action === "current") return send(200, "OK", { status: vm.status, vmid: vmId, ha: { managed: vm.ha ? 1 : 0 } });
      if (request.method !== "POST") return send(501, `Method 'GET /nodes/${host}/qemu/${vmId}/status/${action}' not implemented`);
      if (!fake.privileges["VM.PowerMgmt"]) return send(403, `Permission check failed (/vms/${vmId}, VM.PowerMgmt)`);
      vm.status = action === "stop" ? "stopped" : "running";
      fake.onPower?.(vmId, action as "stop" | "start");
      return send(200, "OK", `UPID:${host}:0001A2B3:0C4D5E6F:6757A1B2:qm${action}:${vmId}:drill@pve!ops:`);
    }
    if ((m = /^\/api2\/json\/nodes\/[^/]+\/tasks\/([^/]+)\/status$/.exec(url))) {
      const upid = decodeURIComponent(m[1]);
      const seen = (polls.get(upid) ?? 0) + 1;
      polls.set(upid, seen);
      return send(200, "OK", seen <= fake.taskPolls ? { status: "running", upid } : { status: "stopped", exitstatus: fake.exitstatus, upid });
    }
    if ((m = /^\/api2\/json\/access\/permissions\?path=%2Fvms%2F(\d+)$/.exec(url))) return send(200, "OK", { [`/vms/${m[1]}`]: fake.privileges });
    return send(404, "Not Found");
  });
  return Object.assign(fake, { server });
}
