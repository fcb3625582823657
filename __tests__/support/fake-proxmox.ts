/**
 * A fake Proxmox VE API on loopback (HTTPS, the throwaway CA of ops-api.ts,
 * valid for 127.0.0.1 and ::1) answering as the real one does:
 * `{"data": ...}`, the reason of a failure in the HTTP status line; a task id
 * (UPID) for status/stop and status/start (qemu-server API2/Qemu.pm), and the
 * task's `status` (`running`, `stopped`) with, once stopped, `exitstatus` as
 * pve-common's UPID.pm read_status gives it: `OK`, `WARNINGS: N` or the
 * error (pve-manager API2/Tasks.pm read_task_status); `GET /nodes` lists the
 * hosts as pve-manager's API2/Nodes.pm does (`node`, `status`).
 *
 * `GET /access/permissions?path=/vms/{vmid}` is computed from ACLs and pools
 * as pve-access-control does (AccessControl.pm `roles`, RPCEnvironment.pm
 * `compile_acl_path`): an ACL applies on its own path always and below it
 * only with propagate; the deepest level that applies replaces those above;
 * a pool's ACL adds its roles to the pool's VMs unless already set, always
 * with 0; each privilege maps to its propagate flag (1 if any of its roles
 * propagates, else 0) and is granted whenever its key is there. The power
 * actions check for the key, as RPCEnvironment.pm `check` does. Loopback only.
 */
import * as https from "node:https";
import { mintPki, type Pki } from "./ops-api";

export const PROXMOX_TOKEN = "drill@pve!ops=0b7d4a3e-secret-5f1c";

/** An ACL entry as `pveum acl modify PATH --tokens ... --roles ROLE --propagate 0|1` writes it; the role given by its privileges. */
export interface FakeAcl {
  /** `/`, `/vms`, `/vms/211`, `/pool/k8s`, ... */
  readonly path: string;
  readonly privileges: readonly string[];
  /** @default true (as pveum's --propagate) */
  readonly propagate?: boolean;
}

export interface FakeProxmox {
  readonly server: https.Server;
  /** `METHOD path` of every request, in order. */
  readonly requests: string[];
  /** Authorization headers seen. */
  readonly auth: string[];
  /** Task status reads before a task reports stopped. */
  taskPolls: number;
  /** The exit status tasks end with: `OK`, `WARNINGS: N`, or an error. */
  exitstatus: string;
  /** VMs by id (on any Proxmox node): status and HA. */
  readonly vms: Map<number, { status: string; ha: boolean }>;
  /** The token's ACLs. @default one on / with VM.Audit, VM.PowerMgmt and VM.Console, propagated */
  acls: FakeAcl[];
  /** Resource pools by name: their VMs. @default none */
  pools: Record<string, number[]>;
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
    acls: [{ path: "/", privileges: ["VM.Audit", "VM.PowerMgmt", "VM.Console"] }],
    pools: {},
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
      if (permissionsOn(fake, `/vms/${vmId}`)["VM.PowerMgmt"] === undefined) return send(403, `Permission check failed (/vms/${vmId}, VM.PowerMgmt)`);
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
    // The answer is { path: privileges } even when there are none (a Perl hash reference is true).
    if ((m = /^\/api2\/json\/access\/permissions\?path=(%2Fvms%2F\d+)$/.exec(url))) {
      const path = decodeURIComponent(m[1]);
      return send(200, "OK", { [path]: permissionsOn(fake, path) });
    }
    return send(404, "Not Found");
  });
  return Object.assign(fake, { server });
}

/** Privilege -> propagate flag on `path` (a `/vms/{vmid}`), as RPCEnvironment.pm compile_acl_path computes it for a token without privilege separation. */
export function permissionsOn(fake: Pick<FakeProxmox, "acls" | "pools">, path: string): Record<string, 0 | 1> {
  const role = (acl: FakeAcl) => acl.privileges.join(",");
  // AccessControl.pm roles(): walk /, /vms, /vms/211; each level that applies replaces the roles so far.
  const parts = path.split("/").filter(Boolean);
  let roles = new Map<string, { privileges: readonly string[]; propagate: 0 | 1 }>();
  for (let depth = 0; depth <= parts.length; depth++) {
    const level = `/${parts.slice(0, depth).join("/")}`;
    const final = depth === parts.length;
    const applying = fake.acls.filter((acl) => acl.path === level && (final || acl.propagate !== false));
    if (applying.length > 0) roles = new Map(applying.map((acl) => [role(acl), { privileges: acl.privileges, propagate: acl.propagate === false ? 0 : 1 }]));
  }
  // Pool ACLs: their roles for the pool's VMs, never propagated, never replacing a role already set.
  const vmId = /^\/vms\/(\d+)$/.exec(path)?.[1];
  for (const [pool, vms] of Object.entries(fake.pools)) {
    if (vmId === undefined || !vms.includes(Number(vmId))) continue;
    for (const acl of fake.acls.filter((a) => a.path === `/pool/${pool}`)) {
      if (!roles.has(role(acl))) roles.set(role(acl), { privileges: acl.privileges, propagate: 0 });
    }
  }
  const privileges: Record<string, 0 | 1> = {};
  for (const { privileges: names, propagate } of roles.values()) for (const name of names) privileges[name] = (privileges[name] || propagate) as 0 | 1;
  return privileges;
}
