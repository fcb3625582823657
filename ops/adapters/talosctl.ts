/**
 * TalosClient over the `talosctl` executable (v1.13): one child process per
 * call, always `--talosconfig <file> -n <node>`, machine-readable output where
 * talosctl has one (`get ... -o json`) and the fixed tables otherwise (`etcd
 * members`, `etcd status`; see talosctl-output.ts). talosctl has no global
 * timeout flag (cmd/talosctl/cmd/talos/root.go:63-80 lists the global flags), so
 * every call is killed at its deadline instead.
 */
import * as path from "node:path";
import type { EtcdMember, EtcdRecoveryClient, EtcdStatus, ServiceInfo, SnapshotInfo, TalosClient } from "../contracts";
import { ProcessFailedError, runChecked } from "./process";
import {
  parseAddresses,
  parseBootId,
  parseEtcdMembers,
  parseEtcdStatus,
  parseMachineType,
  parseService,
  parseServiceInfo,
  parseSnapshotInfo,
  parseTalosconfigEndpoints,
  parseTalosVersion,
  isResourceNotFound,
  talosctlFailure,
} from "./talosctl-output";

/** talosctl's `--drain-timeout` default (cmd/talosctl/pkg/talos/nodedrain/nodedrain.go: DefaultDrainTimeout), passed explicitly. */
export const UPGRADE_DRAIN_TIMEOUT_MS = 5 * 60_000;

/** What `talosctl upgrade` spends outside its timeouts: pulling the installer image and installing it (no deadline of its own). */
export const UPGRADE_INSTALL_MARGIN_MS = 10 * 60_000;

/**
 * When `talosctl upgrade --timeout <T>` is killed. talosctl 1.13/1.14
 * (cmd/talosctl/cmd/talos/upgrade.go) pulls and installs the image, cordons
 * and drains the node (at most --drain-timeout), reboots it and tracks the
 * reboot (at most T), then waits for the Node to be Ready (at most T again,
 * drain.go uncordonNodes) and uncordons it. Killing it before it ends can
 * leave the node cordoned, so the deadline covers all of it.
 */
export function upgradeDeadlineMs(timeoutMs: number): number {
  return UPGRADE_INSTALL_MARGIN_MS + UPGRADE_DRAIN_TIMEOUT_MS + 2 * timeoutMs;
}

/** Where Talos keeps etcd's database file (the disaster-recovery guide's `cp` source). */
export const ETCD_DB_PATH = "/var/lib/etcd/member/snap/db";

export interface TalosctlClientProps {
  /** Path of the talosconfig file (in the private temporary folder, or the operator's --talosconfig). */
  readonly talosconfigPath: string;
  /** Its text, for `endpoints()` (read once by the caller). */
  readonly talosconfigText: string;
  /** @default "talosctl" (found on PATH) */
  readonly executable?: string;
  /** Deadline of each read (get, etcd, read, version). @default 10000 */
  readonly readTimeoutMs?: number;
  /** Deadline of `reboot`, `reset` and `etcd forfeit-leadership` requests (sent with --wait=false where talosctl has it). @default 900000 */
  readonly actionTimeoutMs?: number;
  /** Deadline of `upgrade-k8s`, which runs the whole Kubernetes upgrade. @default 3600000 */
  readonly kubernetesUpgradeTimeoutMs?: number;
  /** Deadline of `etcd snapshot`, `cp` of the database and `bootstrap --recover-from` (each moves the whole database). @default 600000 */
  readonly transferTimeoutMs?: number;
}

export class TalosctlClient implements TalosClient, EtcdRecoveryClient {
  private readonly executable: string;
  private readonly readTimeoutMs: number;
  private readonly actionTimeoutMs: number;
  private readonly kubernetesUpgradeTimeoutMs: number;
  private readonly transferTimeoutMs: number;

  constructor(private readonly props: TalosctlClientProps) {
    this.executable = props.executable ?? "talosctl";
    this.readTimeoutMs = props.readTimeoutMs ?? 10_000;
    this.actionTimeoutMs = props.actionTimeoutMs ?? 900_000;
    this.kubernetesUpgradeTimeoutMs = props.kubernetesUpgradeTimeoutMs ?? 3_600_000;
    this.transferTimeoutMs = props.transferTimeoutMs ?? 600_000;
  }

  /** `talosctl version --client`: only proves the executable runs (a missing one is a ToolMissingError). */
  async checkInstalled(timeoutMs = 5_000): Promise<void> {
    await runChecked(this.executable, ["version", "--client", "--short"], { timeoutMs, label: "talosctl version --client" });
  }

  etcdMembers(node: string): Promise<EtcdMember[]> {
    return this.read(node, ["etcd", "members"]).then(parseEtcdMembers);
  }

  etcdStatus(node: string): Promise<EtcdStatus> {
    return this.read(node, ["etcd", "status"]).then((text) => parseEtcdStatus(text, node));
  }

  addresses(node: string): Promise<string[]> {
    return this.read(node, ["get", "addresses", "-o", "json"]).then(parseAddresses);
  }

  version(node: string): Promise<string> {
    return this.read(node, ["get", "version", "-o", "json"]).then(parseTalosVersion);
  }

  /**
   * The Services resource exists only while the service runs
   * (internal/app/machined/pkg/controllers/v1alpha1/service.go destroys it on
   * any other state), so talosctl's NotFound for it means "not running".
   */
  async service(node: string, id: string): Promise<{ readonly state: string; readonly healthy: boolean }> {
    try {
      return parseService(await this.read(node, ["get", "services", id, "-o", "json"]), id);
    } catch (error) {
      if (error instanceof ProcessFailedError && isResourceNotFound(error.result.stderr)) return { state: "Not running", healthy: false };
      throw error;
    }
  }

  bootId(node: string): Promise<string> {
    return this.read(node, ["read", "/proc/sys/kernel/random/boot_id"]).then(parseBootId);
  }

  async endpoints(): Promise<string[]> {
    return parseTalosconfigEndpoints(this.props.talosconfigText);
  }

  /** Sends the reboot and returns (`--wait=false`); the caller watches `bootId` change. */
  async reboot(node: string): Promise<void> {
    await this.run(node, ["reboot", "--wait=false"], this.actionTimeoutMs);
  }

  /**
   * `talosctl upgrade --image <image> --timeout <T>`: returns once talosctl
   * has installed, drained, rebooted, seen the node Ready and uncordoned it.
   * `--drain` (the default) forces `--wait`, so `--wait=false` would not
   * return early; the flags are given explicitly, and the process is killed
   * only after `upgradeDeadlineMs(T)`.
   */
  async upgrade(node: string, image: string, timeoutMs: number): Promise<void> {
    const seconds = (ms: number) => `${Math.ceil(ms / 1000)}s`;
    const flags = ["--wait", `--timeout=${seconds(timeoutMs)}`, "--drain", `--drain-timeout=${seconds(UPGRADE_DRAIN_TIMEOUT_MS)}`];
    await this.run(node, ["upgrade", "--image", image, ...flags], upgradeDeadlineMs(timeoutMs));
  }

  async forfeitEtcdLeadership(node: string): Promise<void> {
    await this.run(node, ["etcd", "forfeit-leadership"], this.actionTimeoutMs);
  }

  /** `talosctl upgrade-k8s -n <control plane> --to <version>`: returns when the whole upgrade is done. */
  async upgradeKubernetes(controlPlane: string, to: string): Promise<void> {
    await this.run(controlPlane, ["upgrade-k8s", "--to", to], this.kubernetesUpgradeTimeoutMs);
  }

  /** talosctl writes `<file>.part` (0600), checks the trailing sha256, renames it to `<file>` and prints the snapshot info. */
  etcdSnapshot(node: string, file: string): Promise<SnapshotInfo> {
    return this.run(node, ["etcd", "snapshot", file], this.transferTimeoutMs).then(parseSnapshotInfo);
  }

  /** talosctl extracts the node's tar.gz into `dir` (which must not hold a `db` yet) and prints nothing. */
  async copyEtcdDatabase(node: string, dir: string): Promise<string> {
    await this.run(node, ["cp", ETCD_DB_PATH, dir], this.transferTimeoutMs);
    return path.join(dir, path.basename(ETCD_DB_PATH));
  }

  serviceInfo(node: string, id: string): Promise<ServiceInfo> {
    return this.read(node, ["service", id]).then((text) => parseServiceInfo(text, id));
  }

  machineType(node: string): Promise<string> {
    return this.read(node, ["get", "machinetype", "-o", "json"]).then(parseMachineType);
  }

  /** Sends the reset and returns (`--wait=false`); the caller watches `bootId` change and etcd reach `Preparing`. */
  async resetEphemeral(node: string): Promise<void> {
    await this.run(node, ["reset", "--graceful=false", "--reboot", "--system-labels-to-wipe=EPHEMERAL", "--wait=false"], this.actionTimeoutMs);
  }

  /** talosctl reads the snapshot's status (etcdutl), uploads it, then bootstraps etcd from it. */
  async bootstrapRecover(node: string, file: string, skipHashCheck: boolean): Promise<void> {
    await this.run(node, ["bootstrap", `--recover-from=${file}`, ...(skipHashCheck ? ["--recover-skip-hash-check"] : [])], this.transferTimeoutMs);
  }

  private read(node: string, command: readonly string[]): Promise<string> {
    return this.run(node, command, this.readTimeoutMs);
  }

  private run(node: string, command: readonly string[], timeoutMs: number): Promise<string> {
    const args = ["--talosconfig", this.props.talosconfigPath, "-n", node, ...command];
    const firstFlag = command.findIndex((part) => part.startsWith("-"));
    const label = `talosctl -n ${node} ${(firstFlag < 0 ? command : command.slice(0, firstFlag)).join(" ")}`;
    return runChecked(this.executable, args, { timeoutMs, label, failureText: (result) => talosctlFailure(result.stderr) });
  }
}
