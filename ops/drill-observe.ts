/**
 * The drill's eyes: who holds the VIP and leads etcd, the outage window the
 * prober saw after a fault, and waiting with a deadline that an interrupt
 * cuts short. Used by the runner (./drill.ts); every answer comes through the
 * contracts' clients and the prober, so tests drive it with the simulated
 * cluster.
 */
import type { ClusterNode, TalosClient } from "./contracts";
import type { DrillProps, DrillTimings } from "./drill";
import { measuredVipOf, type MeasuredVip } from "./drill-plan";
import { outageWindows, type ProbeResult } from "./outage-windows";
import type { ProbeSession } from "./probe";
import { Clock, Seen, pollUntil } from "./poll";
import { controlPlanesOf } from "../domain/stack-outputs";

/** Thrown inside a trial to end the drill with `why`. */
export class StopDrill extends Error {
  constructor(
    message: string,
    readonly outcome: "stopped" | "interrupted" = "stopped",
  ) {
    super(message);
  }
}

/** The VIP the drill measures: as given, or the one the stack's kubeconfig names. */
export function measuredOf(props: Pick<DrillProps, "facts" | "measured">): MeasuredVip {
  return props.measured ?? measuredVipOf(props.facts);
}

/** The control planes that hold the measured VIP (the fast VIP or Talos's: see DrillProps.measured), as `talosctl get addresses` lists it. */
export async function vipHolders(props: DrillProps, controlPlanes: readonly ClusterNode[], except?: ClusterNode): Promise<ClusterNode[]> {
  const vip = measuredOf(props).address;
  const answers = await Promise.all(
    controlPlanes
      .filter((cp) => cp !== except)
      .map(async (cp) => {
        try {
          return (await props.talos.addresses(cp.ip)).includes(vip) ? cp : undefined;
        } catch {
          return undefined; // down or rebooting: not a holder we can see
        }
      }),
  );
  return answers.filter((cp): cp is ClusterNode => cp !== undefined);
}

/** The etcd leader as the first control plane that answers sees it, by node name. */
export async function etcdLeaderName(props: DrillProps, controlPlanes: readonly ClusterNode[]): Promise<string | undefined> {
  const statuses = await Promise.all(controlPlanes.map((cp) => props.talos.etcdStatus(cp.ip).then((s) => ({ cp, s }), () => undefined)));
  const seen = statuses.filter((x): x is { cp: ClusterNode; s: Awaited<ReturnType<TalosClient["etcdStatus"]>> } => x !== undefined);
  const leaderId = seen.find((x) => /[1-9a-f]/i.test(x.s.leader))?.s.leader;
  return seen.find((x) => x.s.memberId === leaderId)?.cp.name;
}

export async function waitForBaseline(props: DrillProps, session: ProbeSession, timings: DrillTimings, clock: Clock): Promise<void> {
  const ok = await waitUntil(clock, timings.baselineTimeoutMs, Math.min(timings.pollMs, 200), props, async () => ({ ok: session.results().some((r) => r.ok), seen: "" }));
  if (!ok.ok) {
    await session.stop();
    throw new StopDrill(`the API did not answer through ${measuredOf(props).server} within ${timings.baselineTimeoutMs / 1000} s before the fault; nothing was touched in this trial`);
  }
}

export interface WindowSeen {
  readonly outageMs: number;
  readonly windows: number;
  readonly failedProbes: number;
  readonly apiBack: boolean;
  readonly newHolder?: ClusterNode;
}

/**
 * Probes until the window after the fault has closed: the API answers again
 * and has kept answering for `settleMs`, and, when the node taken down held
 * the VIP, another control plane holds it (when it did not, the node must
 * have gone down first). The outage runs from the start of the first window
 * after the fault to the end of the last (flapping counts whole).
 */
export async function measureWindow(
  props: DrillProps,
  session: ProbeSession,
  args: { holder: ClusterNode; target: ClusterNode; faultAtProbeMs: number; timings: DrillTimings; clock: Clock },
): Promise<WindowSeen> {
  const { holder, target, faultAtProbeMs, timings, clock } = args;
  const controlPlanes = controlPlanesOf(props.facts);
  const heldVip = holder === target;
  let newHolder: ClusterNode | undefined;
  let targetWentDown = false;
  const deadline = clock.now() + timings.windowTimeoutMs[props.mode];
  for (;;) {
    checkAborted(props);
    await clock.sleep(timings.pollMs);
    const results = session.results();
    const after = windowsAfter(results, faultAtProbeMs);
    if (heldVip) newHolder = (await vipHolders(props, controlPlanes, target))[0] ?? newHolder;
    else {
      newHolder = (await vipHolders(props, controlPlanes))[0] ?? newHolder;
      targetWentDown ||= !(await reachable(props, target));
    }
    const lastFailure = Math.max(-Infinity, ...results.filter((r) => !r.ok && r.startedAtMs >= faultAtProbeMs).map((r) => r.startedAtMs));
    const settled = session.elapsedMs() - Math.max(lastFailure, faultAtProbeMs) >= timings.settleMs;
    const closed = after.every((w) => !w.open) && settled && (heldVip ? newHolder !== undefined : targetWentDown);
    if (closed || clock.now() >= deadline) {
      // Not seen elsewhere by the end: the VIP may be back on the node taken down.
      newHolder ??= (await vipHolders(props, controlPlanes))[0];
      const first = after[0];
      const last = after[after.length - 1];
      const end = last === undefined ? 0 : (last.endMs ?? session.elapsedMs());
      return {
        outageMs: first === undefined ? 0 : Math.round(end - first.startMs),
        windows: after.length,
        failedProbes: after.reduce((sum, w) => sum + w.failedProbes, 0),
        apiBack: last === undefined || !last.open,
        newHolder,
      };
    }
  }
}

/** The windows that ended after the fault (or are still open). */
function windowsAfter(results: readonly ProbeResult[], faultAtProbeMs: number) {
  return outageWindows(results).filter((w) => w.endMs === undefined || w.endMs > faultAtProbeMs);
}

async function reachable(props: DrillProps, node: ClusterNode): Promise<boolean> {
  try {
    await props.talos.version(node.ip);
    return true;
  } catch {
    return false;
  }
}

/** Polls `look` until it holds or `timeoutMs` passes; an interrupt ends the wait at the next look. */
export function waitUntil(clock: Clock, timeoutMs: number, pollMs: number, props: Pick<DrillProps, "signal">, look: () => Promise<Seen>): Promise<Seen> {
  return pollUntil({ clock, timeoutMs, pollMs, beforeLook: () => checkAborted(props) }, look);
}

export function checkAborted(props: Pick<DrillProps, "signal">): void {
  if (props.signal?.aborted) throw new StopDrill("interrupted", "interrupted");
}
