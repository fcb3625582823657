/**
 * `npm run backup` and `npm run restore` over the simulated cluster: a
 * snapshot while etcd is healthy, the cluster losing two of its three
 * members, the disaster copy, and the restore bringing the cluster back at
 * the snapshot's revision; the refusals, the plan, and verify's advice.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BackupResult, runBackup, snapshotsOf } from "../../ops/backup";
import { RestoreProps, checkSnapshotFile, runRestore } from "../../ops/restore";
import { observe, operatorCommands, quorumLostAdvice, verifyChecks } from "../../ops/verify";
import { SimulatedCluster } from "../support/simulated-cluster";

const AT = new Date("2026-01-10T09:12:44.123Z");
const dirs: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-backup-"));
  dirs.push(dir);
  return path.join(dir, "backups");
}
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const backup = (sim: SimulatedCluster, outDir: string, extra: { keep?: number; now?: Date } = {}) =>
  runBackup({ facts: sim.facts, talos: sim.talos, outDir, keep: extra.keep, now: () => extra.now ?? AT });

async function restore(sim: SimulatedCluster, file: string, extra: Partial<RestoreProps> = {}) {
  const checked = await checkSnapshotFile(file, false);
  expect(checked.problems).toEqual([]);
  const log: string[] = [];
  const prompts: string[] = [];
  const result = await runRestore({
    facts: sim.facts,
    talos: sim.talos,
    kube: sim.kube,
    snapshot: checked.file!,
    confirm: async (prompt) => {
      prompts.push(prompt);
      return true;
    },
    verify: async () => verifyChecks(sim.facts, await observe(sim.facts, { talos: sim.talos, kubernetes: sim.kube })),
    clock: sim.clock,
    log: (line) => log.push(line),
    ...extra,
  });
  return { result, log, prompts };
}

/** The three control planes healthy, k8s-controller2 ahead of none (all at the same revision). */
const cluster = () => new SimulatedCluster({ vipHolder: "k8s-controller1", etcdLeader: "k8s-controller1", rebootMs: 60_000, rejoinMs: 20_000 });

describe("backup", () => {
  test("a healthy cluster: a snapshot from a healthy member, 0600 in a 0700 folder, named with cluster, UTC time and revision, its sha256 and info beside it", async () => {
    const sim = cluster();
    const outDir = tempDir();
    const result = await backup(sim, outDir);
    expect(result.outcome).toBe("snapshot");
    expect(path.basename(result.file!)).toBe("homelab-20260110T091244Z-rev4193.db");
    expect(fs.statSync(outDir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(result.file!).mode & 0o777).toBe(0o600);
    expect(fs.statSync(result.metadataFile!).mode & 0o777).toBe(0o600);
    const metadata = JSON.parse(fs.readFileSync(result.metadataFile!, "utf8"));
    expect(metadata).toMatchObject({ cluster: "homelab", kind: "snapshot", takenAt: "2026-01-10T09:12:44.123Z", node: "k8s-controller1", file: "homelab-20260110T091244Z-rev4193.db", recoverFlags: [] });
    expect(metadata.snapshotInfo).toMatchObject({ revision: 4193, hash: "c25fd181" });
    expect((await checkSnapshotFile(result.file!, false)).file).toMatchObject({ skipHashCheck: false, revision: 4193 });
    expect(sim.actions).toEqual(["etcdSnapshot k8s-controller1"]);
    // Nothing else is left in the folder (no temporary file).
    expect(fs.readdirSync(outDir).sort()).toEqual(["homelab-20260110T091244Z-rev4193.db", "homelab-20260110T091244Z-rev4193.json"]);
  });

  test("never a member that is not healthy (a node the drill or an upgrade has down); the next member when a snapshot fails", async () => {
    const sim = cluster();
    sim.inject({ kind: "etcd-unhealthy", node: "k8s-controller1" });
    sim.inject({ kind: "call-fails", method: "etcdSnapshot", node: "k8s-controller2" });
    const result = await backup(sim, tempDir());
    expect(result.outcome).toBe("snapshot");
    expect(result.metadata!.node).toBe("k8s-controller3");
    expect(result.members.map((m) => m.outcome ?? "")).toEqual(["", "snapshot failed: etcdSnapshot k8s-controller2: injected failure", "snapshot taken (revision 4193)"]);
  });

  test("never the member a running drill or upgrade works on, though healthy (with quorum, another member is healthy too)", async () => {
    // GIVEN an upgrade working on k8s-controller1 (the most advanced member otherwise)
    const sim = cluster();
    const busy = { node: sim.facts.nodes[0].ip, by: "npm run upgrade (pid 4242)" };
    const result = await runBackup({ facts: sim.facts, talos: sim.talos, outDir: tempDir(), now: () => AT, busy });
    // THEN the snapshot comes from another member, and the report says why not the first
    expect(result.metadata!.node).not.toBe("k8s-controller1");
    expect(result.members[0].outcome).toBe("not used: npm run upgrade (pid 4242) works on it");
  });

  test("fails when every healthy member's snapshot fails, and takes no disaster copy while one is healthy", async () => {
    const sim = cluster();
    sim.inject({ kind: "call-fails", method: "etcdSnapshot" });
    const result = await backup(sim, tempDir());
    expect(result.outcome).toBe("failed");
    expect(result.why).toMatch(/every healthy member's snapshot failed .*no disaster copy is taken while a member is healthy/);
    expect(sim.actions.filter((a) => a.startsWith("copyEtcdDatabase"))).toEqual([]);
  });

  test("prunes the cluster's snapshots to --keep, never a disaster copy or another cluster's", async () => {
    const sim = cluster();
    const outDir = tempDir();
    fs.mkdirSync(outDir, { mode: 0o700 });
    for (const name of ["homelab-20260101T000000Z-rev100.db", "homelab-20260102T000000Z-rev200.db", "homelab-20260103T000000Z-rev300.db", "homelab-20260101T000000Z-disaster.db", "lab2-20260101T000000Z-rev5.db"]) {
      fs.writeFileSync(path.join(outDir, name), "x");
      fs.writeFileSync(path.join(outDir, name.replace(/\.db$/, ".json")), "{}");
    }
    const result: BackupResult = await backup(sim, outDir, { keep: 2 });
    expect(result.pruned).toEqual(["homelab-20260102T000000Z-rev200.db", "homelab-20260101T000000Z-rev100.db"]);
    expect(snapshotsOf("homelab", fs.readdirSync(outDir))).toEqual(["homelab-20260110T091244Z-rev4193.db", "homelab-20260103T000000Z-rev300.db"]);
    expect(fs.existsSync(path.join(outDir, "homelab-20260101T000000Z-disaster.db"))).toBe(true);
    expect(fs.existsSync(path.join(outDir, "lab2-20260101T000000Z-rev5.db"))).toBe(true);
    expect(fs.existsSync(path.join(outDir, "homelab-20260101T000000Z-rev100.json"))).toBe(false);
  });
});

describe("when two of three members are lost", () => {
  test("backup takes the disaster copy from the member whose data is newest, marked as such; restore brings the cluster back at the snapshot's revision", async () => {
    const sim = cluster();
    const outDir = tempDir();
    // GIVEN a snapshot at revision 4193, then more writes, then k8s-controller2 and 3 lost (k8s-controller3 first: its data is older)
    const before = await backup(sim, outDir);
    sim.write(50);
    sim.powerOff(sim.node("k8s-controller3"));
    sim.write(7);
    sim.powerOff(sim.node("k8s-controller2"));
    expect(sim.quorate()).toBe(false);

    // WHEN backup runs: no member is healthy
    const disaster = await backup(sim, outDir, { now: new Date("2026-01-11T00:00:00Z") });
    // THEN the database file of k8s-controller1 (the only one answering), marked in name and metadata
    expect(disaster.outcome).toBe("disaster-copy");
    expect(path.basename(disaster.file!)).toBe("homelab-20260111T000000Z-disaster.db");
    expect(disaster.metadata).toMatchObject({ kind: "disaster-copy", node: "k8s-controller1", recoverFlags: ["--recover-skip-hash-check"] });
    expect(fs.statSync(disaster.file!).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(outDir).filter((name) => name.startsWith(".")).length).toBe(0);

    // AND verify says restore (the two others are down: bringing one back would do; here they are named)
    const observations = await observe(sim.facts, { talos: sim.talos, kubernetes: sim.kube });
    expect(quorumLostAdvice(sim.facts, observations)).toMatch(/^quorum lost: bring one member back: k8s-controller2 or k8s-controller3 are down or unreachable/);

    // WHEN restore runs from the snapshot taken before
    const { result, prompts, log } = await restore(sim, before.file!);
    // THEN k8s-controller1 (the one up) is wiped and recovers; the others are not touched
    expect(result.plan).toMatchObject({ quorum: false });
    expect(result.plan!.wipe.map((n) => n.name)).toEqual(["k8s-controller1"]);
    expect(result.plan!.down.map((n) => n.name)).toEqual(["k8s-controller2", "k8s-controller3"]);
    expect(prompts).toEqual([`Wipe k8s-controller1 and recover cluster homelab on k8s-controller1 from ${before.file}? [y/N]`]);
    expect(sim.actions.slice(-2)).toEqual(["resetEphemeral k8s-controller1", "bootstrapRecover k8s-controller1 homelab-20260110T091244Z-rev4193.db"]);
    expect(result.outcome).toBe("restored");
    expect(sim.etcdRevision).toBe(4193);
    expect(sim.quorate()).toBe(true);
    expect(result.steps.map((s) => `${s.ok ? "ok" : "FAIL"} ${s.step}`)).toEqual(["ok wipe k8s-controller1", "ok bootstrap k8s-controller1", "ok the API answers", "FAIL verify"]);
    expect(log.join("\n")).toContain("still down: k8s-controller2, k8s-controller3: when each returns, wipe EPHEMERAL on it and it joins");
  });

  test("restore from the disaster copy: --recover-skip-hash-check, and the copy's revision", async () => {
    const sim = cluster();
    const outDir = tempDir();
    sim.write(10);
    sim.powerOff(sim.node("k8s-controller2"));
    sim.powerOff(sim.node("k8s-controller3"));
    const disaster = await backup(sim, outDir);
    const { result } = await restore(sim, disaster.file!);
    expect(result.outcome).toBe("restored");
    expect(sim.actions[sim.actions.length - 1]).toBe("bootstrapRecover k8s-controller1 homelab-20260110T091244Z-disaster.db --recover-skip-hash-check");
    expect(sim.etcdRevision).toBe(4203);
  });

  test("with three wiped members up: every one wiped, the first recovers, the others join", async () => {
    const sim = cluster();
    const outDir = tempDir();
    const before = await backup(sim, outDir);
    // The members' data is gone on two of them (wiped by hand, say): quorum lost, every node up.
    sim.wipeEphemeral(sim.node("k8s-controller2"));
    sim.wipeEphemeral(sim.node("k8s-controller3"));
    await sim.clock.sleep(120_000);
    const observations = await observe(sim.facts, { talos: sim.talos, kubernetes: sim.kube });
    expect(quorumLostAdvice(sim.facts, observations)).toMatch(/^quorum lost: restore: .*1 of 3 members can still hold data \(k8s-controller2, k8s-controller3: etcd does not run, its data is gone\), quorum needs 2/);
    // With several clusters in the project the commands name this one.
    expect(verifyChecks(sim.facts, observations, operatorCommands("homelab")).find((c) => c.id === "etcd-quorum")!.seen).toContain(
      "restore: `npm run backup -- --cluster homelab` (a snapshot, or the disaster copy of the newest member's data when none is healthy), then `npm run restore -- --from FILE --cluster homelab`",
    );
    const { result } = await restore(sim, before.file!);
    expect(result.plan!.wipe.map((n) => n.name)).toEqual(["k8s-controller1", "k8s-controller2", "k8s-controller3"]);
    expect(result.outcome).toBe("restored");
    expect(result.steps.every((s) => s.ok)).toBe(true);
    expect([...sim.members].sort()).toEqual(["k8s-controller1", "k8s-controller2", "k8s-controller3"]);
  });
});

describe("restore refuses", () => {
  test("a snapshot file that does not exist, in words, with where snapshots are", async () => {
    const missing = path.join(tempDir(), "homelab-20260101T000000Z-rev1.db");
    expect((await checkSnapshotFile(missing, false)).problems).toEqual([`--from ${missing} does not exist; name a snapshot npm run backup wrote (by default in backups/)`]);
  });

  test("fails while etcd has quorum, explaining --force; with --force every control plane is wiped", async () => {
    const sim = cluster();
    const before = await backup(sim, tempDir());
    const { result } = await restore(sim, before.file!);
    expect(result.outcome).toBe("refused");
    expect(result.problems[0]).toMatch(/^etcd has quorum: 3 of 3 members are healthy .* --force restores anyway: it wipes EPHEMERAL on every control plane that is up, the healthy members too/);
    expect(sim.actions).toEqual(["etcdSnapshot k8s-controller1"]);
    const forced = await restore(sim, before.file!, { force: true, dryRun: true });
    expect(forced.result.outcome).toBe("planned");
    expect(forced.result.plan!.wipe.map((n) => n.name)).toEqual(["k8s-controller1", "k8s-controller2", "k8s-controller3"]);
  });

  test("fails when a node is of machine type init", async () => {
    const sim = new SimulatedCluster({ initNodes: ["k8s-controller1"] });
    const before = await backup(sim, tempDir());
    sim.powerOff(sim.node("k8s-controller2"));
    sim.powerOff(sim.node("k8s-controller3"));
    const { result } = await restore(sim, before.file!);
    expect(result.outcome).toBe("refused");
    expect(result.problems).toEqual([expect.stringMatching(/^k8s-controller1 \(127\.0\.0\.11\) is of machine type init: .*give it machine type controlplane first/)]);
  });

  test("fails on a file whose sha256 is not the one recorded", async () => {
    const sim = cluster();
    const before = await backup(sim, tempDir());
    fs.appendFileSync(before.file!, "x");
    const checked = await checkSnapshotFile(before.file!, false);
    expect(checked.file).toBeUndefined();
    expect(checked.problems).toEqual([expect.stringMatching(/its sha256 is [0-9a-f]{64}, but .*\.json records "[0-9a-f]{64}": the file changed/)]);
  });

  test("--dry-run prints the plan and changes nothing; a declined prompt changes nothing", async () => {
    const sim = cluster();
    const before = await backup(sim, tempDir());
    sim.powerOff(sim.node("k8s-controller2"));
    sim.powerOff(sim.node("k8s-controller3"));
    const dry = await restore(sim, before.file!, { dryRun: true });
    expect(dry.result.outcome).toBe("planned");
    expect(dry.prompts).toEqual([]);
    expect(dry.log.join("\n")).toContain("k8s-controller1 (127.0.0.11) recovers: talosctl bootstrap --recover-from (the first wiped control plane in the stack's order)");
    const declined = await restore(sim, before.file!, { confirm: async () => false });
    expect(declined.result.outcome).toBe("declined");
    expect(sim.actions).toEqual(["etcdSnapshot k8s-controller1"]);
  });
});
