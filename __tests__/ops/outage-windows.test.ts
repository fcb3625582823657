import { outageWindows, summarizeProbes, type ProbeResult } from "../../ops/outage-windows";

/**
 * A run written as a string, one character a probe, one probe every 100 ms:
 * `+` a success whose handshake took 5 ms, `-` a failure (refused, 2 ms).
 */
function run(pattern: string, intervalMs = 100): ProbeResult[] {
  return [...pattern].map((c, i) => {
    const startedAtMs = i * intervalMs;
    return c === "+" ? { startedAtMs, endedAtMs: startedAtMs + 5, ok: true } : { startedAtMs, endedAtMs: startedAtMs + 2, ok: false, error: "ECONNREFUSED" };
  });
}

describe("outageWindows", () => {
  test("no failures, no window", () => {
    expect(outageWindows(run("++++++++"))).toEqual([]);
    expect(outageWindows([])).toEqual([]);
  });

  test("one window: from the last success before the fault to the first success after", () => {
    // GIVEN successes at 0..300 ms, failures at 400..800, successes from 900
    const windows = outageWindows(run("++++-----+++"));
    // THEN start = the success that started at 300 (completed at 305), end = the one at 900 (905)
    expect(windows).toEqual([
      { startMs: 305, endMs: 905, durationSeconds: 0.6, open: false, fromRunStart: false, failedProbes: 5, errors: ["ECONNREFUSED"] },
    ]);
  });

  test("several windows, in time order", () => {
    const windows = outageWindows(run("++--++---+-+"));
    expect(windows.map((w) => [w.startMs, w.endMs, w.durationSeconds, w.failedProbes])).toEqual([
      [105, 405, 0.3, 2],
      [505, 905, 0.4, 3],
      [905, 1105, 0.2, 1],
    ]);
  });

  test("failure at the start: the window starts at the first probe and says the run began inside it", () => {
    const [window] = outageWindows(run("---+++"));
    expect(window).toMatchObject({ startMs: 0, endMs: 305, durationSeconds: 0.305, fromRunStart: true, open: false, failedProbes: 3 });
  });

  test("open at the end: no end, the duration runs to the last outcome, and it says so", () => {
    const [window] = outageWindows(run("+++---"));
    expect(window).toEqual({ startMs: 205, durationSeconds: 0.295, open: true, fromRunStart: false, failedProbes: 3, errors: ["ECONNREFUSED"] });
    expect(window.endMs).toBeUndefined();
  });

  test("every probe failed: one window, open and from the start of the run", () => {
    expect(outageWindows(run("----"))).toEqual([
      { startMs: 0, durationSeconds: 0.3, open: true, fromRunStart: true, failedProbes: 4, errors: ["ECONNREFUSED"] },
    ]);
  });

  test("flapping: each failure between successes is its own window", () => {
    const windows = outageWindows(run("+-+-+-+"));
    expect(windows).toHaveLength(3);
    expect(windows.every((w) => w.failedProbes === 1 && w.durationSeconds === 0.2)).toBe(true);
  });

  test("distinct errors, in the order first seen", () => {
    const results: ProbeResult[] = [
      { startedAtMs: 0, endedAtMs: 1, ok: true },
      { startedAtMs: 100, endedAtMs: 1100, ok: false, error: "no TLS handshake within 1000 ms" },
      { startedAtMs: 200, endedAtMs: 202, ok: false, error: "ECONNREFUSED" },
      { startedAtMs: 300, endedAtMs: 1300, ok: false, error: "no TLS handshake within 1000 ms" },
      { startedAtMs: 400, endedAtMs: 401, ok: true },
    ];
    expect(outageWindows(results)[0].errors).toEqual(["no TLS handshake within 1000 ms", "ECONNREFUSED"]);
  });

  test("the order of the input does not matter (results arrive in completion order)", () => {
    const ordered = run("+++---++--+");
    const shuffled = [...ordered].reverse();
    expect(outageWindows(shuffled)).toEqual(outageWindows(ordered));
  });

  describe("concurrent probes", () => {
    test("a success counts when its handshake completes: a late success of a probe started during the fault does not end the window early", () => {
      // GIVEN the endpoint is down from 250 to 1250 ms. The probe started at 300
      // hangs; its SYN is retransmitted at 1300, after the recovery, and its
      // handshake completes at 1302, later than the one started at 1300 (1301).
      const results: ProbeResult[] = [
        { startedAtMs: 100, endedAtMs: 101, ok: true },
        { startedAtMs: 200, endedAtMs: 201, ok: true },
        { startedAtMs: 300, endedAtMs: 1302, ok: true },
        ...[400, 500, 600, 700, 800, 900, 1000, 1100, 1200].map((t) => ({ startedAtMs: t, endedAtMs: t + 1000, ok: false, error: "timeout" })),
        { startedAtMs: 1300, endedAtMs: 1301, ok: true },
      ];
      // THEN the window runs from 201 to 1301: counted at its start (300), the
      // slow success would have split it into nothing and a window of 900 ms.
      expect(outageWindows(results)).toEqual([
        { startMs: 201, endMs: 1301, durationSeconds: 1.1, open: false, fromRunStart: false, failedProbes: 9, errors: ["timeout"] },
      ]);
    });

    test("a failure counts when it started: a stalled probe does not shift the window to its deadline", () => {
      // GIVEN a success, then a probe that stalls for its whole deadline, then successes again
      const results: ProbeResult[] = [
        { startedAtMs: 0, endedAtMs: 2, ok: true },
        { startedAtMs: 100, endedAtMs: 1100, ok: false, error: "timeout" },
        { startedAtMs: 200, endedAtMs: 202, ok: true },
      ];
      // THEN the window is 2..202, not ended by the success at 202 before its failure was known at 1100
      expect(outageWindows(results)).toEqual([
        { startMs: 2, endMs: 202, durationSeconds: 0.2, open: false, fromRunStart: false, failedProbes: 1, errors: ["timeout"] },
      ]);
    });

    test("ties keep the input order", () => {
      const results: ProbeResult[] = [
        { startedAtMs: 0, endedAtMs: 100, ok: true },
        { startedAtMs: 100, endedAtMs: 150, ok: false, error: "x" },
        { startedAtMs: 150, endedAtMs: 160, ok: true },
      ];
      expect(outageWindows(results)).toEqual([
        { startMs: 100, endMs: 160, durationSeconds: 0.06, open: false, fromRunStart: false, failedProbes: 1, errors: ["x"] },
      ]);
    });
  });
});

describe("summarizeProbes", () => {
  test("counts and the longest window", () => {
    expect(summarizeProbes(run("++--+----++"))).toMatchObject({ probes: 11, succeeded: 5, failed: 6, longestSeconds: 0.5 });
  });

  test("no window: longest is 0", () => {
    expect(summarizeProbes(run("+++"))).toMatchObject({ probes: 3, succeeded: 3, failed: 0, windows: [], longestSeconds: 0 });
  });
});
