import { CheckResult } from "../../ops/contracts";
import { clusterFacts } from "../support/cluster-fixture";
import { Fault, SimulatedCluster, SimulatedClusterProps } from "../support/simulated-cluster";
import { UpgradeTarget, runUpgrade } from "../../ops/upgrade";

const TARGET = "v1.13.10";

function cluster(props: Partial<SimulatedClusterProps> & { workers?: number; faults?: Fault[] } = {}): SimulatedCluster {
  return new SimulatedCluster({ facts: clusterFacts({ workers: props.workers }), ...props });
}

async function upgrade(sim: SimulatedCluster, target: UpgradeTarget = { kind: "talos", version: TARGET }, extra: { dryRun?: boolean; verify?: () => Promise<CheckResult[]>; nodeTimeoutMs?: number; onLog?: (line: string) => void } = {}) {
  const lines: string[] = [];
  const result = await runUpgrade({
    facts: sim.facts,
    talos: sim.talos,
    kube: sim.kube,
    verify: extra.verify ?? (() => sim.verify()),
    target,
    dryRun: extra.dryRun,
    nodeTimeoutMs: extra.nodeTimeoutMs,
    clock: sim.clock,
    log: (line) => {
      lines.push(line);
      extra.onLog?.(line);
    },
  });
  return { result, output: lines.join("\n") };
}

const upgraded = (sim: SimulatedCluster) => sim.actions.filter((a) => a.startsWith("upgrade ")).map((a) => a.split(" ")[1]);

describe("Talos upgrade", () => {
  test("one node at a time: control planes, VIP holder last among them, then workers", async () => {
    // GIVEN k8s-controller2 holds the VIP, k8s-controller1 leads etcd
    const sim = cluster({ vipHolder: "k8s-controller2", etcdLeader: "k8s-controller1", workers: 2 });
    // WHEN
    const { result, output } = await upgrade(sim);
    // THEN
    expect(result.outcome).toBe("upgraded");
    expect(upgraded(sim)).toEqual(["k8s-controller1", "k8s-controller3", "k8s-controller2", "k8s-worker1", "k8s-worker2"]);
    expect(result.done).toEqual(["k8s-controller1", "k8s-controller3", "k8s-controller2", "k8s-worker1", "k8s-worker2"]);
    expect(Object.values(sim.versions())).toEqual(Array(5).fill(TARGET));
    expect(sim.actions.filter((a) => a.startsWith("upgrade ")).every((a) => a.endsWith(`${sim.facts.installerImageBase}:${TARGET}`))).toBe(true);
    expect(output).toMatch(/Now set talosVersion: v1\.13\.10 in your HOMELAB_CONFIG and deploy/);
    expect(result.configChange).toMatch(/^set talosVersion: v1\.13\.10 in your HOMELAB_CONFIG/);
  });

  test("the VIP moves once: only when its holder reboots", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1" });
    const holders: (string | undefined)[] = [];
    const original = sim.talos.upgrade.bind(sim.talos);
    sim.talos.upgrade = async (ip, image, timeoutMs) => {
      holders.push(sim.vipHolder);
      await original(ip, image, timeoutMs);
    };
    await upgrade(sim);
    expect(holders).toEqual(["k8s-controller1", "k8s-controller1", "k8s-controller1", "k8s-controller2"]);
  });

  test("each node is back (new boot, new version, Ready, etcd whole) before the next is touched", async () => {
    const sim = cluster({ workers: 0 });
    const seenBeforeEachUpgrade: string[] = [];
    const original = sim.talos.upgrade.bind(sim.talos);
    sim.talos.upgrade = async (ip, image, timeoutMs) => {
      const healthy = ["k8s-controller1", "k8s-controller2", "k8s-controller3"].every((n) => sim.etcdHealthy(n) && sim.kubeReady(n));
      seenBeforeEachUpgrade.push(`${healthy}`);
      await original(ip, image, timeoutMs);
    };
    await upgrade(sim);
    expect(seenBeforeEachUpgrade).toEqual(["true", "true", "true"]);
    expect(["k8s-controller1", "k8s-controller2", "k8s-controller3"].map((n) => sim.bootCount(n))).toEqual([2, 2, 2]);
  });

  test("etcd leadership is forfeited only by the node that leads, just before its upgrade", async () => {
    // GIVEN k8s-controller3 leads etcd, k8s-controller1 holds the VIP
    const sim = cluster({ vipHolder: "k8s-controller1", etcdLeader: "k8s-controller3", workers: 0 });
    const ledWhenForfeiting: boolean[] = [];
    const ledWhenUpgraded: boolean[] = [];
    const byIp = (ip: string) => sim.facts.nodes.find((n) => n.ip === ip)!.name;
    const forfeit = sim.talos.forfeitEtcdLeadership.bind(sim.talos);
    const upgradeNode = sim.talos.upgrade.bind(sim.talos);
    sim.talos.forfeitEtcdLeadership = async (ip) => {
      ledWhenForfeiting.push(sim.etcdLeader === byIp(ip));
      await forfeit(ip);
    };
    sim.talos.upgrade = async (ip, image, timeoutMs) => {
      ledWhenUpgraded.push(sim.etcdLeader === byIp(ip));
      await upgradeNode(ip, image, timeoutMs);
    };
    // WHEN
    await upgrade(sim);
    // THEN k8s-controller2 (not leading) just upgrades; k8s-controller3 forfeits first; no node reboots while it leads
    const steps = sim.actions.map((a) => a.split(" ").slice(0, 2).join(" "));
    expect(steps.slice(0, 3)).toEqual(["upgrade k8s-controller2", "forfeitEtcdLeadership k8s-controller3", "upgrade k8s-controller3"]);
    // every forfeit came from the leader of the moment (and there was at least one)
    expect(ledWhenForfeiting).not.toHaveLength(0);
    expect(ledWhenForfeiting).not.toContain(false);
    expect(ledWhenUpgraded).toEqual([false, false, false]);
  });

  test("a re-run skips nodes already on the target", async () => {
    const sim = cluster({ talosVersions: { "k8s-controller1": "v1.13.9", "k8s-controller2": TARGET, "k8s-controller3": TARGET, "k8s-worker1": "v1.13.9" } });
    const { result, output } = await upgrade(sim);
    expect(upgraded(sim)).toEqual(["k8s-controller1", "k8s-worker1"]);
    expect(result.skipped).toEqual(["k8s-controller2", "k8s-controller3"]);
    expect(output).toMatch(/k8s-controller2 .*already on v1\.13\.10: skipped/);
  });

  test("nothing to do when every node runs the target", async () => {
    const sim = cluster({ talosVersions: { "k8s-controller1": TARGET, "k8s-controller2": TARGET, "k8s-controller3": TARGET, "k8s-worker1": TARGET } });
    const { result } = await upgrade(sim);
    expect(result.outcome).toBe("upgraded");
    expect(sim.actions).toEqual([]);
  });

  test("--dry-run prints the plan after the pre-checks and touches nothing", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1" });
    const { result, output } = await upgrade(sim, { kind: "talos", version: TARGET }, { dryRun: true });
    expect(result.outcome).toBe("planned");
    expect(sim.actions).toEqual([]);
    expect(output).toMatch(/1\. k8s-controller2[\s\S]*2\. k8s-controller3[\s\S]*3\. k8s-controller1 .*VIP holder[\s\S]*4\. k8s-worker1/);
    expect(output).toContain(`image: ${sim.facts.installerImageBase}:${TARGET}`);
  });
});

describe("Talos upgrade: stops at the first failure", () => {
  test("fails when the upgrade of k8s-controller2 fails: stops there, nothing after it touched, says how to resume", async () => {
    // GIVEN
    const sim = cluster({ vipHolder: "k8s-controller1", faults: [{ kind: "upgrade-fails", node: "k8s-controller2" }] });
    // WHEN
    const { result, output } = await upgrade(sim);
    // THEN k8s-controller2 is the first in order; nothing else was touched
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller2", done: [], resume: "npm run upgrade -- --talos v1.13.10" });
    expect(result.why).toMatch(/upgrade failed: .*error pulling/);
    expect(upgraded(sim)).toEqual(["k8s-controller2"]);
    expect(sim.versions()).toEqual({ "k8s-controller1": "v1.13.9", "k8s-controller2": "v1.13.9", "k8s-controller3": "v1.13.9", "k8s-worker1": "v1.13.9" });
    expect(output).toMatch(/Stopped at k8s-controller2/);
    expect(output).toMatch(/not touched: k8s-controller3, k8s-controller1, k8s-worker1/);
    expect(output).toMatch(/resume with: npm run upgrade -- --talos v1\.13\.10/);
    expect(result.configChange).toBeUndefined();
  });

  test("fails when k8s-controller3 never comes back: bounded wait, where the cluster stands, then a resume after repair skips the done nodes", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1", faults: [{ kind: "never-returns", node: "k8s-controller3" }] });
    const { result, output } = await upgrade(sim);
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller3", done: ["k8s-controller2"] });
    expect(result.why).toMatch(/not back within 15 min; last seen: .*connection refused/);
    expect(upgraded(sim)).toEqual(["k8s-controller2", "k8s-controller3"]);
    expect(result.clusterState).toEqual([
      { name: "k8s-controller1", talosVersion: "v1.13.9", ready: true },
      { name: "k8s-controller2", talosVersion: TARGET, ready: true },
      // drained by talosctl before its reboot, never uncordoned
      { name: "k8s-controller3", talosVersion: "unreachable", ready: false, cordoned: true },
      { name: "k8s-worker1", talosVersion: "v1.13.9", ready: true },
    ]);
    expect(output).toMatch(/the cluster now: k8s-controller1 v1\.13\.9 Ready; k8s-controller2 v1\.13\.10 Ready; k8s-controller3 unreachable NotReady cordoned \(kubectl uncordon k8s-controller3\); k8s-worker1 v1\.13\.9 Ready/);

    // WHEN the node is repaired (it boots the new version) and the command re-run
    sim.heal("k8s-controller3");
    await sim.clock.sleep(200_000);
    sim.actions.length = 0;
    const rerun = await upgrade(sim);
    expect(rerun.result.problems).toEqual([]);
    expect(rerun.result.outcome).toBe("upgraded");
    expect(rerun.result.skipped).toEqual(["k8s-controller2", "k8s-controller3"]);
    expect(upgraded(sim)).toEqual(["k8s-controller1", "k8s-worker1"]);
  });

  test("fails when a node comes back on its old version (rolled back)", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1", faults: [{ kind: "boots-old-version", node: "k8s-controller2" }] });
    const { result } = await upgrade(sim, undefined, { nodeTimeoutMs: 5 * 60_000 });
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller2" });
    expect(result.why).toMatch(/not back within 5 min; last seen: rebooted but runs v1\.13\.9, not v1\.13\.10/);
    expect(upgraded(sim)).toEqual(["k8s-controller2"]);
  });

  test("fails when etcd does not recover after a node: the next control plane is not touched", async () => {
    // k8s-controller2's member turns unhealthy after k8s-controller2's upgrade
    const sim = cluster({ vipHolder: "k8s-controller1" });
    const original = sim.talos.upgrade.bind(sim.talos);
    sim.talos.upgrade = async (ip, image, timeoutMs) => {
      await original(ip, image, timeoutMs);
      if (ip === "127.0.0.12") sim.inject({ kind: "etcd-unhealthy", node: "k8s-controller2" });
    };
    const { result } = await upgrade(sim);
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller2" });
    expect(result.why).toMatch(/on v1\.13\.10 and Ready, but etcd not healthy on k8s-controller2/);
    expect(upgraded(sim)).toEqual(["k8s-controller2"]);
  });

  test("fails at any step: an injected etcd status failure stops before the node is upgraded", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1", faults: [{ kind: "call-fails", method: "etcdStatus", node: "k8s-controller3" }] });
    const { result } = await upgrade(sim);
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller3", done: ["k8s-controller2"] });
    expect(result.why).toMatch(/before its upgrade: etcdStatus k8s-controller3: injected failure; k8s-controller3 was not upgraded/);
    expect(upgraded(sim)).toEqual(["k8s-controller2"]);
  });

  test("transient errors while a node reboots are waited out", async () => {
    const sim = cluster({ faults: [{ kind: "call-fails", method: "nodes", after: 2, times: 3 }] });
    const { result } = await upgrade(sim);
    expect(result.outcome).toBe("upgraded");
    // calls 2 to 4 failed and a later one answered: the failures happened and were waited out
    expect(sim.calls.filter((call) => call === "nodes").length).toBeGreaterThan(4);
  });

  test("fails when an etcd member goes unhealthy between nodes: the gate refuses the next control plane", async () => {
    // Talos 1.13's upgrade does not check quorum before rebooting: the orchestration must
    const sim = cluster({ vipHolder: "k8s-controller1", workers: 0 });
    const onLog = (line: string) => {
      if (line.startsWith("k8s-controller2: back on")) sim.inject({ kind: "etcd-unhealthy", node: "k8s-controller1" });
    };
    const { result } = await upgrade(sim, undefined, { onLog });
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller3", done: ["k8s-controller2"] });
    expect(result.why).toMatch(/etcd does not have every member healthy \(etcd not healthy on k8s-controller1\); k8s-controller3 was not touched/);
    expect(upgraded(sim)).toEqual(["k8s-controller2"]);
  });
});

describe("Talos upgrade: a node left cordoned (issue 20, defect 1)", () => {
  test("talosctl gets the node timeout, and each node is uncordoned again once it is back", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1" });
    const timeouts: number[] = [];
    const original = sim.talos.upgrade.bind(sim.talos);
    sim.talos.upgrade = async (ip, image, timeoutMs) => {
      timeouts.push(timeoutMs);
      await original(ip, image, timeoutMs);
    };
    const { result } = await upgrade(sim, undefined, { nodeTimeoutMs: 20 * 60_000 });
    expect(result.outcome).toBe("upgraded");
    expect(new Set(timeouts)).toEqual(new Set([20 * 60_000]));
    expect(sim.nodes().filter((n) => n.cordoned)).toEqual([]);
  });

  test("fails when a node is back but left cordoned: stops there, naming kubectl uncordon", async () => {
    // GIVEN talosctl's uncordon of k8s-controller2 does not happen (killed, or it failed)
    const sim = cluster({ vipHolder: "k8s-controller1", faults: [{ kind: "left-cordoned", node: "k8s-controller2" }] });
    // WHEN
    const { result, output } = await upgrade(sim);
    // THEN it stops at k8s-controller2 and touches nothing after it
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller2" });
    expect(result.why).toMatch(/back on v1\.13\.10 and Ready, but left cordoned \(spec\.unschedulable\): run `kubectl uncordon k8s-controller2`/);
    expect(upgraded(sim)).toEqual(["k8s-controller2"]);
    expect(result.clusterState?.find((n) => n.name === "k8s-controller2")).toMatchObject({ cordoned: true });
    expect(output).toMatch(/k8s-controller2 v1\.13\.10 Ready cordoned \(kubectl uncordon k8s-controller2\)/);
  });
});

describe("Talos upgrade: refusals (nothing touched)", () => {
  test("fails without an installer image base (no state): refused before anything is touched (issue 20, defect 3)", async () => {
    const sim = new SimulatedCluster({ facts: { ...clusterFacts({}), installerImageBase: "" } });
    const { result } = await upgrade(sim);
    expect(result.outcome).toBe("refused");
    expect(result.problems.join("\n")).toMatch(/no installer image: the Terraform state's installer_image_base is unknown .*--installer-image-base/);
    expect(sim.actions).toEqual([]);
  });

  test("fails when a pre-check fails", async () => {
    const sim = cluster();
    const verify = async (): Promise<CheckResult[]> => [
      ...(await sim.verify()),
      { id: "endpoints", title: "talosconfig endpoints are node IPs", ok: false, seen: "endpoint 127.0.0.100 is the VIP" },
    ];
    const { result, output } = await upgrade(sim, undefined, { verify });
    expect(result.outcome).toBe("refused");
    expect(result.problems).toEqual(["pre-check failed: talosconfig endpoints are node IPs: endpoint 127.0.0.100 is the VIP"]);
    expect(output).toMatch(/Refused, nothing was changed/);
    expect(sim.actions).toEqual([]);
  });

  test("verify's version-agreement checks do not block an upgrade (a re-run finds two versions)", async () => {
    const sim = cluster({ talosVersions: { "k8s-controller1": "v1.13.9", "k8s-controller2": TARGET, "k8s-controller3": "v1.13.9", "k8s-worker1": "v1.13.9" } });
    const verify = async (): Promise<CheckResult[]> => [
      ...(await sim.verify()),
      { id: "talos-version", title: "Talos runs v1.13.9", ok: false, seen: "v1.13.9: k8s-controller1, k8s-controller3, k8s-worker1; v1.13.10: k8s-controller2" },
    ];
    const { result, output } = await upgrade(sim, undefined, { verify });
    expect(result.outcome).toBe("upgraded");
    expect(output).toMatch(/note \(not a pre-check of an upgrade\): Talos runs v1\.13\.9/);
  });

  test("fails when an etcd member is unhealthy before the start", async () => {
    const sim = cluster({ faults: [{ kind: "etcd-unhealthy", node: "k8s-controller3" }] });
    const { result } = await upgrade(sim);
    expect(result.outcome).toBe("refused");
    expect(result.problems).toEqual([expect.stringMatching(/every etcd member healthy: unhealthy: k8s-controller3/)]);
    expect(sim.actions).toEqual([]);
  });

  test("fails when etcd is unhealthy even though verify passed (the gate does not trust verify alone)", async () => {
    const sim = cluster({ vipHolder: "k8s-controller1", faults: [{ kind: "etcd-unhealthy", node: "k8s-controller3" }] });
    const { result } = await upgrade(sim, undefined, { verify: async () => [] });
    expect(result).toMatchObject({ outcome: "stopped", failedAt: "k8s-controller2", done: [] });
    expect(result.why).toMatch(/etcd does not have every member healthy \(etcd not healthy on k8s-controller3\); k8s-controller2 was not touched/);
    expect(sim.actions).toEqual([]);
  });

  test("fails when the API is down", async () => {
    const sim = cluster({ faults: [{ kind: "api-down" }] });
    const { result } = await upgrade(sim);
    expect(result.outcome).toBe("refused");
    expect(result.problems.join("\n")).toMatch(/Kubernetes API answers through the VIP: connection refused/);
    expect(sim.actions).toEqual([]);
  });

  test("fails when verify itself cannot run", async () => {
    const sim = cluster();
    const { result } = await upgrade(sim, undefined, {
      verify: async () => {
        throw new Error("terraform output: no state");
      },
    });
    expect(result.problems).toEqual(["pre-checks (verify) could not run: terraform output: no state"]);
  });

  test("fails on a downgrade or a skipped minor", async () => {
    const sim = cluster();
    expect((await upgrade(sim, { kind: "talos", version: "v1.13.8" })).result.problems).toContainEqual(expect.stringMatching(/downgrades are refused/));
    const old = cluster({ talosVersions: { "k8s-controller1": "v1.12.11", "k8s-controller2": "v1.12.11", "k8s-controller3": "v1.12.11", "k8s-worker1": "v1.12.11" } });
    expect((await upgrade(old, { kind: "talos", version: "v1.14.0" })).result.problems).toContainEqual(expect.stringMatching(/one minor at a time/));
    expect([...sim.actions, ...old.actions]).toEqual([]);
  });
});

describe("Kubernetes upgrade", () => {
  test("pre-checks, then upgrade-k8s on the first control plane, then the versions are checked", async () => {
    const sim = cluster();
    const { result, output } = await upgrade(sim, { kind: "kubernetes", version: "v1.36.4" });
    expect(result.outcome).toBe("upgraded");
    expect(sim.actions).toEqual(["upgradeKubernetes k8s-controller1 v1.36.4"]);
    expect(sim.kubernetesVersion).toBe("v1.36.4");
    expect(output).toMatch(/Now set kubernetesVersion: v1\.36\.4 in your HOMELAB_CONFIG and deploy/);
  });

  test("--dry-run prints the command and touches nothing", async () => {
    const sim = cluster();
    const { result, output } = await upgrade(sim, { kind: "kubernetes", version: "v1.36.4" }, { dryRun: true });
    expect(result.outcome).toBe("planned");
    expect(output).toContain("talosctl -n 127.0.0.11 upgrade-k8s --to v1.36.4");
    expect(sim.actions).toEqual([]);
  });

  test("fails when the pre-checks fail, and beyond what Talos supports", async () => {
    const down = cluster({ faults: [{ kind: "etcd-unhealthy", node: "k8s-controller2" }] });
    expect((await upgrade(down, { kind: "kubernetes", version: "v1.36.4" })).result.outcome).toBe("refused");
    const sim = cluster();
    const { result } = await upgrade(sim, { kind: "kubernetes", version: "v1.37.0" });
    expect(result.problems).toContainEqual(expect.stringMatching(/upgrade Talos first/));
    expect([...down.actions, ...sim.actions]).toEqual([]);
  });

  test("fails when upgrade-k8s fails, with the resume command", async () => {
    const sim = cluster({ faults: [{ kind: "call-fails", method: "upgradeKubernetes" }] });
    const { result } = await upgrade(sim, { kind: "kubernetes", version: "v1.36.4" });
    expect(result).toMatchObject({ outcome: "stopped", resume: "npm run upgrade -- --kubernetes v1.36.4" });
    expect(result.why).toMatch(/talosctl upgrade-k8s failed/);
  });
});
