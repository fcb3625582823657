/**
 * TalosClient over the `talosctl` executable (v1.13): one child process per
 * call, always `--talosconfig <file> -n <node>`, machine-readable output where
 * talosctl has one (`get ... -o json`) and the fixed tables otherwise (`etcd
 * members`, `etcd status`; see talosctl-output.ts). talosctl has no global
 * timeout flag (cmd/talosctl/cmd/talos/root.go:63-80 lists the global flags), so
 * every call is killed at its deadline instead.
 */
import type { EtcdMember, EtcdStatus, TalosClient } from "../contracts";
import { runChecked } from "./process";
import { parseAddresses, parseBootId, parseEtcdMembers, parseEtcdStatus, parseService, parseTalosconfigEndpoints, parseTalosVersion } from "./talosctl-output";

export interface TalosctlClientProps {
  /** Path of the talosconfig file (in the private temporary folder, or the operator's --talosconfig). */
  readonly talosconfigPath: string;
  /** Its text, for `endpoints()` (read once by the caller). */
  readonly talosconfigText: string;
  /** @default "talosctl" (found on PATH) */
  readonly executable?: string;
  /** Deadline of each read (get, etcd, read, version). @default 10000 */
  readonly readTimeoutMs?: number;
  /** Deadline of `reboot`, `upgrade` and `etcd forfeit-leadership` requests (sent with --wait=false where talosctl has it). @default 900000 (an upgrade drains the node first) */
  readonly actionTimeoutMs?: number;
  /** Deadline of `upgrade-k8s`, which runs the whole Kubernetes upgrade. @default 3600000 */
  readonly kubernetesUpgradeTimeoutMs?: number;
}

export class TalosctlClient implements TalosClient {
  private readonly executable: string;
  private readonly readTimeoutMs: number;
  private readonly actionTimeoutMs: number;
  private readonly kubernetesUpgradeTimeoutMs: number;

  constructor(private readonly props: TalosctlClientProps) {
    this.executable = props.executable ?? "talosctl";
    this.readTimeoutMs = props.readTimeoutMs ?? 10_000;
    this.actionTimeoutMs = props.actionTimeoutMs ?? 900_000;
    this.kubernetesUpgradeTimeoutMs = props.kubernetesUpgradeTimeoutMs ?? 3_600_000;
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

  service(node: string, id: string): Promise<{ readonly state: string; readonly healthy: boolean }> {
    return this.read(node, ["get", "services", id, "-o", "json"]).then((text) => parseService(text, id));
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

  /** Sends the upgrade (drain, then install `image`) and returns (`--wait=false`); the caller watches `bootId` and `version`. */
  async upgrade(node: string, image: string): Promise<void> {
    await this.run(node, ["upgrade", "--image", image, "--wait=false"], this.actionTimeoutMs);
  }

  async forfeitEtcdLeadership(node: string): Promise<void> {
    await this.run(node, ["etcd", "forfeit-leadership"], this.actionTimeoutMs);
  }

  /** `talosctl upgrade-k8s -n <control plane> --to <version>`: returns when the whole upgrade is done. */
  async upgradeKubernetes(controlPlane: string, to: string): Promise<void> {
    await this.run(controlPlane, ["upgrade-k8s", "--to", to], this.kubernetesUpgradeTimeoutMs);
  }

  private read(node: string, command: readonly string[]): Promise<string> {
    return this.run(node, command, this.readTimeoutMs);
  }

  private run(node: string, command: readonly string[], timeoutMs: number): Promise<string> {
    const args = ["--talosconfig", this.props.talosconfigPath, "-n", node, ...command];
    const firstFlag = command.findIndex((part) => part.startsWith("-"));
    const label = `talosctl -n ${node} ${(firstFlag < 0 ? command : command.slice(0, firstFlag)).join(" ")}`;
    return runChecked(this.executable, args, { timeoutMs, label });
  }
}
