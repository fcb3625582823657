/**
 * `npm run drill -- --mode graceful|crash`: the runner, over the contracts'
 * clients and a prober of the VIP the kubeconfig's server names (the fast
 * VIP with the fast API failover, Talos's VIP otherwise: `measured`).
 *
 * Pre-checks (verify, etcd able to lose a member, the `--node`, and in crash
 * mode every control plane's VM and the token's power privilege), one
 * confirmation, then trial by trial the steps ops/drill-plan.ts lists: probe
 * the VIP, take the node down, measure until the VIP answers again and (when
 * the node held it) another node holds it, start the VM again (crash), time
 * etcd back to every member, and wait for verify to pass before the next
 * trial. A powered-off VM is always started again, whatever went wrong,
 * including an interrupt.
 *
 * Waiting goes through an injected clock, so tests run a simulated cluster
 * (__tests__/support/simulated-cluster.ts) instantly.
 */
import type { CheckResult, ClusterNode, KubernetesClient, ProxmoxClient, ProxmoxTaskEnd, StackFacts, TalosClient } from "./contracts";
import {
  DrillMode,
  DrillStep,
  MeasuredVip,
  TrialMeasurement,
  TrialRow,
  VmObservation,
  confirmationPrompt,
  drillRefusals,
  summarizeDrill,
  trialRow,
  trialSteps,
  type DrillSummary,
} from "./drill-plan";
import { StopDrill, WindowSeen, checkAborted, etcdLeaderName, measureWindow, measuredOf, vipHolders, waitForBaseline, waitUntil } from "./drill-observe";
import type { ProbeSession } from "./probe";
import { Clock, errorMessage, realClock } from "./poll";
import { controlPlanesOf } from "../domain/stack-outputs";
import { etcdHealth } from "./upgrade";

export type { ProbeSession };

/** How long the runner waits, and how often it looks. */
export interface DrillTimings {
  /** Between two looks at the VIP, etcd or the VM. @default 1000 */
  readonly pollMs: number;
  /** Before the fault, the prober must have seen the API answer within this. @default 10000 */
  readonly baselineTimeoutMs: number;
  /** Once the API answers again, it must keep answering this long before the window counts as closed. @default 3000 */
  readonly settleMs: number;
  /** The longest a window is waited for, per mode. @default graceful 180 s, crash 300 s */
  readonly windowTimeoutMs: Readonly<Record<DrillMode, number>>;
  /** Until Proxmox shows the VM stopped (an HA-managed VM is stopped by the HA manager on its next round). @default 120000 */
  readonly vmOffTimeoutMs: number;
  /** Until etcd has every member healthy again, from the fault. @default 900000 */
  readonly etcdTimeoutMs: number;
  /** Until verify passes after a trial. @default 900000 */
  readonly verifyTimeoutMs: number;
  /** Between two verify runs. @default 5000 */
  readonly verifyPollMs: number;
}

export const DEFAULT_DRILL_TIMINGS: DrillTimings = {
  pollMs: 1_000,
  baselineTimeoutMs: 10_000,
  settleMs: 3_000,
  windowTimeoutMs: { graceful: 180_000, crash: 300_000 },
  vmOffTimeoutMs: 120_000,
  etcdTimeoutMs: 900_000,
  verifyTimeoutMs: 900_000,
  verifyPollMs: 5_000,
};

export interface DrillProps {
  readonly facts: StackFacts;
  readonly talos: TalosClient;
  readonly kube?: KubernetesClient;
  /** Crash mode only. */
  readonly proxmox?: ProxmoxClient;
  /** `npm run verify`'s checks: a pre-check, and the gate between trials. */
  readonly verify: () => Promise<CheckResult[]>;
  readonly mode: DrillMode;
  /** @default 1 */
  readonly trials?: number;
  /** The control plane to take down each trial. @default - the holder of the measured VIP, observed before each trial */
  readonly node?: string;
  /**
   * The VIP `startProbe` measures, from the kubeconfig's server: its holder
   * is followed and, without `node`, taken down.
   * @default - measuredVipOf(facts): the fast VIP when the stack has one, else Talos's
   */
  readonly measured?: MeasuredVip;
  /** Probes the kubeconfig's server (`measured.server`). */
  readonly startProbe: () => ProbeSession;
  /** Asked once before anything is touched; false declines. */
  readonly confirm: (prompt: string) => Promise<boolean>;
  /** @default realClock */
  readonly clock?: Clock;
  /** @default - discard */
  readonly log?: (line: string) => void;
  /** Aborting stops at the next look; a powered-off VM is started again first. */
  readonly signal?: AbortSignal;
  readonly timings?: Partial<DrillTimings>;
}

/** One trial, as measured and judged, with what the runner saw. */
export interface DrillTrial extends TrialRow {
  /** The etcd leader before the fault, when one was seen. */
  readonly etcdLeaderBefore?: string;
  /** Crash mode: from the stop request until Proxmox showed the VM stopped. */
  readonly vmOffMs?: number;
  /** Crash mode: the VM was managed by Proxmox HA (its stop went through the HA manager). */
  readonly haManaged?: boolean;
  /** Outage windows after the fault (more than one: the API flapped). */
  readonly windows: number;
}

export interface DrillResult {
  /** refused: nothing touched; declined: not confirmed; completed: every trial ran; stopped: a trial or gate failed; interrupted: aborted. */
  readonly outcome: "refused" | "declined" | "completed" | "stopped" | "interrupted";
  readonly mode: DrillMode;
  /** The VIP the drill measured (or would have). */
  readonly measured: MeasuredVip;
  readonly problems: readonly string[];
  readonly trials: readonly DrillTrial[];
  readonly summary?: DrillSummary;
  /** Why the drill stopped early. */
  readonly why?: string;
}

/** Runs the drill; never throws for a cluster problem, returns it. */
export async function runDrill(props: DrillProps): Promise<DrillResult> {
  const log = props.log ?? (() => undefined);
  const trials = props.trials ?? 1;
  const { mode } = props;
  const measured = measuredOf(props);
  const refused = (problems: string[]): DrillResult => {
    log("Refused, nothing was touched:");
    for (const p of problems) log(`  - ${p}`);
    return { outcome: "refused", mode, measured, problems, trials: [] };
  };

  const problems = await preconditionProblems(props);
  if (problems.length > 0) return refused(problems);
  if (!(await props.confirm(confirmationPrompt(props.facts, mode, trials, props.node, measured)))) {
    log("Not confirmed: nothing was touched.");
    return { outcome: "declined", mode, measured, problems: [], trials: [] };
  }
  log(`Measuring ${measured.text}: probing ${measured.server}.`);

  const done: DrillTrial[] = [];
  for (let trial = 1; trial <= trials; trial++) {
    try {
      done.push(await runTrial(props, trial, log));
    } catch (error) {
      const stop = error instanceof StopDrill ? error : new StopDrill(errorMessage(error));
      if (stop instanceof StopDrillWithTrial) done.push(stop.trial);
      log(`Stopped ${stop.outcome === "interrupted" ? "(interrupted) " : ""}in trial ${trial}: ${stop.message}`);
      return { outcome: stop.outcome, mode, measured, problems: [], trials: done, summary: done.length ? summarizeDrill(done) : undefined, why: `trial ${trial}: ${stop.message}` };
    }
  }
  const summary = summarizeDrill(done);
  log(summary.text);
  return { outcome: "completed", mode, measured, problems: [], trials: done, summary };
}

async function preconditionProblems(props: DrillProps): Promise<string[]> {
  const { facts, talos, mode } = props;
  let checks: CheckResult[];
  try {
    checks = await props.verify();
  } catch (error) {
    return [`pre-checks (verify) could not run: ${errorMessage(error)}`];
  }
  const controlPlanes = controlPlanesOf(facts);
  let healthyEtcdMembers = 0;
  for (const cp of controlPlanes) {
    try {
      if ((await talos.service(cp.ip, "etcd")).healthy) healthyEtcdMembers++;
    } catch {
      // unreachable: not healthy
    }
  }
  const trials = props.trials ?? 1;
  const problems: string[] = [];
  if (!Number.isInteger(trials) || trials < 1) problems.push(`--trials ${trials}: a whole number of trials, 1 or more`);
  let vms: VmObservation[] | undefined;
  if (mode === "crash") {
    if (props.proxmox !== undefined) vms = await Promise.all(controlPlanes.map((node) => observeVm(props.proxmox!, node)));
  }
  return [...problems, ...drillRefusals(facts, { mode, checks, healthyEtcdMembers, node: props.node, vms })];
}

async function observeVm(proxmox: ProxmoxClient, node: ClusterNode): Promise<VmObservation> {
  try {
    const [status, privileges] = await Promise.all([proxmox.vmStatus(node.proxmoxHost, node.vmId), proxmox.privileges(node.vmId)]);
    return { node, status, privileges };
  } catch (error) {
    return { node, error: errorMessage(error) };
  }
}

/** One trial: observe, then the plan's steps in order. */
async function runTrial(props: DrillProps, trial: number, log: (line: string) => void): Promise<DrillTrial> {
  const { facts, mode } = props;
  const timings = { ...DEFAULT_DRILL_TIMINGS, ...props.timings };
  const clock = props.clock ?? realClock;
  const controlPlanes = controlPlanesOf(facts);
  checkAborted(props);

  const measured = measuredOf(props);
  const theVip = measured.kind === "fast" ? `the fast VIP ${measured.address}` : "the VIP";
  const holders = await vipHolders(props, controlPlanes);
  if (holders.length !== 1) throw new StopDrill(`before the fault, ${holders.length === 0 ? "no node holds" : `${holders.map((h) => h.name).join(" and ")} hold`} ${theVip}`);
  const holder = holders[0];
  const etcdLeader = await etcdLeaderName(props, controlPlanes);
  const target = props.node === undefined ? holder : controlPlanes.find((n) => n.name === props.node)!;
  log(
    `trial ${trial}: ${theVip} is on ${holder.name}; etcd leader ${etcdLeader ?? "not seen"}` +
      (target === holder ? `; taking ${target.name} down (${faultLabel(mode)})` : `; taking ${target.name} down (${faultLabel(mode)}), which does not hold ${theVip}`),
  );

  let session: ProbeSession | undefined;
  let vmOff = false;
  let faultAtProbeMs = 0;
  let faultAtClock = 0;
  let window: WindowSeen | undefined;
  let vmOffMs: number | undefined;
  let haManaged: boolean | undefined;
  let etcdAllMembersMs: number | undefined;
  const steps = trialSteps(mode, { holder, etcdLeader, target });
  try {
    for (const step of steps) {
      switch (step.kind) {
        case "start-probe":
          session = props.startProbe();
          await waitForBaseline(props, session, timings, clock);
          break;
        case "talos-reboot":
          faultAtProbeMs = session!.elapsedMs();
          faultAtClock = clock.now();
          await props.talos.reboot(step.ip);
          break;
        case "proxmox-stop": {
          faultAtProbeMs = session!.elapsedMs();
          faultAtClock = clock.now();
          vmOff = true; // from here on, the VM is started again whatever happens
          const stopTask = await props.proxmox!.stopVm(step.host, step.vmId);
          const off = await waitUntil(clock, timings.vmOffTimeoutMs, timings.pollMs, props, async () => {
            const status = await props.proxmox!.vmStatus(step.host, step.vmId);
            haManaged = status.haManaged;
            return { ok: status.status === "stopped", seen: `VM ${step.vmId} is ${status.status}` };
          });
          if (!off.ok) throw new StopDrill(`VM ${step.vmId} (${step.node}) was not stopped ${timings.vmOffTimeoutMs / 1000} s after status/stop: ${off.seen}`);
          vmOffMs = clock.now() - faultAtClock;
          log(`  ${step.node}: VM ${step.vmId} off after ${seconds(vmOffMs)}${haManaged ? " (managed by Proxmox HA: stopped by the HA manager)" : ""}${taskWarnings("stop", stopTask, step.host)}`);
          break;
        }
        case "measure-window":
          window = await measureWindow(props, session!, { holder, target, faultAtProbeMs, timings, clock });
          await session!.stop();
          session = undefined;
          log(`  ${window.apiBack ? `the API answers again` : "the API did not answer again"}; ${measured.kind === "fast" ? "fast VIP" : "VIP"} on ${window.newHolder?.name ?? "no node seen"}; outage ${seconds(window.outageMs)}`);
          break;
        case "proxmox-start":
          await startAgain(props, step);
          vmOff = false;
          break;
        case "wait-etcd-all-members": {
          const etcd = await waitUntil(clock, timings.etcdTimeoutMs - (clock.now() - faultAtClock), timings.pollMs, props, () => etcdHealth(props));
          if (etcd.ok) etcdAllMembersMs = clock.now() - faultAtClock;
          log(`  etcd: ${etcd.ok ? `every member healthy ${seconds(etcdAllMembersMs!)} after the fault` : `not every member healthy within the wait (${etcd.seen})`}`);
          break;
        }
        case "wait-verify": {
          const measurement = rowOf();
          const verified = await waitUntil(clock, timings.verifyTimeoutMs, timings.verifyPollMs, props, async () => {
            const failed = (await props.verify()).filter((c) => !c.ok);
            return { ok: failed.length === 0, seen: failed.map((c) => `${c.title}: ${c.seen}`).join("; ") };
          });
          if (!verified.ok) {
            throw new StopDrillWithTrial(`verify did not pass within ${timings.verifyTimeoutMs / 60_000} min after the trial: ${verified.seen}`, measurement);
          }
          log(`  verify passes`);
          break;
        }
      }
    }
  } catch (error) {
    if (session !== undefined) await session.stop();
    if (vmOff) {
      const start = steps.find((s): s is Extract<DrillStep, { kind: "proxmox-start" }> => s.kind === "proxmox-start")!;
      try {
        await startAgain(props, start);
      } catch (startError) {
        throw new StopDrill(`${errorMessage(error)}; and starting VM ${start.vmId} (${start.node}) again failed: ${errorMessage(startError)}: start it by hand (qm start ${start.vmId} on ${start.host})`);
      }
    }
    throw error;
  }
  return rowOf();

  function rowOf(): DrillTrial {
    const row: TrialMeasurement = {
      trial,
      mode,
      oldHolder: holder.name,
      targetLedEtcd: etcdLeader === target.name,
      target: target.name,
      newHolder: window?.newHolder?.name,
      outageMs: window?.outageMs ?? 0,
      apiStillDown: window !== undefined && !window.apiBack,
      failedProbes: window?.failedProbes ?? 0,
      etcdAllMembersMs,
      ...(measured.kind === "fast" ? { vip: "fast" as const } : {}),
    };
    return { ...trialRow(row), etcdLeaderBefore: etcdLeader, vmOffMs, haManaged, windows: window?.windows ?? 0 };
  }

  async function startAgain(p: DrillProps, step: { node: string; host: string; vmId: number }): Promise<void> {
    log(`  ${step.node}: starting VM ${step.vmId} again`);
    const startTask = await p.proxmox!.startVm(step.host, step.vmId);
    if (startTask.warnings > 0) log(`  ${step.node}: VM ${step.vmId} started${taskWarnings("start", startTask, step.host)}`);
  }
}

/** A trial that ran but whose verify gate failed: the drill stops, the trial still counts. */
class StopDrillWithTrial extends StopDrill {
  constructor(
    message: string,
    readonly trial: DrillTrial,
  ) {
    super(message);
  }
}

function faultLabel(mode: DrillMode): string {
  return mode === "graceful" ? "talosctl reboot" : "Proxmox status/stop, power off";
}

/** A task that ended `WARNINGS: N` succeeded (pve-common UPID.pm status_is_error); say so, and where its log is. */
function taskWarnings(action: "stop" | "start", task: ProxmoxTaskEnd, host: string): string {
  return task.warnings === 0 ? "" : `; its ${action} task ended with ${task.warnings} warning(s), which is a success (read them with \`pvenode task log ${task.upid}\` on ${host})`;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
