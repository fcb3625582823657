/**
 * Waiting, shared by the operator commands: an injectable clock (the real
 * one is monotonic; tests advance a simulated one) and one loop that asks
 * until an answer holds or a deadline passes.
 */
import { performance } from "node:perf_hooks";

/** Time, injectable: the real one sleeps, a simulated one advances. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Monotonic: a wall-clock jump (NTP, suspend) neither ends a wait early nor skews a measured time. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** One look at the cluster: whether what is waited for holds, and what was seen. */
export interface Seen {
  readonly ok: boolean;
  readonly seen: string;
}

export interface PollOptions {
  readonly clock: Clock;
  /** From now; past it, the last answer is returned as it is. */
  readonly timeoutMs: number;
  /** Between two looks. */
  readonly pollMs: number;
  /** Before every look; throws to stop waiting (the drill's interrupt). */
  readonly beforeLook?: () => void;
}

/** Asks `look` until it holds or the timeout passes; a look that throws (a node rebooting) is "not yet". */
export async function pollUntil(options: PollOptions, look: () => Promise<Seen>): Promise<Seen> {
  const { clock } = options;
  const deadline = clock.now() + Math.max(0, options.timeoutMs);
  let last: Seen = { ok: false, seen: "no answer yet" };
  for (;;) {
    options.beforeLook?.();
    try {
      last = await look();
    } catch (error) {
      last = { ok: false, seen: errorMessage(error) };
    }
    if (last.ok || clock.now() >= deadline) return last;
    await clock.sleep(options.pollMs);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
