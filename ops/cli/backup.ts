/**
 * `npm run backup -- [--out DIR] [--keep N]` (and the common flags): an etcd
 * snapshot from a healthy member into DIR (default `backups/` in the project
 * folder, created 0700), named `<cluster>-<UTC time>-rev<revision>.db`, mode
 * 0600, with `<same name>.json` beside it (sha256, what talosctl said of the
 * snapshot, the member); the cluster's older snapshots pruned to the N newest
 * (default 14). With no healthy member (quorum lost), the disaster copy of
 * the database file, `<cluster>-<UTC time>-disaster.db`, never pruned
 * (ops/backup.ts). Writes cdktf.out/ops/backup.md and .json.
 *
 * Exit codes: 0 a snapshot was taken; 1 no snapshot: the disaster copy was
 * taken (quorum is lost: docs/quorum-lost.md) or nothing could be taken;
 * 2 the command could not run (no state, no talosctl, cluster unreachable).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ToolMissingError } from "../adapters/process";
import { TalosctlClient } from "../adapters/talosctl";
import { liveMarker } from "../operation-marker";
import { BackupResult, DEFAULT_KEEP, runBackup } from "../backup";
import { Report, renderJson, renderText, writeReport } from "../report";
import { COMMON_USAGE, EXIT_FAILED, OneLineError, loadClusterContext, parseCommandArgs, runMain, startWatchdog } from "./common";

export const BACKUP_USAGE = `usage: npm run backup -- [--out DIR] [--keep N] ${COMMON_USAGE}`;

/** The default folder, relative to the project folder (git ignores it). */
export const DEFAULT_BACKUP_DIR = "backups";

/** The report of a backup run: one row per control plane, what was taken in the summary. */
export function backupReport(clusterName: string, result: BackupResult): Report {
  const rows = result.members.map((m) => [m.outcome === undefined ? "" : /taken|copied/.test(m.outcome) ? "ok" : "FAIL", `${m.node.name} (${m.node.ip})`, m.etcd, m.outcome ?? ""]);
  const name = result.file === undefined ? "" : path.basename(result.file);
  const pruned = result.pruned.length === 0 ? "" : `; pruned ${result.pruned.length} older: ${result.pruned.join(", ")}`;
  const summary =
    result.outcome === "snapshot"
      ? `Snapshot ${name} (revision ${result.metadata!.snapshotInfo!.revision}, ${result.metadata!.bytes} bytes, sha256 ${result.metadata!.sha256}) from ${result.metadata!.node}${pruned}.`
      : result.outcome === "disaster-copy"
        ? `No etcd member is healthy (quorum lost): disaster copy ${name} (${result.metadata!.bytes} bytes, sha256 ${result.metadata!.sha256}) from ${result.metadata!.node}, whose data is newest; restoring from it needs --recover-skip-hash-check (npm run restore adds it). See docs/quorum-lost.md.`
        : `No backup taken: ${result.why}.`;
  return {
    name: "backup",
    title: `backup: cluster ${clusterName}`,
    columns: ["", "Control plane", "etcd", "Backup"],
    rows,
    ok: result.outcome === "snapshot",
    summary,
    data: { cluster: clusterName, ...result, members: result.members.map((m) => ({ ...m, node: m.node.name })) },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const { common, values, positionals } = parseCommandArgs(argv, { out: { type: "string" }, keep: { type: "string" } });
  if (common.help) {
    process.stdout.write(`${BACKUP_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new OneLineError(`unexpected argument "${positionals[0]}"; ${BACKUP_USAGE}`);
  const keepText = (values.keep as string | undefined) ?? String(DEFAULT_KEEP);
  if (!/^[1-9]\d*$/.test(keepText) || Number(keepText) > 10_000) throw new OneLineError(`--keep "${keepText}": a whole number of snapshots from 1 to 10000`);
  const outDir = path.resolve(common.projectDir, (values.out as string | undefined) ?? DEFAULT_BACKUP_DIR);
  const watchdog = startWatchdog("backup");
  watchdog.waitingFor("terraform output");
  const context = await loadClusterContext(common);
  const talos = new TalosctlClient({ talosconfigPath: context.talosconfigPath, talosconfigText: context.credentials.talosconfig, readTimeoutMs: 6_000 });
  watchdog.waitingFor("talosctl");
  try {
    await talos.checkInstalled(3_000);
  } catch (error) {
    throw new OneLineError(error instanceof ToolMissingError ? error.message : `talosctl does not run: ${(error as Error).message}`);
  }
  // The reads answer within their 6 s deadline; the snapshot itself may take longer.
  watchdog.cancel();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const marker = liveMarker(common.projectDir, context.facts.clusterName);
  const busy = marker && { node: marker.node, by: `npm run ${marker.command} (pid ${marker.pid}, since ${marker.since})` };
  const result = await runBackup({ facts: context.facts, talos, outDir, keep: Number(keepText), log, busy });
  // Not one control plane answered: as for verify, one line and exit 2.
  if (result.outcome === "failed" && result.members.every((m) => m.etcd.startsWith("no answer"))) {
    throw new OneLineError(`cluster unreachable: ${result.members.map((m) => `${m.node.name}: ${m.etcd}`).join("; ")}`);
  }
  const mode = fs.existsSync(outDir) ? fs.statSync(outDir).mode & 0o777 : 0o700;
  if ((mode & 0o077) !== 0) log(`note: ${outDir} is readable by others (mode ${mode.toString(8)}): the files hold every Kubernetes Secret; chmod 700 it`);
  const report = backupReport(context.facts.clusterName, result);
  const written = writeReport(common.projectDir, report);
  process.stdout.write(common.json ? renderJson(report) : `${renderText(report)}Reports: ${written.markdown}, ${written.json}\n`);
  return report.ok ? 0 : EXIT_FAILED;
}

if (require.main === module) runMain("backup", () => main(process.argv.slice(2)));
