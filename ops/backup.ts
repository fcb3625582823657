/**
 * `npm run backup`: an etcd snapshot of the cluster into a folder, with its
 * sha256 and what talosctl said of it recorded beside it, older snapshots
 * pruned; when no member is healthy (quorum lost), the disaster copy of the
 * database file instead (Talos's disaster-recovery guide).
 *
 * Which member: never the one a running drill or upgrade is working on (its
 * marker, ops/operation-marker.ts: `busy`); otherwise a member whose etcd
 * service is healthy and which the member list holds as a voter, the most
 * advanced raft index first (the stack's order breaks ties); if that member
 * fails mid-way (a node going down), the next.
 * The disaster copy comes from the member whose data is newest: the highest
 * raft index `etcd status` reports (it answers without quorum), else the
 * first control plane whose etcd runs at all.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { controlPlanesOf } from "../domain/stack-outputs";
import type { ClusterNode, EtcdMember, EtcdRecoveryClient, EtcdStatus, SnapshotInfo, StackFacts, TalosClient } from "./contracts";
import { errorMessage } from "./poll";
import { Answer, answerOf, etcdServiceText, peerAddress } from "./verify";

/** Snapshots of a cluster kept by default (two weeks of daily ones). */
export const DEFAULT_KEEP = 14;

/** What is written beside each file as `<file without .db>.json`. */
export interface BackupMetadata {
  readonly cluster: string;
  /** `snapshot`: `talosctl etcd snapshot`, consistent, with etcd's hash; `disaster-copy`: the database file as it was, restore needs `--recover-skip-hash-check`. */
  readonly kind: "snapshot" | "disaster-copy";
  /** UTC, ISO 8601. */
  readonly takenAt: string;
  readonly node: string;
  readonly nodeIp: string;
  /** The file's name, in the same folder. */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  /** What talosctl printed of a snapshot (none for a disaster copy). */
  readonly snapshotInfo?: SnapshotInfo;
  /** The member's raft index when `etcd status` answered. */
  readonly raftIndex?: number;
  /** The flags `talosctl bootstrap` needs beside `--recover-from`. */
  readonly recoverFlags: readonly string[];
}

/** One control plane as the backup saw it. */
export interface MemberSeen {
  readonly node: ClusterNode;
  readonly etcd: string;
  readonly healthy: boolean;
  readonly raftIndex?: number;
  /** What the backup did with it: `snapshot taken`, `snapshot failed: ...`, `copied`, ... */
  readonly outcome?: string;
}

export interface BackupResult {
  /** snapshot: a consistent snapshot; disaster-copy: quorum lost, the database file copied; failed: neither. */
  readonly outcome: "snapshot" | "disaster-copy" | "failed";
  readonly members: readonly MemberSeen[];
  readonly file?: string;
  readonly metadataFile?: string;
  readonly metadata?: BackupMetadata;
  /** Older snapshots removed (file names). */
  readonly pruned: readonly string[];
  readonly why?: string;
}

export interface BackupProps {
  readonly facts: StackFacts;
  readonly talos: TalosClient & EtcdRecoveryClient;
  /** The folder (created 0700 when missing). */
  readonly outDir: string;
  /** @default DEFAULT_KEEP */
  readonly keep?: number;
  /** @default - the current time */
  readonly now?: () => Date;
  /** @default - discard */
  readonly log?: (line: string) => void;
  /** The control plane a running drill or upgrade works on (its IP, and what says so): never snapshotted. @default - none */
  readonly busy?: { readonly node: string; readonly by: string };
}

/** `20260110T091244Z`: sorts as time does, and is safe in a file name. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
}

/** `<cluster>-<stamp>-rev<revision>.db` for a snapshot, `<cluster>-<stamp>-disaster.db` for a disaster copy (its revision is not known without etcd). */
export function backupFileName(cluster: string, date: Date, kind: BackupMetadata["kind"], revision?: number): string {
  return kind === "snapshot" ? `${cluster}-${fileStamp(date)}-rev${revision}.db` : `${cluster}-${fileStamp(date)}-disaster.db`;
}

/** The snapshots of `cluster` in a listing, newest first (disaster copies are never pruned, so not listed). */
export function snapshotsOf(cluster: string, names: readonly string[]): string[] {
  const pattern = new RegExp(`^${cluster.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-(\\d{8}T\\d{6}Z)-rev\\d+\\.db$`);
  return names.filter((name) => pattern.test(name)).sort((a, b) => pattern.exec(b)![1].localeCompare(pattern.exec(a)![1]));
}

/** The metadata file beside a backup file. */
export function metadataPathOf(file: string): string {
  return file.replace(/\.db$/, "") + ".json";
}

/** sha256 of a file, streamed (a database may be large). */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    fs.createReadStream(file)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve(hash.digest("hex")));
  });
}

interface Observed {
  readonly node: ClusterNode;
  readonly service: Answer<{ readonly state: string; readonly healthy: boolean }>;
  readonly status: Answer<EtcdStatus>;
  readonly members: Answer<EtcdMember[]>;
}

/** Takes the snapshot (or the disaster copy); never throws for a cluster problem, returns it. */
export async function runBackup(props: BackupProps): Promise<BackupResult> {
  const log = props.log ?? (() => undefined);
  const now = (props.now ?? (() => new Date()))();
  const { facts, talos } = props;
  const observed: Observed[] = await Promise.all(
    controlPlanesOf(facts).map(async (node) => {
      const [service, status, members] = await Promise.all([
        answerOf(() => talos.service(node.ip, "etcd")),
        answerOf(() => talos.etcdStatus(node.ip)),
        answerOf(() => talos.etcdMembers(node.ip)),
      ]);
      return { node, service, status, members };
    }),
  );
  const memberList = observed.find((o) => o.members.ok)?.members as { ok: true; value: EtcdMember[] } | undefined;
  const isVoter = (node: ClusterNode) =>
    memberList?.value.some((m) => !m.isLearner && (m.peerUrls.some((url) => peerAddress(url) === node.ip) || m.hostname === node.name)) ?? false;
  const outcomes = new Map<string, string>();
  const seen = (): MemberSeen[] =>
    observed.map((o) => ({
      node: o.node,
      etcd: describe(o, isVoter(o.node)),
      healthy: healthyOf(o, isVoter(o.node)),
      ...(o.status.ok && o.status.value.raftIndex !== undefined ? { raftIndex: o.status.value.raftIndex } : {}),
      ...(outcomes.has(o.node.name) ? { outcome: outcomes.get(o.node.name) } : {}),
    }));
  const byNewest = (a: Observed, b: Observed) => raftOf(b) - raftOf(a);

  const dirProblem = prepareDir(props.outDir);
  if (dirProblem !== undefined) return { outcome: "failed", members: seen(), pruned: [], why: dirProblem };

  const busy = observed.find((o) => o.node.ip === props.busy?.node);
  if (busy && props.busy) {
    outcomes.set(busy.node.name, `not used: ${props.busy.by} works on it`);
    log(`${busy.node.name}: not used, ${props.busy.by} works on it`);
  }
  const healthy = observed.filter((o) => o !== busy && healthyOf(o, isVoter(o.node))).sort(byNewest);
  if (healthy.length > 0) {
    for (const candidate of healthy) {
      const temp = path.join(props.outDir, `.backup-${randomBytes(6).toString("hex")}.db`);
      try {
        log(`${candidate.node.name}: taking an etcd snapshot`);
        const info = await talos.etcdSnapshot(candidate.node.ip, temp);
        const name = backupFileName(facts.clusterName, now, "snapshot", info.revision);
        const file = path.join(props.outDir, name);
        fs.renameSync(temp, file);
        const metadata = await record(file, { facts, now, node: candidate, kind: "snapshot", info });
        outcomes.set(candidate.node.name, `snapshot taken (revision ${info.revision})`);
        const pruned = prune(props.outDir, facts.clusterName, props.keep ?? DEFAULT_KEEP);
        log(`${candidate.node.name}: snapshot ${name} (revision ${info.revision}, ${info.bytes} bytes)`);
        return { outcome: "snapshot", members: seen(), file, metadataFile: metadataPathOf(file), metadata, pruned };
      } catch (error) {
        fs.rmSync(temp, { force: true });
        fs.rmSync(`${temp}.part`, { force: true });
        outcomes.set(candidate.node.name, `snapshot failed: ${errorMessage(error)}`);
        log(`${candidate.node.name}: snapshot failed: ${errorMessage(error)}`);
      }
    }
    return { outcome: "failed", members: seen(), pruned: [], why: `every healthy member's snapshot failed (${healthy.map((o) => o.node.name).join(", ")}); no disaster copy is taken while a member is healthy` };
  }

  // No healthy member: quorum is lost; copy the database file of the member whose data is newest.
  const running = observed.filter((o) => o.status.ok || (o.service.ok && o.service.value.state === "Running")).sort(byNewest);
  if (running.length === 0) return { outcome: "failed", members: seen(), pruned: [], why: "no control plane's etcd answers: nothing to copy (every control plane is down or its etcd does not run)" };
  log(`no etcd member is healthy (quorum lost): taking the disaster copy of the database file`);
  for (const candidate of running) {
    const temp = fs.mkdtempSync(path.join(props.outDir, ".disaster-"));
    fs.chmodSync(temp, 0o700);
    try {
      log(`${candidate.node.name}: copying its etcd database file`);
      const copied = await talos.copyEtcdDatabase(candidate.node.ip, temp);
      const name = backupFileName(facts.clusterName, now, "disaster-copy");
      const file = path.join(props.outDir, name);
      fs.renameSync(copied, file);
      fs.chmodSync(file, 0o600);
      const metadata = await record(file, { facts, now, node: candidate, kind: "disaster-copy" });
      outcomes.set(candidate.node.name, "database file copied (disaster copy)");
      log(`${candidate.node.name}: disaster copy ${name} (${metadata.bytes} bytes)`);
      return { outcome: "disaster-copy", members: seen(), file, metadataFile: metadataPathOf(file), metadata, pruned: [] };
    } catch (error) {
      outcomes.set(candidate.node.name, `copy failed: ${errorMessage(error)}`);
      log(`${candidate.node.name}: copy failed: ${errorMessage(error)}`);
    } finally {
      fs.rmSync(temp, { recursive: true, force: true });
    }
  }
  return { outcome: "failed", members: seen(), pruned: [], why: `no member is healthy and every copy of the database file failed (${running.map((o) => o.node.name).join(", ")})` };
}

function raftOf(o: Observed): number {
  return o.status.ok ? (o.status.value.raftIndex ?? -1) : -2;
}

function healthyOf(o: Observed, voter: boolean): boolean {
  return o.service.ok && o.service.value.healthy && voter;
}

function describe(o: Observed, voter: boolean): string {
  if (!o.service.ok) return `no answer (${o.service.error})`;
  const parts = [etcdServiceText(o.service.value)];
  if (o.service.value.healthy && !voter) parts.push("not a voting member");
  if (o.status.ok && o.status.value.raftIndex !== undefined) parts.push(`raft index ${o.status.value.raftIndex}`);
  return parts.join(", ");
}

/** Creates the folder 0700 when missing; an existing one is used as it is. */
function prepareDir(dir: string): string | undefined {
  try {
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    else if (!fs.statSync(dir).isDirectory()) return `--out ${dir} is not a folder`;
    return undefined;
  } catch (error) {
    return `cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`;
  }
}

/** The file 0600, its sha256, and the metadata file (0600) beside it. */
async function record(
  file: string,
  what: { facts: StackFacts; now: Date; node: Observed; kind: BackupMetadata["kind"]; info?: SnapshotInfo },
): Promise<BackupMetadata> {
  fs.chmodSync(file, 0o600);
  const raftIndex = what.node.status.ok ? what.node.status.value.raftIndex : undefined;
  const metadata: BackupMetadata = {
    cluster: what.facts.clusterName,
    kind: what.kind,
    takenAt: what.now.toISOString(),
    node: what.node.node.name,
    nodeIp: what.node.node.ip,
    file: path.basename(file),
    sha256: await sha256File(file),
    bytes: fs.statSync(file).size,
    ...(what.info !== undefined ? { snapshotInfo: what.info } : {}),
    ...(raftIndex !== undefined ? { raftIndex } : {}),
    recoverFlags: what.kind === "disaster-copy" ? ["--recover-skip-hash-check"] : [],
  };
  fs.writeFileSync(metadataPathOf(file), `${JSON.stringify(metadata, null, 2)}\n`, { mode: 0o600 });
  return metadata;
}

/** Removes the cluster's snapshots beyond the `keep` newest, with their metadata; disaster copies are kept. */
function prune(dir: string, cluster: string, keep: number): string[] {
  const old = snapshotsOf(cluster, fs.readdirSync(dir)).slice(keep);
  for (const name of old) {
    fs.rmSync(path.join(dir, name), { force: true });
    fs.rmSync(metadataPathOf(path.join(dir, name)), { force: true });
  }
  return old;
}
