/**
 * A prober of the VIP over the simulated cluster's time, shaped as the real
 * one's results (ops/probe.ts): one probe every `intervalMs`, each answering
 * as the API did when it started, a refused one failing with ECONNREFUSED.
 */
import type { ProbeResult } from "../../ops/outage-windows";
import type { ProbeSession } from "../../ops/probe";
import type { SimulatedCluster } from "./simulated-cluster";

export function simulatedProbe(sim: SimulatedCluster, intervalMs = 100): ProbeSession {
  const origin = sim.now();
  const collect = (): ProbeResult[] => {
    const results: ProbeResult[] = [];
    for (let at = origin; at <= sim.now(); at += intervalMs) {
      const ok = sim.apiUpAt(at);
      results.push({ startedAtMs: at - origin, endedAtMs: at - origin + (ok ? 5 : 1000), ...(ok ? { ok } : { ok, error: "ECONNREFUSED" }) });
    }
    return results;
  };
  return { elapsedMs: () => sim.now() - origin, results: collect, stop: async () => collect() };
}
