/**
 * The contracts between the operator commands (`npm run verify`, `drill`,
 * `upgrade`) and the world: what they know of the deployed cluster, and the
 * narrow clients that talk to it. Orchestration (ops/*.ts) is pure and takes
 * these interfaces; the adapters (ops/adapters/*) implement them with
 * `talosctl`, `kubectl`, `terraform output` and the Proxmox API; tests use
 * simulated clusters.
 */

// What the commands know of the deployed cluster is the stack-output contract's.
export type { ClusterNode, Credentials, StackFacts } from "../domain/stack-outputs";

/** An etcd member as `talosctl etcd members -o json` reports it. */
export interface EtcdMember {
  readonly id: string;
  readonly hostname: string;
  readonly peerUrls: readonly string[];
  readonly isLearner: boolean;
}

/** The etcd status of one member, as `talosctl etcd status` reports it. */
export interface EtcdStatus {
  readonly node: string;
  readonly memberId: string;
  /** The member id of the current leader, as this member sees it. */
  readonly leader: string;
  /** The member's raft index (`RAFT INDEX`): answered without quorum, so it says whose data is newest. */
  readonly raftIndex?: number;
}

/** What `talosctl etcd snapshot` prints of the snapshot it saved. */
export interface SnapshotInfo {
  /** Bytes written (the snapshot with its trailing sha256). */
  readonly bytes: number;
  /** etcd's hash of the key space, `%08x`. */
  readonly hash: string;
  /** The etcd revision the snapshot holds. */
  readonly revision: number;
  readonly totalKeys: number;
  readonly totalSize: number;
}

/** A service as `talosctl service <id>` shows it. */
export interface ServiceInfo {
  /** `Preparing`, `Waiting`, `Running`, `Finished`, `Failed`, ... */
  readonly state: string;
  /** `OK`, `Fail`, or `?` while unknown. */
  readonly health: string;
}

/**
 * What `npm run backup` and `npm run restore` ask of Talos beyond the
 * TalosClient: the steps of Talos's disaster-recovery guide.
 */
export interface EtcdRecoveryClient {
  /** `talosctl -n <node> etcd snapshot <file>`: a consistent snapshot from a healthy member. */
  etcdSnapshot(node: string, file: string): Promise<SnapshotInfo>;
  /** `talosctl -n <node> cp /var/lib/etcd/member/snap/db <dir>`: the member's database file as it is (no hash); resolves with `<dir>/db`. */
  copyEtcdDatabase(node: string, dir: string): Promise<string>;
  /** `talosctl -n <node> service <id>`: its state and health. */
  serviceInfo(node: string, id: string): Promise<ServiceInfo>;
  /** `talosctl -n <node> get machinetype`: `init`, `controlplane` or `worker`. */
  machineType(node: string): Promise<string>;
  /** `talosctl -n <node> reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL --wait=false`: wipes etcd's data and reboots. */
  resetEphemeral(node: string): Promise<void>;
  /** `talosctl -n <node> bootstrap --recover-from=<file> [--recover-skip-hash-check]`. */
  bootstrapRecover(node: string, file: string, skipHashCheck: boolean): Promise<void>;
}

/** What the commands ask of Talos (talosctl with the cluster's talosconfig, one node at a time). */
export interface TalosClient {
  etcdMembers(node: string): Promise<EtcdMember[]>;
  etcdStatus(node: string): Promise<EtcdStatus>;
  /** The node's addresses (`talosctl get addresses`), without prefix length. */
  addresses(node: string): Promise<string[]>;
  /** Running Talos version tag, e.g. `v1.13.9`. */
  version(node: string): Promise<string>;
  /** State and health of a service, e.g. etcd. */
  service(node: string, id: string): Promise<{ readonly state: string; readonly healthy: boolean }>;
  /** Changes on every boot. */
  bootId(node: string): Promise<string>;
  /** The talosconfig's endpoints (must be node IPs, not the VIP). */
  endpoints(): Promise<string[]>;
  reboot(node: string): Promise<void>;
  /** Installs `image` and reboots onto it; returns once the node is back, Ready and uncordoned, or fails after `timeoutMs` for the reboot and again for Ready. */
  upgrade(node: string, image: string, timeoutMs: number): Promise<void>;
  forfeitEtcdLeadership(node: string): Promise<void>;
  upgradeKubernetes(controlPlane: string, to: string): Promise<void>;
}

/** A Kubernetes node as the API reports it. */
export interface KubeNode {
  readonly name: string;
  readonly ready: boolean;
  /** e.g. `v1.36.3`. */
  readonly kubeletVersion: string;
  /** Cordoned (`spec.unschedulable`): a drain that was not undone, e.g. an upgrade killed before its uncordon. */
  readonly unschedulable: boolean;
}

/** What the commands ask of Kubernetes, through the VIP, TLS verified against the cluster CA. */
export interface KubernetesClient {
  /** `GET /readyz` with the admin credentials. */
  readyz(): Promise<{ readonly ok: boolean; readonly detail: string }>;
  nodes(): Promise<KubeNode[]>;
  /** The API server's version, e.g. `v1.36.3`. */
  serverVersion(): Promise<string>;
}

/** A VM as `GET /nodes/{host}/qemu/{vmid}/status/current` reports it. */
export interface VmStatus {
  /** `running` or `stopped`. */
  readonly status: string;
  /** Managed by Proxmox HA: a stop then goes through the HA manager (`ha-manager crm-command stop <sid> 0`, a hard stop on its next round). */
  readonly haManaged: boolean;
}

/** What the drill's crash mode asks of Proxmox (PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN). */
export interface ProxmoxClient {
  vmStatus(host: string, vmId: number): Promise<VmStatus>;
  /** The token's privileges on `/vms/{vmid}` (`GET /access/permissions`). */
  privileges(vmId: number): Promise<string[]>;
  /** Power off (not shut down): `POST /nodes/{host}/qemu/{vmid}/status/stop`; resolves once the task has ended without error. */
  stopVm(host: string, vmId: number): Promise<ProxmoxTaskEnd>;
  /** `POST .../status/start`; resolves once the task has ended without error. */
  startVm(host: string, vmId: number): Promise<ProxmoxTaskEnd>;
}

/** A Proxmox task that ended without error: `OK`, or `WARNINGS: N` (a success for pve-common's UPID.pm `status_is_error`). */
export interface ProxmoxTaskEnd {
  /** The task's id, to find its log (`pvenode task log UPID`, or the host's Tasks in the web UI). */
  readonly upid: string;
  /** N of `WARNINGS: N`; 0 for `OK`. */
  readonly warnings: number;
}

/** A Proxmox host as `GET /nodes` lists it. */
export interface ProxmoxHostStatus {
  /** The host's name, as VMs' `node_name` says it. */
  readonly node: string;
  /** `online`, `offline` or `unknown` (pve-manager API2/Nodes.pm). */
  readonly status: string;
}

/** What verify asks of Proxmox when PROXMOX_VE_ENDPOINT and PROXMOX_VE_API_TOKEN are set. */
export interface ProxmoxHostsClient {
  /** Every host of the Proxmox cluster with its status (`GET /nodes`). */
  hosts(): Promise<ProxmoxHostStatus[]>;
}

/** One check of `verify`: what it saw and whether it holds. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  /** What was seen, in words (never a secret). */
  readonly seen: string;
}
