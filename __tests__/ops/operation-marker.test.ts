/** The marker a drill or upgrade leaves while it works on a node, which a backup reads. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProxmoxClient, TalosClient } from "../../ops/contracts";
import { OperationMarking, liveMarker, markerPath, markingProxmox, markingTalos } from "../../ops/operation-marker";

let project: string;
beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "ops-marker-"));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

describe("the operation marker", () => {
  test("is written when a node is taken down, read back while the command runs, and removed when it ends", () => {
    const marking = new OperationMarking(project, "lab", "upgrade", () => new Date("2026-12-04T08:00:00Z"));
    expect(liveMarker(project, "lab")).toBeUndefined();
    marking.mark("10.0.20.11");
    expect(liveMarker(project, "lab")).toEqual({ command: "upgrade", cluster: "lab", node: "10.0.20.11", pid: process.pid, since: "2026-12-04T08:00:00.000Z" });
    marking.clear();
    expect(fs.existsSync(markerPath(project, "lab"))).toBe(false);
  });

  test("is ignored when its process is gone (a killed command)", () => {
    const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
    fs.mkdirSync(path.join(project, ".ops"));
    fs.writeFileSync(markerPath(project, "lab"), JSON.stringify({ command: "drill", cluster: "lab", node: "10.0.20.11", pid: gone, since: "x" }));
    expect(liveMarker(project, "lab")).toBeUndefined();
  });

  test("marks the node of a reboot, an upgrade, a leadership hand-off and a VM power-off, and nothing for a read", async () => {
    const marking = new OperationMarking(project, "lab", "drill");
    const calls: string[] = [];
    const talos = markingTalos({ version: async (node: string) => (calls.push(`version ${node}`), "v1.13.9"), reboot: async (node: string) => void calls.push(`reboot ${node}`) } as unknown as TalosClient, marking);
    await talos.version("10.0.20.12");
    expect(liveMarker(project, "lab")).toBeUndefined();
    await talos.reboot("10.0.20.12");
    expect(liveMarker(project, "lab")?.node).toBe("10.0.20.12");
    const proxmox = markingProxmox({ stopVm: async () => undefined } as unknown as ProxmoxClient, [{ name: "cp3", ip: "10.0.20.13", role: "control-plane", vmId: 1013, proxmoxHost: "pve3" }], marking);
    await proxmox.stopVm("pve3", 1013);
    expect(liveMarker(project, "lab")?.node).toBe("10.0.20.13");
    expect(calls).toEqual(["version 10.0.20.12", "reboot 10.0.20.12"]);
    marking.clear();
  });
});
