/**
 * The report of `npm run drill -- --mode graceful|crash`: one row per trial
 * (who held the measured VIP, the fast one or Talos's, and led etcd before, the node taken down, the outage
 * against what Talos's code predicts, the new holder, etcd back to every
 * member), then the summary or why the drill stopped. Pure; written by
 * ops/report.ts like verify's.
 */
import type { DrillResult } from "./drill";
import { renderEtcdRecovery, renderOutage } from "./drill-plan";
import type { Report } from "./report";

/** The columns; the third names the VIP measured. */
function columnsOf(result: DrillResult): string[] {
  const vip = result.measured.kind === "fast" ? "Fast VIP" : "VIP";
  return ["Trial", "Taken down", `${vip} before -> after`, "etcd leader before", "Outage", "Expected", "Verdict", "etcd whole after"];
}

export function drillReport(clusterName: string, result: DrillResult): Report {
  const rows = result.trials.map((t) => [
    String(t.trial),
    t.mode === "crash" ? `${t.target} (VM off${t.vmOffMs === undefined ? "" : ` after ${(t.vmOffMs / 1000).toFixed(1)} s`}${t.haManaged ? ", via Proxmox HA" : ""})` : `${t.target} (reboot)`,
    `${t.oldHolder} -> ${t.newHolder ?? "nobody"}`,
    t.etcdLeaderBefore === undefined ? "not seen" : `${t.etcdLeaderBefore}${t.targetLedEtcd ? " (the node taken down)" : ""}`,
    renderOutage(t) + (t.windows > 1 ? ` (${t.windows} windows)` : ""),
    t.expected.label,
    t.verdict,
    renderEtcdRecovery(t),
  ]);
  const ok = result.outcome === "completed" && result.summary?.asExpected === true;
  const lines: string[] = [`Measured: ${result.measured.text} (probing ${result.measured.server}).`];
  if (result.outcome === "refused") lines.push("Refused, nothing was touched:", ...result.problems.map((p) => `  - ${p}`));
  else if (result.outcome === "declined") lines.push("Not confirmed: nothing was touched.");
  else {
    if (result.summary !== undefined) lines.push(result.summary.text);
    if (result.why !== undefined) lines.push(`Stopped ${result.outcome === "interrupted" ? "(interrupted) " : ""}in ${result.why}`);
  }
  return {
    name: "drill",
    title: `drill: cluster ${clusterName}, ${result.mode} mode`,
    columns: columnsOf(result),
    rows,
    ok,
    summary: lines.join("\n"),
    data: result,
  };
}
