/**
 * Outage windows from a run of endpoint probes (pure: no clock, no network).
 *
 * The issue defines a window as "last success before the fault to first
 * success after". Probes run concurrently (one starts every interval whatever
 * the others are doing), so their outcomes arrive out of start order; each
 * outcome is placed on the time line at the moment it proves something:
 *
 * - a success at the moment its handshake completed: the endpoint served then.
 *   (Counting it at its start would let a probe whose SYN was retransmitted
 *   after the recovery, a second after it started, end the window up to a
 *   deadline too early.)
 * - a failure at the moment it started: from then on, the endpoint did not
 *   complete a handshake for it.
 *
 * Outcomes are then read in that order: the first failure after a success
 * opens a window that starts at that success; the next success closes it.
 */

/** The outcome of one probe, times in monotonic milliseconds from the start of the run. */
export interface ProbeResult {
  /** When the probe started (connect called). */
  readonly startedAtMs: number;
  /** When its outcome was known: handshake completed, error, or deadline. */
  readonly endedAtMs: number;
  readonly ok: boolean;
  /** Why it failed (an error code such as `ECONNREFUSED`, or the deadline), when it failed. */
  readonly error?: string;
}

/** A time during which no probe succeeded. */
export interface OutageWindow {
  /**
   * The last success before the fault, in ms from the start of the run; when the
   * run began with failures, the start of the first failed probe.
   */
  readonly startMs: number;
  /** The first success after the fault; undefined while the window is still open at the end of the run. */
  readonly endMs?: number;
  /** `endMs - startMs`, or up to the last outcome of the run when still open, in seconds. */
  readonly durationSeconds: number;
  /** No success came after it before the run ended. */
  readonly open: boolean;
  /** The run began inside this window: no success came before it, so its real start is unknown. */
  readonly fromRunStart: boolean;
  /** How many probes failed inside it. */
  readonly failedProbes: number;
  /** The distinct reasons the probes failed, in the order first seen. */
  readonly errors: readonly string[];
}

/** The moment a probe's outcome proves something (see the module comment). */
export function outcomeAtMs(result: ProbeResult): number {
  return result.ok ? result.endedAtMs : result.startedAtMs;
}

/** Every outage window of a run, in time order. `results` may be in any order. */
export function outageWindows(results: readonly ProbeResult[]): OutageWindow[] {
  const timeline = results
    .map((result, index) => ({ result, at: outcomeAtMs(result), index }))
    .sort((a, b) => a.at - b.at || a.index - b.index);
  const windows: OutageWindow[] = [];
  let lastSuccessMs: number | undefined;
  let open: { startMs: number; fromRunStart: boolean; failedProbes: number; errors: string[] } | undefined;
  for (const { result, at } of timeline) {
    if (!result.ok) {
      open ??= { startMs: lastSuccessMs ?? at, fromRunStart: lastSuccessMs === undefined, failedProbes: 0, errors: [] };
      open.failedProbes++;
      const error = result.error ?? "failed";
      if (!open.errors.includes(error)) open.errors.push(error);
      continue;
    }
    if (open) {
      windows.push({ ...open, endMs: at, durationSeconds: seconds(at - open.startMs), open: false });
      open = undefined;
    }
    lastSuccessMs = at;
  }
  if (open) {
    const lastMs = timeline[timeline.length - 1].at;
    windows.push({ ...open, durationSeconds: seconds(lastMs - open.startMs), open: true });
  }
  return windows;
}

/** Counts of a run, for the report's headline. */
export interface ProbeSummary {
  readonly probes: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly windows: readonly OutageWindow[];
  /** The longest window in seconds, 0 when there was none. */
  readonly longestSeconds: number;
}

export function summarizeProbes(results: readonly ProbeResult[]): ProbeSummary {
  const windows = outageWindows(results);
  const succeeded = results.filter((r) => r.ok).length;
  return {
    probes: results.length,
    succeeded,
    failed: results.length - succeeded,
    windows,
    longestSeconds: Math.max(0, ...windows.map((w) => w.durationSeconds)),
  };
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
