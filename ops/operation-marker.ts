/**
 * Which control plane a running drill or upgrade is working on, so a backup
 * taken meanwhile (a cron job, say) never snapshots that one: a small file,
 * `<project>/.ops/<cluster>.operation.json`, written when the command first
 * takes a node down (a reboot, an upgrade, a leadership hand-off, a power-off)
 * and removed when it ends. A file whose process is gone (the command was
 * killed) is stale and ignored.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ClusterNode, ProxmoxClient, TalosClient } from "./contracts";

export interface OperationMarker {
  readonly command: "drill" | "upgrade";
  readonly cluster: string;
  /** The control plane's IP. */
  readonly node: string;
  readonly pid: number;
  /** UTC, ISO 8601. */
  readonly since: string;
}

/** The marker file of a cluster. */
export function markerPath(projectDir: string, cluster: string): string {
  return path.join(projectDir, ".ops", `${cluster}.operation.json`);
}

/** The marker of a command still running, or undefined (none, unreadable, or its process gone). */
export function liveMarker(projectDir: string, cluster: string): OperationMarker | undefined {
  let marker: OperationMarker;
  try {
    marker = JSON.parse(fs.readFileSync(markerPath(projectDir, cluster), "utf8")) as OperationMarker;
  } catch {
    return undefined;
  }
  return typeof marker.node === "string" && Number.isInteger(marker.pid) && processRuns(marker.pid) ? marker : undefined;
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Writes and clears one command's marker. */
export class OperationMarking {
  private written = false;

  constructor(
    private readonly projectDir: string,
    private readonly cluster: string,
    private readonly command: OperationMarker["command"],
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The command now works on `node` (an IP). */
  public mark(node: string): void {
    const file = markerPath(this.projectDir, this.cluster);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const marker: OperationMarker = { command: this.command, cluster: this.cluster, node, pid: process.pid, since: this.now().toISOString() };
    fs.writeFileSync(file, `${JSON.stringify(marker, null, 2)}\n`);
    this.written = true;
  }

  /** Removes the marker, if this command wrote one. */
  public clear(): void {
    if (this.written) fs.rmSync(markerPath(this.projectDir, this.cluster), { force: true });
    this.written = false;
  }
}

/** The Talos client, marking the node of every call that takes a node down or hands its work away. */
export function markingTalos<T extends TalosClient>(talos: T, marking: OperationMarking): T {
  const disruptive = new Set<string | symbol>(["reboot", "upgrade", "forfeitEtcdLeadership"]);
  return new Proxy(talos, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (disruptive.has(property) && typeof args[0] === "string") marking.mark(args[0]);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** The Proxmox client, marking the control plane whose VM is powered off. */
export function markingProxmox(proxmox: ProxmoxClient, nodes: readonly ClusterNode[], marking: OperationMarking): ProxmoxClient {
  return new Proxy(proxmox, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "stopVm") {
          const node = nodes.find((candidate) => candidate.vmId === args[1]);
          if (node) marking.mark(node.ip);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
