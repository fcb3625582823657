/**
 * ProxmoxClient over the Proxmox VE API (node:https), for the drill's crash
 * mode: read a VM's status and the token's privileges, power a VM off
 * (`status/stop`: "akin to pulling the power plug", qemu-server
 * API2/Qemu.pm vm_stop) and start it, each waiting for its task to end.
 * For verify, the hosts of the Proxmox cluster and whether each is online.
 *
 * Reached with the variables the bpg/proxmox provider reads, so a shell set
 * up for `cdktf deploy` works unchanged: PROXMOX_VE_ENDPOINT,
 * PROXMOX_VE_API_TOKEN (`USER@REALM!TOKENID=SECRET`) and PROXMOX_VE_INSECURE
 * (skip TLS verification, for the self-signed certificate Proxmox installs).
 * The token is sent only as the Authorization header and never appears in a
 * message.
 */
import type { ProxmoxClient, ProxmoxHostStatus, ProxmoxHostsClient, ProxmoxTaskEnd, VmStatus } from "../contracts";
import { httpsCall } from "./https-call";

/** Where and how to reach the API. */
export interface ProxmoxAccess {
  /** e.g. `https://pve1.lan:8006/`, or `https://[fd00::10]:8006/` (the brackets are dropped only for the connection). */
  readonly endpoint: URL;
  /** `USER@REALM!TOKENID=SECRET`. */
  readonly token: string;
  /** Skip verification of the API's certificate. @default false */
  readonly insecure?: boolean;
  /** PEM of a CA the API's certificate must chain to. @default - the system roots (and NODE_EXTRA_CA_CERTS) */
  readonly ca?: string;
}

const TOKEN_FORMAT = /^[^@\s!=]+@[^!\s=]+![^=\s]+=\S+$/;

/** The access from PROXMOX_VE_* variables; throws one line naming what is missing or malformed (never the token's value). */
export function proxmoxAccessFromEnv(env: NodeJS.ProcessEnv): ProxmoxAccess {
  const missing = ["PROXMOX_VE_ENDPOINT", "PROXMOX_VE_API_TOKEN"].filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(" and ")} ${missing.length === 1 ? "is" : "are"} not set: the crash mode powers a VM off through the Proxmox API with the same variables the provider reads (PROXMOX_VE_ENDPOINT=https://HOST:8006/, PROXMOX_VE_API_TOKEN=USER@REALM!TOKENID=SECRET)`,
    );
  }
  let endpoint: URL;
  try {
    endpoint = new URL(env.PROXMOX_VE_ENDPOINT!);
  } catch {
    throw new Error(`PROXMOX_VE_ENDPOINT "${env.PROXMOX_VE_ENDPOINT}" is not a URL: use https://HOST:8006/`);
  }
  if (endpoint.protocol !== "https:") throw new Error(`PROXMOX_VE_ENDPOINT "${env.PROXMOX_VE_ENDPOINT}" must start with https://`);
  if (!TOKEN_FORMAT.test(env.PROXMOX_VE_API_TOKEN!)) {
    throw new Error("PROXMOX_VE_API_TOKEN is not in the form USER@REALM!TOKENID=SECRET (its value is not shown)");
  }
  const insecure = /^(1|true|yes)$/i.test(env.PROXMOX_VE_INSECURE ?? "");
  return { endpoint, token: env.PROXMOX_VE_API_TOKEN!, insecure };
}

export interface ProxmoxApiClientProps {
  readonly access: ProxmoxAccess;
  /** Deadline of each request. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** How long a stop or start task may run. @default 120000 */
  readonly taskTimeoutMs?: number;
  /** Between two reads of a task's status. @default 500 */
  readonly taskPollMs?: number;
}

/** A task as `GET /nodes/{host}/tasks/{upid}/status` reports it. */
interface TaskStatus {
  readonly status?: string;
  readonly exitstatus?: string;
}

export class ProxmoxApiClient implements ProxmoxClient, ProxmoxHostsClient {
  private readonly requestTimeoutMs: number;
  private readonly taskTimeoutMs: number;
  private readonly taskPollMs: number;

  constructor(private readonly props: ProxmoxApiClientProps) {
    this.requestTimeoutMs = props.requestTimeoutMs ?? 10_000;
    this.taskTimeoutMs = props.taskTimeoutMs ?? 120_000;
    this.taskPollMs = props.taskPollMs ?? 500;
  }

  async vmStatus(host: string, vmId: number): Promise<VmStatus> {
    const data = (await this.call("GET", `/nodes/${encodeURIComponent(host)}/qemu/${vmId}/status/current`)) as { status?: unknown; ha?: { managed?: unknown } } | null;
    if (typeof data?.status !== "string") throw new Error(`GET /nodes/${host}/qemu/${vmId}/status/current: no status in the answer`);
    return { status: data.status, haManaged: Number(data.ha?.managed ?? 0) === 1 };
  }

  /**
   * Every privilege `GET /access/permissions` returns for `/vms/{vmid}`. The
   * answer maps each privilege to its propagate flag, and a privilege is
   * granted when its key is there (pve-access-control RPCEnvironment.pm
   * `permissions` and `check`): a grant through a pool, or by an ACL on the
   * VM without propagate, answers 0 and counts all the same.
   */
  async privileges(vmId: number): Promise<string[]> {
    const path = `/vms/${vmId}`;
    const data = (await this.call("GET", `/access/permissions?path=${encodeURIComponent(path)}`)) as Record<string, Record<string, unknown>> | null;
    const granted = data?.[path] ?? {};
    // null would be Perl's undef, which the API deletes before answering: never granted.
    return Object.entries(granted)
      .filter(([, propagate]) => propagate !== null && propagate !== undefined)
      .map(([name]) => name)
      .sort();
  }

  async hosts(): Promise<ProxmoxHostStatus[]> {
    const data = await this.call("GET", "/nodes");
    if (!Array.isArray(data)) throw new Error("GET /nodes: no list of hosts in the answer");
    return data.flatMap((entry: { node?: unknown; status?: unknown }) =>
      typeof entry?.node === "string" ? [{ node: entry.node, status: typeof entry.status === "string" ? entry.status : "unknown" }] : [],
    );
  }

  stopVm(host: string, vmId: number): Promise<ProxmoxTaskEnd> {
    return this.runTask(host, `/nodes/${encodeURIComponent(host)}/qemu/${vmId}/status/stop`);
  }

  startVm(host: string, vmId: number): Promise<ProxmoxTaskEnd> {
    return this.runTask(host, `/nodes/${encodeURIComponent(host)}/qemu/${vmId}/status/start`);
  }

  /**
   * POSTs an action that answers with a task id (UPID), then waits until the
   * task has stopped (pve-manager API2/Tasks.pm read_task_status). Its exit
   * status is `OK`, `WARNINGS: N` or the error: anything else than the first
   * two is an error, as pve-common UPID.pm `status_is_error` has it.
   */
  private async runTask(host: string, path: string): Promise<ProxmoxTaskEnd> {
    const upid = await this.call("POST", path);
    if (typeof upid !== "string" || !upid.startsWith("UPID:")) throw new Error(`POST ${path}: the answer is not a task id`);
    const statusPath = `/nodes/${encodeURIComponent(host)}/tasks/${encodeURIComponent(upid)}/status`;
    const deadline = Date.now() + this.taskTimeoutMs;
    for (;;) {
      const task = (await this.call("GET", statusPath)) as TaskStatus | null;
      if (task?.status === "stopped") {
        const warnings = task.exitstatus === "OK" ? 0 : /^WARNINGS: (\d+)$/.exec(task.exitstatus ?? "")?.[1];
        if (warnings === undefined) throw new Error(`POST ${path}: the task ended with "${task.exitstatus ?? "no exit status"}"`);
        return { upid, warnings: Number(warnings) };
      }
      if (Date.now() >= deadline) throw new Error(`POST ${path}: the task was still running after ${this.taskTimeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, this.taskPollMs));
    }
  }

  /** One API call; resolves to the answer's `data`. */
  private async call(method: "GET" | "POST", path: string): Promise<unknown> {
    const { access } = this.props;
    const base = access.endpoint.pathname.replace(/\/+$/, "");
    const label = `Proxmox API ${method} ${path.split("?")[0]}`;
    const answer = await httpsCall({
      host: access.endpoint.hostname,
      port: Number(access.endpoint.port || 8006),
      path: `${base}/api2/json${path}`,
      method,
      headers: {
        authorization: `PVEAPIToken=${access.token}`,
        accept: "application/json",
        ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded", "content-length": "0" } : {}),
      },
      tls: { rejectUnauthorized: !access.insecure, ...(access.ca !== undefined ? { ca: access.ca } : {}) },
      timeoutMs: this.requestTimeoutMs,
      label,
      untrusted: (code) => `the API's certificate is not trusted (${code}): add its CA with NODE_EXTRA_CA_CERTS, or set PROXMOX_VE_INSECURE=true as for the provider`,
    });
    // Proxmox puts the reason in the status line (e.g. "Permission check failed (/vms/211, VM.PowerMgmt)").
    if (answer.status !== 200) throw new Error(`${label}: HTTP ${answer.status} ${answer.statusMessage.slice(0, 200)}`.trimEnd());
    try {
      return (JSON.parse(answer.body) as { data?: unknown }).data;
    } catch {
      throw new Error(`${label}: the answer is not JSON`);
    }
  }
}
