import { CheckResult } from "../../ops/contracts";
import { confirmationPrompt, drillRefusals, expectedOutage, measuredVipOf, renderTrialRow, summarizeDrill, trialRow, trialSteps } from "../../ops/drill-plan";
import { FACTS as facts, FAST_VIP, clusterFacts } from "../support/cluster-fixture";

const passing: CheckResult[] = [{ id: "api", title: "API answers", ok: true, seen: "ok" }];
const controller1 = facts.nodes[0];

describe("drill refusals", () => {
  test("a healthy 3-control-plane cluster may be drilled", () => {
    expect(drillRefusals(facts, { mode: "graceful", checks: passing })).toEqual([]);
  });

  test("fails when verify fails, naming the check", () => {
    const checks = [...passing, { id: "etcd", title: "every etcd member healthy", ok: false, seen: "unhealthy: k8s-controller3" }];
    expect(drillRefusals(facts, { mode: "graceful", checks })).toEqual(["verify failed: every etcd member healthy: unhealthy: k8s-controller3"]);
  });

  test("fails with fewer than 3 control planes: etcd tolerates 0 failures", () => {
    expect(drillRefusals(clusterFacts({ controlPlanes: 1, workers: 0 }), { mode: "graceful", checks: passing })).toEqual([expect.stringMatching(/1 control plane\(s\): etcd tolerates 0 failures.*needs 3 or more/)]);
  });

  test("fails when etcd cannot lose a member now (a 3-node cluster with one member down)", () => {
    expect(drillRefusals(facts, { mode: "graceful", checks: passing, healthyEtcdMembers: 2 })).toEqual([expect.stringMatching(/2 of 3 members healthy and needs 2: it tolerates no further failure/)]);
    expect(drillRefusals(clusterFacts({ controlPlanes: 5, workers: 0 }), { mode: "graceful", checks: passing, healthyEtcdMembers: 4 })).toEqual([]);
  });

  test("every reason at once", () => {
    const checks = [{ id: "api", title: "API answers", ok: false, seen: "connection refused" }];
    expect(drillRefusals(clusterFacts({ controlPlanes: 1, workers: 0 }), { mode: "graceful", checks })).toEqual([
      "verify failed: API answers: connection refused",
      expect.stringMatching(/^1 control plane\(s\): etcd tolerates 0 failures/),
    ]);
  });

  test("the confirmation names the action and the cluster", () => {
    expect(confirmationPrompt(facts, "crash", 3)).toMatch(/power off the VIP holder's VM .* of cluster homelab, 3 time\(s\).*\[y\/N\]/);
  });
});

describe("trial steps", () => {
  test("graceful: talosctl reboot of the holder, then window, new holder, etcd, verify", () => {
    expect(trialSteps("graceful", { holder: controller1 }).map((s) => s.kind)).toEqual([
      "start-probe",
      "talos-reboot",
      "measure-window",
      "wait-etcd-all-members",
      "wait-verify",
    ]);
    expect(trialSteps("graceful", { holder: controller1 })[1]).toEqual({ kind: "talos-reboot", node: "k8s-controller1", ip: "127.0.0.11" });
  });

  test("crash: Proxmox stop of the holder's VM, start only after the window is measured", () => {
    const steps = trialSteps("crash", { holder: controller1, etcdLeader: "k8s-controller1" });
    expect(steps.map((s) => s.kind)).toEqual(["start-probe", "proxmox-stop", "measure-window", "proxmox-start", "wait-etcd-all-members", "wait-verify"]);
    expect(steps[1]).toEqual({ kind: "proxmox-stop", node: "k8s-controller1", host: "pve1", vmId: 211 });
  });
});

describe("trial rows and summary", () => {
  test("expected figures: graceful under a second; crash 40-60 s, 62-64 s when the holder led etcd", () => {
    expect(expectedOutage("graceful", true)).toMatchObject({ minMs: 0, maxMs: 1000 });
    expect(expectedOutage("crash", false)).toMatchObject({ minMs: 40_000, maxMs: 60_000 });
    expect(expectedOutage("crash", true)).toMatchObject({ minMs: 62_000, maxMs: 64_000 });
  });

  test("a row says the window, the new holder, whether the node taken down led etcd, and etcd's recovery", () => {
    const row = trialRow({ trial: 1, mode: "graceful", oldHolder: "k8s-controller1", targetLedEtcd: true, newHolder: "k8s-controller2", outageMs: 420, etcdAllMembersMs: 31_000 });
    expect(row.verdict).toBe("as expected");
    expect(renderTrialRow(row)).toBe("trial 1: k8s-controller1 taken down; VIP k8s-controller1 -> k8s-controller2, k8s-controller1 led etcd; outage 0.42 s (expected under 1 s: as expected); etcd all members after 31.0 s");
  });

  test("verdicts: slower, faster, and a VIP that did not move", () => {
    const base = { mode: "crash" as const, oldHolder: "k8s-controller1", newHolder: "k8s-controller2", etcdAllMembersMs: 70_000 };
    expect(trialRow({ ...base, trial: 1, targetLedEtcd: false, outageMs: 61_000 }).verdict).toBe("slower than expected");
    expect(trialRow({ ...base, trial: 2, targetLedEtcd: true, outageMs: 50_000 }).verdict).toBe("faster than expected");
    expect(trialRow({ ...base, trial: 3, targetLedEtcd: true, outageMs: 63_000 }).verdict).toBe("as expected");
    expect(trialRow({ ...base, trial: 4, targetLedEtcd: false, outageMs: 45_000, newHolder: "k8s-controller1" }).verdict).toBe("VIP did not move");
  });

  test("the summary groups crash trials by whether the holder led etcd", () => {
    const rows = [
      trialRow({ trial: 1, mode: "crash", oldHolder: "k8s-controller1", targetLedEtcd: false, newHolder: "k8s-controller2", outageMs: 48_000, etcdAllMembersMs: 90_000 }),
      trialRow({ trial: 2, mode: "crash", oldHolder: "k8s-controller2", targetLedEtcd: true, newHolder: "k8s-controller3", outageMs: 63_100, etcdAllMembersMs: 95_000 }),
      trialRow({ trial: 3, mode: "crash", oldHolder: "k8s-controller3", targetLedEtcd: false, newHolder: "k8s-controller1", outageMs: 55_000, etcdAllMembersMs: 88_000 }),
    ];
    const summary = summarizeDrill(rows);
    expect(summary.asExpected).toBe(true);
    expect(summary.text).toBe(
      [
        "3 crash trial(s)",
        "  expected 40-60 s: 2 trial(s), outage 48.0 s to 55.0 s (median 55.0 s); all as expected",
        "  expected 62-64 s (holder led etcd): 1 trial(s), outage 63.1 s to 63.1 s (median 63.1 s); all as expected",
        "Result: as expected.",
      ].join("\n"),
    );
  });

  test("the summary is not as expected when a trial is off or etcd did not come back", () => {
    const slow = trialRow({ trial: 1, mode: "graceful", oldHolder: "k8s-controller1", targetLedEtcd: false, newHolder: "k8s-controller2", outageMs: 2_500, etcdAllMembersMs: 30_000 });
    const noEtcd = trialRow({ trial: 2, mode: "graceful", oldHolder: "k8s-controller2", targetLedEtcd: false, newHolder: "k8s-controller3", outageMs: 300 });
    const summary = summarizeDrill([slow, noEtcd]);
    expect(summary.asExpected).toBe(false);
    expect(summary.text).toMatch(/1 not as expected \(trial 1: slower than expected\)/);
    expect(summary.text).toMatch(/etcd did not come back to all members after trial\(s\) 2/);
    expect(summarizeDrill([]).asExpected).toBe(false);
  });
});

describe("the node taken down, and crash mode's Proxmox pre-checks", () => {
  const running = { status: "running", haManaged: false };
  const vms = (overrides: Record<string, object> = {}) =>
    facts.nodes.filter((n) => n.role === "control-plane").map((node) => ({ node, status: running, privileges: ["VM.Audit", "VM.PowerMgmt"], ...overrides[node.name] }));

  test("crash mode may start when every control plane's VM runs and the token may power it", () => {
    expect(drillRefusals(facts, { mode: "crash", checks: passing, vms: vms() })).toEqual([]);
  });

  test("fails in crash mode for a stopped VM, an unreadable one, and a token without VM.PowerMgmt, naming VM, node and host", () => {
    const problems = drillRefusals(facts, {
      mode: "crash",
      checks: passing,
      vms: vms({ "k8s-controller1": { status: { status: "stopped", haManaged: false } }, "k8s-controller2": { error: "HTTP 403 Permission check failed (/vms/212, VM.Audit)" }, "k8s-controller3": { privileges: ["VM.Audit"] } }),
    });
    expect(problems).toEqual([
      "VM 211 (k8s-controller1) on Proxmox node pve1 is stopped, not running",
      "VM 212 (k8s-controller2) on Proxmox node pve2: not readable through the Proxmox API (HTTP 403 Permission check failed (/vms/212, VM.Audit))",
      "VM 213 (k8s-controller3) on Proxmox node pve3: the API token lacks VM.PowerMgmt on /vms/213, which status/stop and status/start need; add it to the token's role",
    ]);
  });

  test("fails for a --node that is unknown or a worker, listing the control planes", () => {
    expect(drillRefusals(facts, { mode: "graceful", checks: passing, node: "k8s-controller9" })).toEqual(["--node k8s-controller9: no such node in the stack; the control planes are k8s-controller1, k8s-controller2, k8s-controller3"]);
    expect(drillRefusals(facts, { mode: "graceful", checks: passing, node: "k8s-worker1" })).toEqual(["--node k8s-worker1 is a worker: the drill takes down a control plane (k8s-controller1, k8s-controller2, k8s-controller3)"]);
    expect(drillRefusals(facts, { mode: "graceful", checks: passing, node: "k8s-controller2" })).toEqual([]);
  });

  test("a named node that does not hold the VIP is expected to cause no outage, and the VIP must stay", () => {
    const base = { trial: 1, mode: "crash" as const, oldHolder: "k8s-controller1", target: "k8s-controller2", targetLedEtcd: false, etcdAllMembersMs: 60_000 };
    expect(trialRow({ ...base, newHolder: "k8s-controller1", outageMs: 0 })).toMatchObject({ verdict: "as expected", expected: { label: "none (the VIP stays)" } });
    expect(trialRow({ ...base, newHolder: "k8s-controller3", outageMs: 0 }).verdict).toBe("VIP moved");
    expect(trialRow({ ...base, newHolder: "k8s-controller1", outageMs: 4_000 }).verdict).toBe("slower than expected");
    expect(trialSteps("graceful", { holder: controller1, target: facts.nodes[1] })[1]).toEqual({ kind: "talos-reboot", node: "k8s-controller2", ip: "127.0.0.12" });
  });

  test("an API that never came back is its own verdict, and the report says it was still down", () => {
    const row = trialRow({ trial: 1, mode: "graceful", oldHolder: "k8s-controller1", targetLedEtcd: false, newHolder: undefined, outageMs: 180_000, apiStillDown: true });
    expect(row.verdict).toBe("API did not come back");
    expect(renderTrialRow(row)).toContain("outage >= 180.0 s (still down)");
  });

  test("the confirmation names the node when one is given", () => {
    expect(confirmationPrompt(facts, "graceful", 1, "k8s-controller2")).toMatch(/^This will reboot k8s-controller2 \(talosctl reboot\) of cluster homelab, 1 time\(s\)/);
    expect(confirmationPrompt(facts, "crash", 2, "k8s-controller3")).toMatch(/power off k8s-controller3's VM \(Proxmox status\/stop\), then start it/);
  });
});

describe("which VIP the drill measures (issue 21)", () => {
  const fast = clusterFacts({ fastVip: FAST_VIP });

  test("the VIP the kubeconfig's server names: the fast VIP, Talos's, or neither (then the holder of the one the stack's kubeconfig names)", () => {
    expect(measuredVipOf(fast)).toMatchObject({ kind: "fast", address: "127.0.0.101", server: "https://127.0.0.101:6443" });
    expect(measuredVipOf(fast, "https://127.0.0.100:6443")).toMatchObject({ kind: "talos", address: "127.0.0.100" });
    expect(measuredVipOf(facts)).toEqual({ kind: "talos", address: "127.0.0.100", server: "https://127.0.0.100:6443", text: "Talos's VIP 127.0.0.100" });
    expect(measuredVipOf(fast, "https://api.homelab.lan:6443")).toEqual({
      kind: "fast",
      address: "127.0.0.101",
      server: "https://api.homelab.lan:6443",
      text: "the kubeconfig's server https://api.homelab.lan:6443, which names neither VIP; following the holder of the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback",
    });
    expect(measuredVipOf(facts, "https://api.homelab.lan:6443")).toMatchObject({ kind: "talos", address: "127.0.0.100" });
  });

  test("expected figures for the fast VIP: a crash up to 3 s whoever led etcd, graceful under 1 s, a node without it none", () => {
    expect(expectedOutage("crash", false, true, "fast")).toEqual({ minMs: 0, maxMs: 3_000, label: "up to 3 s (keepalived)" });
    expect(expectedOutage("crash", true, true, "fast")).toEqual({ minMs: 0, maxMs: 3_000, label: "up to 3 s (keepalived)" });
    expect(expectedOutage("graceful", false, true, "fast")).toMatchObject({ maxMs: 1_000, label: "under 1 s" });
    expect(expectedOutage("crash", false, false, "fast")).toMatchObject({ label: "none (the VIP stays)" });
    expect(trialRow({ trial: 1, mode: "crash", vip: "fast", oldHolder: "k8s-controller1", targetLedEtcd: true, newHolder: "k8s-controller2", outageMs: 1_700 }).verdict).toBe("as expected");
  });

  test("the prompt says which VIP only when the stack has a fast VIP or the kubeconfig names another server", () => {
    expect(confirmationPrompt(facts, "graceful", 1)).toBe("This will reboot the VIP holder (talosctl reboot) of cluster homelab, 1 time(s), one trial at a time. Continue? [y/N]");
    expect(confirmationPrompt(fast, "crash", 1)).toBe(
      "This will power off the fast VIP's holder's VM (Proxmox status/stop), then start it of cluster homelab, 1 time(s), one trial at a time, measuring the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback. Continue? [y/N]",
    );
  });
});
