/**
 * The pure half of `npm run drill -- graceful|crash`: when to refuse, the
 * steps of one trial as data, one trial's report row, and the summary against
 * the figures this project expects. The runner (ops/cli/drill.ts) observes,
 * acts and measures; nothing here does I/O.
 *
 * Expected outage of the VIP (README, measured on the reference homelab):
 * graceful reboot: under a second (the holder resigns the VIP on shutdown);
 * crash (power off): 40-60 s, until the other control planes' etcd lease on
 * the VIP expires; 62-64 s when the holder also led etcd (an election first).
 */
import { etcdQuorum, failuresTolerated } from "../constructs/quorum";
import type { CheckResult, ClusterNode, StackFacts } from "./contracts";

export type DrillMode = "graceful" | "crash";

/** What the runner saw before starting the drill. */
export interface DrillPreconditions {
  /** `verify`'s checks. */
  readonly checks: readonly CheckResult[];
  /** etcd members healthy now; @default - every control plane */
  readonly healthyEtcdMembers?: number;
}

/**
 * Every reason to refuse the drill, at once (empty: it may start): a failed
 * verify check, fewer than 3 control planes, or etcd unable to lose a member
 * now (the drill takes one control plane down).
 */
export function drillRefusals(facts: StackFacts, pre: DrillPreconditions): string[] {
  const problems = pre.checks.filter((c) => !c.ok).map((c) => `verify failed: ${c.title}: ${c.seen}`);
  const controlPlanes = facts.nodes.filter((n) => n.role === "control-plane").length;
  if (controlPlanes < 3) {
    problems.push(
      `${controlPlanes} control plane(s): etcd tolerates ${controlPlanes === 0 ? 0 : failuresTolerated(controlPlanes)} failures, and the drill takes one down; it needs 3 or more`,
    );
  } else {
    const healthy = pre.healthyEtcdMembers ?? controlPlanes;
    const spare = healthy - etcdQuorum(controlPlanes);
    if (spare < 1) {
      problems.push(`etcd has ${healthy} of ${controlPlanes} members healthy and needs ${etcdQuorum(controlPlanes)}: it tolerates no further failure now`);
    }
  }
  return problems;
}

/** The question asked before the drill unless `--yes`. */
export function confirmationPrompt(facts: StackFacts, mode: DrillMode, trials: number): string {
  const act = mode === "graceful" ? "reboot the VIP holder (talosctl reboot)" : "power off the VIP holder's VM (Proxmox status/stop), then start it";
  return `This will ${act} of cluster ${facts.clusterName}, ${trials} time(s), one trial at a time. Continue? [y/N]`;
}

/** Who holds the VIP before a trial, and whether it leads etcd. */
export interface TrialObservation {
  readonly holder: ClusterNode;
  readonly holderLedEtcd: boolean;
}

/** One step of a trial, for the runner to execute in order. */
export type DrillStep =
  /** Start probing the VIP's API endpoint. */
  | { readonly kind: "start-probe" }
  | { readonly kind: "talos-reboot"; readonly node: string; readonly ip: string }
  /** Power off: `POST /nodes/{host}/qemu/{vmid}/status/stop`. */
  | { readonly kind: "proxmox-stop"; readonly node: string; readonly host: string; readonly vmId: number }
  /** Stop probing once the VIP answers again: the outage window. */
  | { readonly kind: "measure-window" }
  /** Who holds the VIP now. */
  | { readonly kind: "observe-new-holder" }
  | { readonly kind: "proxmox-start"; readonly node: string; readonly host: string; readonly vmId: number }
  /** Time until etcd has every member healthy again. */
  | { readonly kind: "wait-etcd-all-members" }
  /** `verify` passes before the next trial. */
  | { readonly kind: "wait-verify" };

/** The steps of one trial, once the holder is known (observed before each trial). */
export function trialSteps(mode: DrillMode, observed: TrialObservation): DrillStep[] {
  const { holder } = observed;
  const vm = { node: holder.name, host: holder.proxmoxHost, vmId: holder.vmId };
  const disrupt: DrillStep = mode === "graceful" ? { kind: "talos-reboot", node: holder.name, ip: holder.ip } : { kind: "proxmox-stop", ...vm };
  return [
    { kind: "start-probe" },
    disrupt,
    { kind: "measure-window" },
    { kind: "observe-new-holder" },
    ...(mode === "crash" ? [{ kind: "proxmox-start", ...vm } as const] : []),
    { kind: "wait-etcd-all-members" },
    { kind: "wait-verify" },
  ];
}

/** An expected range of the outage window. */
export interface ExpectedOutage {
  readonly minMs: number;
  readonly maxMs: number;
  readonly label: string;
}

/** The figures the drill is compared with. */
export function expectedOutage(mode: DrillMode, holderLedEtcd: boolean): ExpectedOutage {
  if (mode === "graceful") return { minMs: 0, maxMs: 1_000, label: "under 1 s" };
  return holderLedEtcd ? { minMs: 62_000, maxMs: 64_000, label: "62-64 s (holder led etcd)" } : { minMs: 40_000, maxMs: 60_000, label: "40-60 s" };
}

/** What one trial measured. */
export interface TrialMeasurement {
  readonly trial: number;
  readonly mode: DrillMode;
  readonly oldHolder: string;
  readonly oldHolderLedEtcd: boolean;
  /** undefined: no control plane answered with the VIP. */
  readonly newHolder?: string;
  readonly outageMs: number;
  /** Until etcd had every member healthy again; undefined: it did not within the wait. */
  readonly etcdAllMembersMs?: number;
}

export type Verdict = "as expected" | "faster than expected" | "slower than expected" | "VIP did not move";

export interface TrialRow extends TrialMeasurement {
  readonly expected: ExpectedOutage;
  readonly verdict: Verdict;
}

export function trialRow(m: TrialMeasurement): TrialRow {
  const expected = expectedOutage(m.mode, m.oldHolderLedEtcd);
  let verdict: Verdict;
  if (m.newHolder === undefined || m.newHolder === m.oldHolder) verdict = "VIP did not move";
  else if (m.outageMs < expected.minMs) verdict = "faster than expected";
  else if (m.outageMs > expected.maxMs) verdict = "slower than expected";
  else verdict = "as expected";
  return { ...m, expected, verdict };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** `trial 1: cp1 -> cp2, cp1 led etcd; outage 0.42 s (expected under 1 s: as expected); etcd all members after 31.0 s` */
export function renderTrialRow(row: TrialRow): string {
  const led = row.oldHolderLedEtcd ? `${row.oldHolder} led etcd` : `${row.oldHolder} did not lead etcd`;
  const etcd = row.etcdAllMembersMs === undefined ? "etcd not back to all members within the wait" : `etcd all members after ${seconds(row.etcdAllMembersMs)}`;
  return `trial ${row.trial}: ${row.oldHolder} -> ${row.newHolder ?? "nobody"}, ${led}; outage ${seconds(row.outageMs)} (expected ${row.expected.label}: ${row.verdict}); ${etcd}`;
}

export interface DrillSummary {
  /** Every trial as expected, the VIP moved each time, and etcd came back each time. */
  readonly asExpected: boolean;
  readonly text: string;
}

/** The summary, per expectation (crash trials split by whether the holder led etcd). */
export function summarizeDrill(rows: readonly TrialRow[]): DrillSummary {
  if (rows.length === 0) return { asExpected: false, text: "no trial ran" };
  const groups = new Map<string, TrialRow[]>();
  for (const row of rows) groups.set(row.expected.label, [...(groups.get(row.expected.label) ?? []), row]);
  const lines = [`${rows.length} ${rows[0].mode} trial(s)`];
  for (const [label, group] of groups) {
    const outages = group.map((r) => r.outageMs).sort((a, b) => a - b);
    const median = outages[Math.floor(outages.length / 2)];
    const off = group.filter((r) => r.verdict !== "as expected");
    lines.push(
      `  expected ${label}: ${group.length} trial(s), outage ${seconds(outages[0])} to ${seconds(outages[outages.length - 1])} (median ${seconds(median)}); ` +
        (off.length ? `${off.length} not as expected (${off.map((r) => `trial ${r.trial}: ${r.verdict}`).join(", ")})` : "all as expected"),
    );
  }
  const etcdMissing = rows.filter((r) => r.etcdAllMembersMs === undefined);
  if (etcdMissing.length) lines.push(`  etcd did not come back to all members after trial(s) ${etcdMissing.map((r) => r.trial).join(", ")}`);
  const asExpected = rows.every((r) => r.verdict === "as expected") && etcdMissing.length === 0;
  lines.push(asExpected ? "Result: as expected." : "Result: NOT as expected (see above).");
  return { asExpected, text: lines.join("\n") };
}
