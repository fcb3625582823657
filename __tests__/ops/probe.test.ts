/**
 * The drill's prober, for real, against TLS servers on 127.0.0.1 (loopback
 * only) that the tests start and stop.
 */
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import * as tls from "node:tls";
import { outageWindows } from "../../ops/outage-windows";
import { probeEndpoint, probeOnce } from "../../ops/probe";
import { close, listen, mintPki } from "../support/ops-api";

interface Pems {
  readonly key: string;
  readonly cert: string;
}

/** A throwaway certificate valid for 127.0.0.1 (support/ops-api.ts), as a TLS server takes it. */
async function mint(): Promise<Pems> {
  const pki = await mintPki();
  return { key: pki.serverKey, cert: pki.ca };
}

/** A TLS server that counts the handshakes it completed (each probe must be a new one). */
function tlsServer(pems: Pems): tls.Server & { handshakes: number } {
  const server = tls.createServer({ key: pems.key, cert: pems.cert }, (socket) => {
    server.handshakes++;
    socket.on("error", () => undefined);
    socket.end();
  }) as tls.Server & { handshakes: number };
  server.handshakes = 0;
  return server;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let pems: Pems;
let otherPems: Pems;
beforeAll(async () => {
  [pems, otherPems] = await Promise.all([mint(), mint()]);
});

describe("probeEndpoint", () => {
  test("a healthy endpoint: no window, and every probe is a new TCP connection and TLS handshake", async () => {
    const server = tlsServer(pems);
    const port = await listen(server);
    try {
      const run = await probeEndpoint({ host: "127.0.0.1", port, seconds: 1, intervalMs: 100 });
      expect(run.results).toHaveLength(10);
      expect(run.results.every((r) => r.ok)).toBe(true);
      expect(outageWindows(run.results)).toEqual([]);
      expect(run.verified).toBe(false);
      // the server completes its side once the client's Finished arrives: count after every connection closed
      await close(server);
      expect(server.handshakes).toBe(10);
    } finally {
      await close(server);
    }
  });

  test("probes start on the schedule, every interval from the start of the run, on the monotonic clock", async () => {
    const server = tlsServer(pems);
    const port = await listen(server);
    try {
      const run = await probeEndpoint({ host: "127.0.0.1", port, seconds: 1, intervalMs: 50 });
      expect(run.results).toHaveLength(20);
      // Each probe starts at its slot, never before; a busy machine
      // may delay one timer, but the delay does not accumulate: the last probe starts near its slot.
      run.results.forEach((r, i) => expect(r.startedAtMs).toBeGreaterThanOrEqual(i * 50));
      // (The slack is generous: a loaded CI machine may lag a timer; accumulation would show as seconds.)
      expect(run.results[19].startedAtMs).toBeLessThan(19 * 50 + 2000);
    } finally {
      await close(server);
    }
  });

  // The 0.2 s accuracy the issue asks for is proved by scripts/netns-vip-test.sh in CI, with a real
  // VIP move; here the bound leaves room for a loaded machine lagging the test's own timers.
  test("the server stopped for about 1 s: one window as long as the gap, give or take the sampling", async () => {
    // GIVEN a server that stops accepting 0.6 s into the run and comes back on the same port 1 s later
    let server = tlsServer(pems);
    const port = await listen(server);
    let gapMs = 0;
    const outage = (async () => {
      await sleep(600);
      const down = performance.now();
      await close(server);
      await sleep(1000);
      server = tlsServer(pems);
      await listen(server, port);
      gapMs = performance.now() - down;
    })();
    try {
      // WHEN probing for 2.5 s
      const run = await probeEndpoint({ host: "127.0.0.1", port, seconds: 2.5, intervalMs: 100 });
      await outage;
      // THEN one closed window of refused connections (a connection caught in the backlog as the
      // listener closed is reset), as long as the gap plus at most two intervals of sampling
      const windows = outageWindows(run.results);
      expect(windows).toHaveLength(1);
      expect(windows[0]).toMatchObject({ open: false, fromRunStart: false });
      expect(windows[0].errors).toContain("ECONNREFUSED");
      expect(Math.abs(windows[0].durationSeconds - gapMs / 1000)).toBeLessThanOrEqual(1);
    } finally {
      await outage;
      await close(server);
    }
  });

  test("a closed port: every probe refused, one open window from the start of the run", async () => {
    const placeholder = net.createServer();
    const port = await listen(placeholder);
    await close(placeholder);
    const run = await probeEndpoint({ host: "127.0.0.1", port, seconds: 0.3, intervalMs: 100 });
    expect(run.results.map((r) => r.error)).toEqual(["ECONNREFUSED", "ECONNREFUSED", "ECONNREFUSED"]);
    expect(outageWindows(run.results)).toMatchObject([{ open: true, fromRunStart: true, failedProbes: 3 }]);
  });

  test("a server that accepts TCP but never answers the handshake: the deadline fires, and stalled probes do not delay the next", async () => {
    // GIVEN a TCP server that holds every connection silently
    const held = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      held.add(socket);
      socket.on("error", () => undefined);
    });
    const port = await listen(silent);
    try {
      // WHEN probing every 50 ms with a 300 ms deadline for 0.5 s
      const run = await probeEndpoint({ host: "127.0.0.1", port, seconds: 0.5, intervalMs: 50, deadlineMs: 300 });
      // THEN each probe failed at its deadline (not before; not much after)
      expect(run.results).toHaveLength(10);
      for (const r of run.results) {
        expect(r).toMatchObject({ ok: false, error: "no TLS handshake within 300 ms" });
        expect(r.endedAtMs - r.startedAtMs).toBeGreaterThanOrEqual(299);
        expect(r.endedAtMs - r.startedAtMs).toBeLessThan(300 + 2000);
      }
      // AND the probes ran concurrently: the tenth started near 450 ms, not after nine deadlines (2.7 s);
      // the 2 s of slack for a loaded machine still tells the two apart
      expect(run.results[9].startedAtMs).toBeLessThan(9 * 50 + 2000);
      expect(held.size).toBe(10);
    } finally {
      for (const socket of held) socket.destroy();
      await close(silent);
    }
  });
});

describe("probeOnce", () => {
  test("verifies the certificate against the CA when given one", async () => {
    const server = tlsServer(pems);
    const port = await listen(server);
    try {
      const good = await probeOnce("127.0.0.1", port, { deadlineMs: 1000, verified: true, ca: pems.cert });
      const wrongCa = await probeOnce("127.0.0.1", port, { deadlineMs: 1000, verified: true, ca: otherPems.cert });
      const notChecked = await probeOnce("127.0.0.1", port, { deadlineMs: 1000, verified: false });
      expect(good).toMatchObject({ ok: true });
      expect(wrongCa).toMatchObject({ ok: false });
      expect(wrongCa.error).toMatch(/CERT|SIGNATURE|ISSUER/);
      expect(notChecked).toMatchObject({ ok: true });
    } finally {
      await close(server);
    }
  });

  test("a plain TCP server that closes at once fails the probe, it never counts as up", async () => {
    const server = net.createServer((socket) => socket.destroy());
    const port = await listen(server);
    try {
      const result = await probeOnce("127.0.0.1", port, { deadlineMs: 1000, verified: false });
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/ECONNRESET|closed before the TLS handshake/);
    } finally {
      await close(server);
    }
  });
});
