/**
 * The pure half of `npm run drill -- --mode graceful|crash`: when to refuse,
 * the steps of one trial as data, one trial's report row, and the summary
 * against the figures this project expects. The runner (ops/drill.ts)
 * observes, acts and measures; nothing here does I/O.
 *
 * Expected outage of the VIP, from Talos's own code (v1.13, the VIP's etcd
 * election with a 60 s lease, kept alive every 20 s):
 * - graceful reboot: under a second (the holder resigns the VIP on shutdown);
 * - crash (power off): 40-60 s, until the lease the dead holder last renewed
 *   expires; 62-64 s when the holder also led etcd, because the new etcd
 *   leader first extends every lease by the election time;
 * - a control plane that does not hold the VIP: no outage, the VIP stays.
 *
 * With the fast API failover the kubeconfig's server is the fast VIP, held by
 * keepalived (VRRP, fenced by the API server's /readyz), and the drill
 * measures that one: a crash moves it within about 2 s at the default 500 ms
 * advert (1.5-1.8 s measured; the CI's namespace test holds it to 3 s), a
 * graceful stop in under a second (keepalived gives it up on SIGTERM).
 */
import { etcdQuorum, failuresTolerated } from "../domain/quorum";
import type { CheckResult, ClusterNode, StackFacts, VmStatus } from "./contracts";
import { controlPlanesOf, kubeconfigServerOf } from "../domain/stack-outputs";

export type DrillMode = "graceful" | "crash";

/** Which VIP the drill measures: the address the kubeconfig's server names. */
export interface MeasuredVip {
  /** `fast`: the fast API failover's (keepalived); `talos`: Talos's own. */
  readonly kind: "fast" | "talos";
  /** The VIP whose holder the drill follows (and takes down, without --node). */
  readonly address: string;
  /** The kubeconfig's server, which the prober connects to. */
  readonly server: string;
  /** One sentence for the plan and the report: which VIP, and what the other one is. */
  readonly text: string;
}

/**
 * The VIP behind the kubeconfig's server: the fast VIP or Talos's when the
 * server names one; a server that names neither (a DNS name, a tunnel) is
 * probed as it is, and the holder followed is the one the stack's own
 * kubeconfig would name (the fast VIP when there is one). Pure.
 */
export function measuredVipOf(facts: Pick<StackFacts, "vip" | "fastVip" | "clusterEndpoint">, server: string = kubeconfigServerOf(facts)): MeasuredVip {
  let host: string;
  try {
    host = new URL(server).hostname.replace(/^\[|\]$/g, "");
  } catch {
    host = server;
  }
  const fast = facts.fastVip;
  const fastText = (address: string) => `the fast VIP ${address} (keepalived), which clients use; Talos's VIP ${facts.vip} is the fallback`;
  if (fast !== undefined && host === fast) return { kind: "fast", address: fast, server, text: fastText(fast) };
  if (host === facts.vip) {
    const text = fast === undefined ? `Talos's VIP ${facts.vip}` : `Talos's VIP ${facts.vip}, which this kubeconfig names; clients of the stack's kubeconfig use the fast VIP ${fast} (keepalived)`;
    return { kind: "talos", address: facts.vip, server, text };
  }
  const neither = `the kubeconfig's server ${server}, which names neither VIP`;
  if (fast !== undefined) return { kind: "fast", address: fast, server, text: `${neither}; following the holder of ${fastText(fast)}` };
  return { kind: "talos", address: facts.vip, server, text: `${neither}; following the holder of Talos's VIP ${facts.vip}` };
}

/** The Proxmox privilege that `status/stop` and `status/start` check on /vms/{vmid}. */
export const POWER_PRIVILEGE = "VM.PowerMgmt";

/** What the Proxmox API said about one control plane's VM (crash mode only). */
export interface VmObservation {
  readonly node: ClusterNode;
  readonly status?: VmStatus;
  /** The token's privileges on /vms/{vmid}. */
  readonly privileges?: readonly string[];
  /** Why the VM could not be read. */
  readonly error?: string;
}

/** What the runner saw before starting the drill. */
export interface DrillPreconditions {
  readonly mode: DrillMode;
  /** `verify`'s checks. */
  readonly checks: readonly CheckResult[];
  /** etcd members healthy now; @default - every control plane */
  readonly healthyEtcdMembers?: number;
  /** `--node`: the control plane to take down; @default - the VIP holder, trial by trial */
  readonly node?: string;
  /** Crash mode: every control plane's VM as Proxmox sees it; undefined: the Proxmox API is not configured. */
  readonly vms?: readonly VmObservation[];
}

/**
 * Every reason to refuse the drill, at once (empty: it may start): a failed
 * verify check, fewer than 3 control planes, etcd unable to lose a member now
 * (the drill takes one control plane down), a `--node` that is not a control
 * plane of the stack, and in crash mode a VM that Proxmox does not show
 * running where the stack says, or a token that may not power it off.
 */
export function drillRefusals(facts: StackFacts, pre: DrillPreconditions): string[] {
  const problems = pre.checks.filter((c) => !c.ok).map((c) => `verify failed: ${c.title}: ${c.seen}`);
  const controlPlanes = controlPlanesOf(facts);
  if (controlPlanes.length < 3) {
    problems.push(
      `${controlPlanes.length} control plane(s): etcd tolerates ${controlPlanes.length === 0 ? 0 : failuresTolerated(controlPlanes.length)} failures, and the drill takes one down; it needs 3 or more`,
    );
  } else {
    const healthy = pre.healthyEtcdMembers ?? controlPlanes.length;
    const spare = healthy - etcdQuorum(controlPlanes.length);
    if (spare < 1) {
      problems.push(`etcd has ${healthy} of ${controlPlanes.length} members healthy and needs ${etcdQuorum(controlPlanes.length)}: it tolerates no further failure now`);
    }
  }
  if (pre.node !== undefined) {
    const named = facts.nodes.find((n) => n.name === pre.node);
    const names = controlPlanes.map((n) => n.name).join(", ");
    if (named === undefined) problems.push(`--node ${pre.node}: no such node in the stack; the control planes are ${names}`);
    else if (named.role !== "control-plane") problems.push(`--node ${pre.node} is a worker: the drill takes down a control plane (${names})`);
  }
  if (pre.mode === "crash" && pre.vms === undefined) {
    problems.push("crash mode needs the Proxmox API (PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN)");
  } else if (pre.mode === "crash") {
    for (const cp of controlPlanes) {
      const vm = pre.vms?.find((v) => v.node.name === cp.name);
      const where = `VM ${cp.vmId} (${cp.name}) on Proxmox node ${cp.proxmoxHost}`;
      if (vm === undefined || vm.error !== undefined) problems.push(`${where}: not readable through the Proxmox API (${vm?.error ?? "not asked"})`);
      else {
        if (vm.status?.status !== "running") problems.push(`${where} is ${vm.status?.status ?? "in an unknown state"}, not running`);
        if (!vm.privileges?.includes(POWER_PRIVILEGE)) {
          problems.push(`${where}: the API token lacks ${POWER_PRIVILEGE} on /vms/${cp.vmId}, which status/stop and status/start need; add it to the token's role`);
        }
      }
    }
  }
  return problems;
}

/** The question asked before the drill unless `--yes`. */
export function confirmationPrompt(facts: StackFacts, mode: DrillMode, trials: number, node?: string, measured: MeasuredVip = measuredVipOf(facts)): string {
  const fast = measured.kind === "fast";
  const holder = fast ? "the fast VIP's holder" : "the VIP holder";
  const who = node === undefined ? holder : node;
  const act = mode === "graceful" ? `reboot ${who} (talosctl reboot)` : `power off ${who === holder ? `${holder}'s` : `${who}'s`} VM (Proxmox status/stop), then start it`;
  // Talos's VIP alone, as before the fast failover: the prompt needs no word on it.
  const measures = facts.fastVip !== undefined || measured.server !== kubeconfigServerOf(facts) ? `, measuring ${measured.text}` : "";
  return `This will ${act} of cluster ${facts.clusterName}, ${trials} time(s), one trial at a time${measures}. Continue? [y/N]`;
}

/** Who holds the VIP before a trial, who leads etcd, and which control plane the trial takes down. */
export interface TrialObservation {
  readonly holder: ClusterNode;
  /** The etcd leader's node name, when one was seen. */
  readonly etcdLeader?: string;
  /** @default - the holder */
  readonly target?: ClusterNode;
}

/** One step of a trial, for the runner to execute in order. */
export type DrillStep =
  /** Start probing the VIP's API endpoint and wait for a first success. */
  | { readonly kind: "start-probe" }
  | { readonly kind: "talos-reboot"; readonly node: string; readonly ip: string }
  /** Power off: `POST /nodes/{host}/qemu/{vmid}/status/stop`. */
  | { readonly kind: "proxmox-stop"; readonly node: string; readonly host: string; readonly vmId: number }
  /** Probe until the VIP answers again (and, for the holder, another node holds it): the outage window. */
  | { readonly kind: "measure-window" }
  | { readonly kind: "proxmox-start"; readonly node: string; readonly host: string; readonly vmId: number }
  /** Time from the fault until etcd has every member healthy again. */
  | { readonly kind: "wait-etcd-all-members" }
  /** `verify` passes before the next trial. */
  | { readonly kind: "wait-verify" };

/** The steps of one trial, once the holder is known (observed before each trial). */
export function trialSteps(mode: DrillMode, observed: TrialObservation): DrillStep[] {
  const target = observed.target ?? observed.holder;
  const vm = { node: target.name, host: target.proxmoxHost, vmId: target.vmId };
  const disrupt: DrillStep = mode === "graceful" ? { kind: "talos-reboot", node: target.name, ip: target.ip } : { kind: "proxmox-stop", ...vm };
  return [
    { kind: "start-probe" },
    disrupt,
    { kind: "measure-window" },
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

/**
 * The figures a trial is compared with: by mode, whether the node taken down
 * held the VIP, whether it led etcd, and which VIP is measured (the fast
 * VIP's keepalived does not wait for etcd's lease).
 */
export function expectedOutage(mode: DrillMode, targetLedEtcd: boolean, targetHeldVip = true, vip: MeasuredVip["kind"] = "talos"): ExpectedOutage {
  if (!targetHeldVip) return { minMs: 0, maxMs: 1_000, label: "none (the VIP stays)" };
  if (mode === "graceful") return { minMs: 0, maxMs: 1_000, label: "under 1 s" };
  if (vip === "fast") return { minMs: 0, maxMs: 3_000, label: "up to 3 s (keepalived)" };
  return targetLedEtcd ? { minMs: 62_000, maxMs: 64_000, label: "62-64 s (holder led etcd)" } : { minMs: 40_000, maxMs: 60_000, label: "40-60 s" };
}

/** What one trial measured. */
export interface TrialMeasurement {
  readonly trial: number;
  readonly mode: DrillMode;
  /** The VIP holder before the fault. */
  readonly oldHolder: string;
  /** Whether the node taken down led etcd before the fault. */
  readonly targetLedEtcd: boolean;
  /** The node taken down; @default - the old holder */
  readonly target?: string;
  /** undefined: no control plane was seen holding the VIP after the fault. */
  readonly newHolder?: string;
  /** Last success before the fault to first success after; 0 when no probe failed. */
  readonly outageMs: number;
  /** The API had not answered again when the wait ended. */
  readonly apiStillDown?: boolean;
  /** Probes that failed after the fault. */
  readonly failedProbes?: number;
  /** Until etcd had every member healthy again, from the fault; undefined: it did not within the wait. */
  readonly etcdAllMembersMs?: number;
  /** Which VIP was measured. @default "talos" */
  readonly vip?: MeasuredVip["kind"];
}

export type Verdict = "as expected" | "faster than expected" | "slower than expected" | "VIP did not move" | "VIP moved" | "API did not come back";

export interface TrialRow extends TrialMeasurement {
  readonly target: string;
  readonly expected: ExpectedOutage;
  readonly verdict: Verdict;
}

export function trialRow(m: TrialMeasurement): TrialRow {
  const target = m.target ?? m.oldHolder;
  const heldVip = target === m.oldHolder;
  const expected = expectedOutage(m.mode, m.targetLedEtcd, heldVip, m.vip);
  let verdict: Verdict;
  if (m.apiStillDown) verdict = "API did not come back";
  else if (heldVip && (m.newHolder === undefined || m.newHolder === m.oldHolder)) verdict = "VIP did not move";
  else if (!heldVip && m.newHolder !== m.oldHolder) verdict = "VIP moved";
  else if (m.outageMs < expected.minMs) verdict = "faster than expected";
  else if (m.outageMs > expected.maxMs) verdict = "slower than expected";
  else verdict = "as expected";
  return { ...m, target, expected, verdict };
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

/** The outage as the report prints it. */
export function renderOutage(row: Pick<TrialRow, "outageMs" | "apiStillDown" | "failedProbes">): string {
  if (row.apiStillDown) return `>= ${seconds(row.outageMs)} (still down)`;
  if (row.outageMs === 0) return "none seen (no probe failed)";
  return seconds(row.outageMs);
}

/** The time etcd took to have every member again, as the report prints it. */
export function renderEtcdRecovery(row: Pick<TrialRow, "etcdAllMembersMs">): string {
  return row.etcdAllMembersMs === undefined ? "not within the wait" : seconds(row.etcdAllMembersMs);
}

/** `trial 1: cp1 taken down; VIP cp1 -> cp2, cp1 led etcd; outage 0.42 s (expected under 1 s: as expected); etcd all members after 31.0 s` */
export function renderTrialRow(row: TrialRow): string {
  const led = row.targetLedEtcd ? `${row.target} led etcd` : `${row.target} did not lead etcd`;
  const etcd = row.etcdAllMembersMs === undefined ? "etcd not back to all members within the wait" : `etcd all members after ${seconds(row.etcdAllMembersMs)}`;
  return `trial ${row.trial}: ${row.target} taken down; ${row.vip === "fast" ? "fast VIP" : "VIP"} ${row.oldHolder} -> ${row.newHolder ?? "nobody"}, ${led}; outage ${renderOutage(row)} (expected ${row.expected.label}: ${row.verdict}); ${etcd}`;
}

export interface DrillSummary {
  /** Every trial as expected and etcd came back each time. */
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
