/**
 * The drill's runner (ops/drill.ts) against the simulated cluster: the VIP
 * moves after the delays Talos's code gives (set per test), VMs are powered
 * off and on through the simulated Proxmox API, and the prober sees what the
 * API answered every 100 ms of simulated time. Nothing touches a network.
 */
import { DrillProps, DrillResult, runDrill } from "../../ops/drill";
import { SimulatedCluster, SimulatedClusterProps } from "../support/simulated-cluster";
import { drillReport } from "../../ops/drill-report";
import { measuredVipOf, renderTrialRow } from "../../ops/drill-plan";
import { FAST_VIP, clusterFacts } from "../support/cluster-fixture";

function cluster(props: Partial<SimulatedClusterProps> = {}): SimulatedCluster {
  return new SimulatedCluster({ rebootMs: 60_000, rejoinMs: 20_000, gracefulVipMoveMs: 400, crashVipMoveMs: 50_000, leaderElectionMs: 13_000, ...props });
}

/** Runs the drill on `sim`; verify runs are noted in sim.actions so their order can be checked. */
function drill(sim: SimulatedCluster, props: Partial<DrillProps> = {}): Promise<DrillResult> {
  return runDrill({
    facts: sim.facts,
    talos: sim.talos,
    kube: sim.kube,
    proxmox: sim.proxmox,
    verify: async () => {
      const checks = await sim.verify();
      sim.actions.push(`verify ${checks.every((c) => c.ok) ? "passes" : "fails"}`);
      return checks;
    },
    mode: "graceful",
    startProbe: () => sim.startProbe(),
    confirm: async () => true,
    clock: sim.clock,
    ...props,
  });
}

const faults = (sim: SimulatedCluster) => sim.actions.filter((a) => !a.startsWith("verify"));

describe("drill --mode graceful", () => {
  test("three trials: each reboots the VIP holder of the moment, measures the window, and waits for verify before the next", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1", etcdLeader: "k8s-controller2" });
    const result = await drill(sim, { trials: 3 });
    expect(result.outcome).toBe("completed");
    // The simulation hands the VIP to the first healthy control plane.
    expect(faults(sim)).toEqual(["reboot k8s-controller1", "reboot k8s-controller2", "reboot k8s-controller1"]);
    // verify passes once before the first fault, and again after every trial before the next.
    const order = sim.actions.join(" | ");
    expect(order).toMatch(/^verify passes \| reboot k8s-controller1 \| (verify fails \| )*verify passes \| reboot k8s-controller2 \| (verify fails \| )*verify passes \| reboot k8s-controller1 \| (verify fails \| )*verify passes$/);
    expect(result.trials.map((t) => [t.oldHolder, t.newHolder, t.verdict])).toEqual([
      ["k8s-controller1", "k8s-controller2", "as expected"],
      ["k8s-controller2", "k8s-controller1", "as expected"],
      ["k8s-controller1", "k8s-controller2", "as expected"],
    ]);
    for (const t of result.trials) {
      expect(t.outageMs).toBeGreaterThanOrEqual(400);
      expect(t.outageMs).toBeLessThanOrEqual(600);
      expect(t.expected.label).toBe("under 1 s");
      // Back with every member: the reboot (60 s) and the rejoin (20 s), seen at the next 1 s look.
      expect(t.etcdAllMembersMs).toBeGreaterThanOrEqual(80_000);
      expect(t.etcdAllMembersMs).toBeLessThanOrEqual(82_000);
    }
    expect(result.trials[0]).toMatchObject({ etcdLeaderBefore: "k8s-controller2", targetLedEtcd: false });
    expect(result.summary?.asExpected).toBe(true);
  });

  test("a window over a second is reported as slower than expected", async () => {
    const sim = cluster({ gracefulVipMoveMs: 2_500 });
    const result = await drill(sim);
    expect(result.trials[0]).toMatchObject({ verdict: "slower than expected" });
    expect(result.trials[0].outageMs).toBeGreaterThanOrEqual(2_500);
    expect(result.summary?.asExpected).toBe(false);
  });

  test("--node names a control plane that does not hold the VIP: no outage, and the VIP stays", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1" });
    const result = await drill(sim, { node: "k8s-controller3" });
    expect(faults(sim)).toEqual(["reboot k8s-controller3"]);
    expect(result.trials[0]).toMatchObject({ target: "k8s-controller3", oldHolder: "k8s-controller1", newHolder: "k8s-controller1", outageMs: 0, verdict: "as expected" });
  });
});

describe("drill --mode crash", () => {
  test("the holder that also led etcd: power off, 63 s window, the VM started only after the VIP moved, etcd timed back", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1", etcdLeader: "k8s-controller1" });
    const callsAtStart: number[] = [];
    const result = await drill(sim, { mode: "crash", log: (line) => line.includes("starting VM") && callsAtStart.push(sim.calls.length) });
    expect(result.outcome).toBe("completed");
    expect(faults(sim)).toEqual(["stop-vm k8s-controller1", "start-vm k8s-controller1"]);
    const [trial] = result.trials;
    expect(trial).toMatchObject({ oldHolder: "k8s-controller1", targetLedEtcd: true, newHolder: "k8s-controller2", verdict: "as expected", expected: { label: "62-64 s (holder led etcd)" } });
    expect(trial.outageMs).toBeGreaterThanOrEqual(63_000);
    expect(trial.outageMs).toBeLessThanOrEqual(63_200);
    // The new holder was seen (an addresses call answered by k8s-controller2 with the VIP) before the VM was started.
    expect(callsAtStart).toHaveLength(1);
    const before = sim.calls.slice(0, callsAtStart[0]);
    expect(before.filter((c) => c === "addresses k8s-controller2").length).toBeGreaterThan(0);
    expect(trial.etcdAllMembersMs).toBeGreaterThan(trial.outageMs);
    expect(trial.vmOffMs).toBe(0);
  });

  test("a holder that did not lead etcd: 40-60 s expected, 50 s measured", async () => {
    const sim = cluster({ vipHolder: "k8s-controller2", etcdLeader: "k8s-controller3" });
    const result = await drill(sim, { mode: "crash" });
    expect(result.trials[0]).toMatchObject({ oldHolder: "k8s-controller2", targetLedEtcd: false, verdict: "as expected", expected: { label: "40-60 s" } });
    expect(Math.round(result.trials[0].outageMs / 100) * 100).toBe(50_000);
  });

  test("an HA-managed VM is reported as stopped by the HA manager", async () => {
    const sim = cluster({ haManaged: ["k8s-controller1", "k8s-controller2", "k8s-controller3"] });
    const result = await drill(sim, { mode: "crash" });
    expect(result.trials[0].haManaged).toBe(true);
  });

  test("Proxmox tasks that end WARNINGS: N succeed (pve-common status_is_error): the trial completes and the log says how many and where to read them", async () => {
    const sim = cluster({ faults: [{ kind: "proxmox-task-warnings" }] });
    const lines: string[] = [];
    const result = await drill(sim, { mode: "crash", log: (line) => lines.push(line) });
    expect(result.outcome).toBe("completed");
    expect(faults(sim)).toEqual(["stop-vm k8s-controller1", "start-vm k8s-controller1"]);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}k8s-controller1: VM 211 off after .*; its stop task ended with 2 warning\(s\), which is a success \(read them with `pvenode task log UPID:pve1:.*:qmstop:211:drill@pve!ops:` on pve1\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}k8s-controller1: VM 211 started; its start task ended with 2 warning\(s\)/));
  });

  test("fails without the Proxmox API, and when the token may not power VMs, touching nothing", async () => {
    const noApi = cluster();
    const refused = await drill(noApi, { mode: "crash", proxmox: undefined });
    expect(refused).toMatchObject({ outcome: "refused", problems: [expect.stringMatching(/crash mode needs the Proxmox API \(PROXMOX_VE_ENDPOINT, PROXMOX_VE_API_TOKEN\)/)] });
    const noPower = cluster({ faults: [{ kind: "no-power-privilege" }] });
    const result = await drill(noPower, { mode: "crash" });
    expect(result.outcome).toBe("refused");
    expect(result.problems).toEqual([211, 212, 213].map((vmId, i) => expect.stringMatching(new RegExp(`^VM ${vmId} \\(k8s-controller${i + 1}\\).*lacks VM\\.PowerMgmt`))));
    expect(faults(noApi)).toEqual([]);
    expect(faults(noPower)).toEqual([]);
  });

  test("the VM is started again when the VIP never comes back, and the drill stops at the verify gate", async () => {
    const sim = cluster({ faults: [{ kind: "vip-stuck" }] });
    const result = await drill(sim, { mode: "crash", trials: 2, timings: { verifyTimeoutMs: 60_000 } });
    expect(faults(sim)).toEqual(["stop-vm k8s-controller1", "start-vm k8s-controller1"]);
    expect(result.outcome).toBe("stopped");
    expect(result.why).toMatch(/^trial 1: verify did not pass within 1 min after the trial: Kubernetes API answers through the VIP: .*no VIP holder/);
    expect(result.trials).toHaveLength(1);
    expect(result.trials[0]).toMatchObject({ verdict: "API did not come back", apiStillDown: true });
    expect(result.trials[0].outageMs).toBeGreaterThanOrEqual(300_000);
  });

  test("the VM is started again when the runner fails after powering it off", async () => {
    // status/current of k8s-controller1 answers the pre-check, then fails: the VM is never seen stopped.
    const sim = cluster({ faults: [{ kind: "call-fails", method: "vmStatus", node: "k8s-controller1", after: 2 }] });
    const result = await drill(sim, { mode: "crash", timings: { vmOffTimeoutMs: 30_000 } });
    expect(faults(sim)).toEqual(["stop-vm k8s-controller1", "start-vm k8s-controller1"]);
    expect(result).toMatchObject({ outcome: "stopped", why: expect.stringMatching(/VM 211 \(k8s-controller1\) was not stopped 30 s after status\/stop: vmStatus k8s-controller1: injected failure/) });
  });

  test("an interrupt during the window starts the VM again and ends the drill as interrupted", async () => {
    const sim = cluster();
    const abort = new AbortController();
    const clock = { now: () => sim.clock.now(), sleep: async (ms: number) => {
        await sim.clock.sleep(ms);
        if (sim.clock.now() > 10_000) abort.abort();
      },
    };
    const result = await drill(sim, { mode: "crash", clock, signal: abort.signal });
    expect(result.outcome).toBe("interrupted");
    expect(faults(sim)).toEqual(["stop-vm k8s-controller1", "start-vm k8s-controller1"]);
  });
});

describe("before anything is touched", () => {
  test("fails when verify fails or etcd cannot lose a member, with every reason", async () => {
    const sim = cluster({ faults: [{ kind: "etcd-unhealthy", node: "k8s-controller3" }] });
    const result = await drill(sim);
    expect(result.outcome).toBe("refused");
    expect(result.problems).toEqual([
      "verify failed: every etcd member healthy: unhealthy: k8s-controller3",
      "etcd has 2 of 3 members healthy and needs 2: it tolerates no further failure now",
    ]);
    expect(faults(sim)).toEqual([]);
  });

  test("declining the confirmation touches nothing; the prompt names the action", async () => {
    const sim = cluster();
    const prompts: string[] = [];
    const result = await drill(sim, { mode: "crash", trials: 2, confirm: async (p) => (prompts.push(p), false) });
    expect(result.outcome).toBe("declined");
    expect(prompts).toEqual([expect.stringMatching(/power off the VIP holder's VM .* of cluster homelab, 2 time\(s\)/)]);
    expect(faults(sim)).toEqual([]);
  });

  test("fails for --trials 0 and an unknown --node", async () => {
    const result = await drill(cluster(), { trials: 0, node: "nope" });
    expect(result.problems).toEqual([expect.stringMatching(/^--trials 0/), expect.stringMatching(/^--node nope: no such node/)]);
  });
});

describe("with the fast API failover (issue 21): the drill measures the fast VIP the kubeconfig names", () => {
  // Talos's VIP and etcd's leadership on k8s-controller1, keepalived's fast VIP on k8s-controller2.
  const fastCluster = (props: Partial<SimulatedClusterProps> = {}) =>
    cluster({ facts: clusterFacts({ fastVip: FAST_VIP }), vipHolder: "k8s-controller1", etcdLeader: "k8s-controller1", fastVipHolders: ["k8s-controller2"], gracefulFastVipMoveMs: 300, crashFastVipMoveMs: 1_600, ...props });

  test("graceful: reboots the fast VIP's holder, not Talos's, and says which VIP it measures", async () => {
    const sim = fastCluster();
    const lines: string[] = [];
    const prompts: string[] = [];
    const result = await drill(sim, { log: (line) => lines.push(line), confirm: async (p) => (prompts.push(p), true) });
    expect(result.outcome).toBe("completed");
    expect(faults(sim)).toEqual(["reboot k8s-controller2"]);
    expect(result.measured).toEqual({
      kind: "fast",
      address: "127.0.0.101",
      server: "https://127.0.0.101:6443",
      text: "the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback",
    });
    expect(prompts).toEqual([
      "This will reboot the fast VIP's holder (talosctl reboot) of cluster homelab, 1 time(s), one trial at a time, measuring the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback. Continue? [y/N]",
    ]);
    expect(lines).toContain("Measuring the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback: probing https://127.0.0.101:6443.");
    expect(lines).toContain("trial 1: the fast VIP 127.0.0.101 is on k8s-controller2; etcd leader k8s-controller1; taking k8s-controller2 down (talosctl reboot)");
    const [trial] = result.trials;
    expect(trial).toMatchObject({ oldHolder: "k8s-controller2", newHolder: "k8s-controller1", vip: "fast", expected: { label: "under 1 s" }, verdict: "as expected" });
    expect(trial.outageMs).toBeGreaterThanOrEqual(300);
    expect(trial.outageMs).toBeLessThanOrEqual(500);
    // Talos's VIP stayed where it was.
    expect(sim.vipHolder).toBe("k8s-controller1");
    const report = drillReport("homelab", result);
    expect(report.columns[2]).toBe("Fast VIP before -> after");
    expect(report.rows[0][2]).toBe("k8s-controller2 -> k8s-controller1");
    expect(report.summary.split("\n")[0]).toBe("Measured: the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback (probing https://127.0.0.101:6443).");
  });

  test("crash: powers the fast VIP's holder off and compares with keepalived's up to 3 s, not Talos's 40-60 s", async () => {
    const sim = fastCluster();
    const result = await drill(sim, { mode: "crash" });
    expect(faults(sim)).toEqual(["stop-vm k8s-controller2", "start-vm k8s-controller2"]);
    const [trial] = result.trials;
    expect(trial).toMatchObject({ oldHolder: "k8s-controller2", newHolder: "k8s-controller1", expected: { label: "up to 3 s (keepalived)" }, verdict: "as expected" });
    expect(Math.round(trial.outageMs / 100) * 100).toBe(1_600);
    expect(renderTrialRow(trial)).toMatch(/^trial 1: k8s-controller2 taken down; fast VIP k8s-controller2 -> k8s-controller1, /);
  });

  test("a crash window over 3 s is slower than expected", async () => {
    const result = await drill(fastCluster({ crashFastVipMoveMs: 5_000 }), { mode: "crash" });
    expect(result.trials[0]).toMatchObject({ verdict: "slower than expected", expected: { maxMs: 3_000 } });
  });

  test("two holders before the fault (split brain): stops, touching nothing", async () => {
    const sim = fastCluster({ fastVipHolders: ["k8s-controller2", "k8s-controller3"] });
    const result = await drill(sim);
    expect(result.outcome).toBe("stopped");
    expect(result.why).toBe("trial 1: before the fault, k8s-controller2 and k8s-controller3 hold the fast VIP 127.0.0.101");
    expect(faults(sim)).toEqual([]);
  });

  test("a kubeconfig naming Talos's VIP (the talos-vip context) measures Talos's VIP and follows its holder", async () => {
    const sim = fastCluster();
    const measured = measuredVipOf(sim.facts, "https://127.0.0.100:6443");
    expect(measured).toMatchObject({ kind: "talos", address: "127.0.0.100" });
    const prompts: string[] = [];
    await drill(sim, { measured, confirm: async (p) => (prompts.push(p), false) });
    expect(prompts[0]).toMatch(/^This will reboot the VIP holder \(talosctl reboot\) .*, measuring Talos's VIP 127\.0\.0\.100, which this kubeconfig names; clients of the stack's kubeconfig use the fast VIP 127\.0\.0\.101 \(keepalived\)\. Continue/);
  });

  test("without a fast VIP, the drill measures Talos's VIP as before", async () => {
    const sim = cluster();
    const result = await drill(sim);
    expect(result.measured).toMatchObject({ kind: "talos", address: "127.0.0.100", text: "Talos's VIP 127.0.0.100" });
    expect(result.trials[0].vip).toBeUndefined();
    expect(drillReport("homelab", result).columns[2]).toBe("VIP before -> after");
  });
});
