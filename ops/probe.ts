/**
 * The prober behind `drill`: a fresh TCP connection and TLS handshake to one
 * endpoint every interval, each with a hard deadline, on a monotonic clock.
 *
 * This is the one piece of the drill that talks to the network, so it is kept
 * small: the windows are computed from its results by ./outage-windows.ts.
 *
 * - No agent, no keep-alive, no session reuse: every probe is `tls.connect`
 *   with its own socket, closed as soon as the handshake completes, so a
 *   probe succeeds only if the endpoint accepts a new connection now.
 * - Probes start on a fixed schedule (start + i x interval) whatever the
 *   others are doing: one stalled connect does not delay the next probe.
 * - Times come from `performance.now()` (monotonic; wall-clock jumps do not
 *   move them). The run's wall-clock start is kept only for the report.
 */
import { performance } from "node:perf_hooks";
import * as tls from "node:tls";
import type { ProbeResult } from "./outage-windows";

/** What to probe and how. */
export interface ProbeOptions {
  readonly host: string;
  readonly port: number;
  /** How long the run lasts; it starts `floor(seconds x 1000 / intervalMs)` probes, at least one. */
  readonly seconds: number;
  /**
   * Time between the starts of two probes.
   * @default 100
   */
  readonly intervalMs?: number;
  /**
   * Hard deadline of one probe, TCP connect and TLS handshake together.
   * @default 1000
   */
  readonly deadlineMs?: number;
  /**
   * Verify the server's certificate (against `ca` when given). Off by default:
   * the measuring mode probes any endpoint and only asks whether a handshake completes.
   * @default false
   */
  readonly rejectUnauthorized?: boolean;
  /**
   * PEM of the CA the server certificate must chain to (the cluster CA); implies verification.
   * @default - none; the system roots if `rejectUnauthorized` is set
   */
  readonly ca?: string | Buffer;
  /** Called with each result as it arrives (in completion order). */
  readonly onResult?: (result: ProbeResult) => void;
  /** Stops starting new probes; those in flight still finish within their deadline. */
  readonly signal?: AbortSignal;
  /**
   * The run's time zero, a `performance.now()` value (results are in ms from it).
   * @default - performance.now() when the run starts
   */
  readonly origin?: number;
}

/** A finished run. */
export interface ProbeRun {
  readonly host: string;
  readonly port: number;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  readonly verified: boolean;
  /** Wall-clock time of the run's start, ISO 8601 (for the report; never used to measure). */
  readonly startedAt: string;
  /** Every probe, in start order; times in ms from the start of the run. */
  readonly results: readonly ProbeResult[];
}

export const DEFAULT_INTERVAL_MS = 100;
export const DEFAULT_DEADLINE_MS = 1000;

/** Probes the endpoint for `seconds` and resolves once every probe has finished. */
export async function probeEndpoint(options: ProbeOptions): Promise<ProbeRun> {
  const intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
  const deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  if (!(intervalMs > 0) || !(deadlineMs > 0) || !(options.seconds > 0)) {
    throw new Error(`probeEndpoint: seconds (${options.seconds}), intervalMs (${intervalMs}) and deadlineMs (${deadlineMs}) must be positive`);
  }
  const verified = options.ca !== undefined || options.rejectUnauthorized === true;
  const count = Math.max(1, Math.floor((options.seconds * 1000) / intervalMs));
  const startedAt = new Date().toISOString();
  const origin = options.origin ?? performance.now();
  const pending: Promise<ProbeResult>[] = [];
  for (let i = 0; i < count && !options.signal?.aborted; i++) {
    await sleepUntil(origin + i * intervalMs);
    const probe = probeOnce(options.host, options.port, { deadlineMs, verified, ca: options.ca, origin });
    pending.push(options.onResult ? probe.then((r) => (options.onResult!(r), r)) : probe);
  }
  const results = await Promise.all(pending);
  return { host: options.host, port: options.port, intervalMs, deadlineMs, verified, startedAt, results };
}

/**
 * One probe: connect, handshake, destroy. Never rejects; a failure is a result.
 * Times are `performance.now()` minus `origin`.
 */
export function probeOnce(
  host: string,
  port: number,
  options: { readonly deadlineMs: number; readonly verified: boolean; readonly ca?: string | Buffer; readonly origin?: number },
): Promise<ProbeResult> {
  const origin = options.origin ?? 0;
  const startedAtMs = performance.now() - origin;
  return new Promise((resolve) => {
    let settled = false;
    let socket: tls.TLSSocket | undefined;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      const endedAtMs = performance.now() - origin;
      clearTimeout(timer);
      if (error === undefined && socket) closeGracefully(socket);
      else socket?.destroy();
      resolve(error === undefined ? { startedAtMs, endedAtMs, ok: true } : { startedAtMs, endedAtMs, ok: false, error });
    };
    const timer = setTimeout(() => finish(`no TLS handshake within ${options.deadlineMs} ms`), options.deadlineMs);
    try {
      socket = tls.connect({
        host,
        port,
        rejectUnauthorized: options.verified,
        ...(options.ca !== undefined ? { ca: options.ca } : {}),
        // A fresh handshake every time: no session ticket offered, none kept.
        session: undefined,
      });
    } catch (error) {
      finish(describe(error));
      return;
    }
    socket.once("secureConnect", () => finish());
    // 'error' may fire again after destroy (e.g. a reset during teardown): keep a listener.
    socket.on("error", (error) => finish(describe(error)));
    socket.once("close", () => finish("connection closed before the TLS handshake completed"));
  });
}

/**
 * After a handshake: end the connection cleanly, so the server completes its
 * side of the handshake and sees an orderly close (an API server logs every
 * reset handshake), and destroy it if the server does not close within a second.
 */
function closeGracefully(socket: tls.TLSSocket): void {
  // unref: a server that never closes must not keep the process (or a test worker) alive for this fallback.
  const timer = setTimeout(() => socket.destroy(), 1000).unref();
  socket.once("close", () => clearTimeout(timer));
  socket.end();
}

function describe(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ?? message ?? String(error);
}

/** Until `performance.now()` reaches `at`: Node's timers round to the millisecond and may fire a little early. */
async function sleepUntil(at: number): Promise<void> {
  for (let wait = at - performance.now(); wait > 0; wait = at - performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** A prober running in the background, read while it runs (the drill's view of the VIP). */
export interface ProbeSession {
  /** Now, in ms from the session's start: the time base of the results. */
  elapsedMs(): number;
  /** The results so far, in completion order. */
  results(): readonly ProbeResult[];
  /** Stops starting probes; resolves with every result once those in flight have finished. */
  stop(): Promise<readonly ProbeResult[]>;
}

/** The longest a session runs if nobody stops it: an hour. */
const SESSION_LIMIT_SECONDS = 3600;

/** Starts probing in the background until `stop()` (or an hour). */
export function startProbeSession(options: Omit<ProbeOptions, "seconds" | "signal" | "onResult" | "origin">): ProbeSession {
  const abort = new AbortController();
  const origin = performance.now();
  const results: ProbeResult[] = [];
  const run = probeEndpoint({ ...options, seconds: SESSION_LIMIT_SECONDS, signal: abort.signal, origin, onResult: (result) => results.push(result) });
  return {
    elapsedMs: () => performance.now() - origin,
    results: () => results,
    stop: async () => {
      abort.abort();
      await run;
      return results;
    },
  };
}
