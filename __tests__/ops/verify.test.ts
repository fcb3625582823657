/**
 * verify's pure checks against simulated clusters, and `observe` keeping
 * each client failure in the observation.
 */
import type {
  EtcdMember,
  KubeNode,
  KubernetesClient,
  TalosClient,
} from "../../ops/contracts";
import {
  NodeObservation,
  Observations,
  observe,
  verifyChecks,
} from "../../ops/verify";
import type { CheckResult } from "../../ops/contracts";
import { FACTS, FAST_VIP, clusterFacts, etcdMembers, memberId } from "../support/cluster-fixture";
import { SimulatedCluster } from "../support/simulated-cluster";

const ok = <T>(value: T) => ({ ok: true as const, value });
const failed = (error: string) => ({ ok: false as const, error });
const members: EtcdMember[] = etcdMembers();

function healthy(): Observations {
  const nodes: NodeObservation[] = FACTS.nodes.map((node) => ({
    node,
    addresses: ok(node.name === "k8s-controller1" ? [node.ip, FACTS.vip] : [node.ip]),
    talosVersion: ok("v1.13.9"),
    ...(node.role === "control-plane"
      ? {
          etcdService: ok({ state: "Running", healthy: true }),
          etcdMembers: ok(members),
          etcdStatus: ok({
            node: node.ip,
            memberId: memberId(node.name),
            leader: memberId("k8s-controller2"),
          }),
        }
      : {}),
  }));
  return {
    nodes,
    endpoints: ok(["127.0.0.11", "127.0.0.12", "127.0.0.13"]),
    readyz: ok({ ok: true, detail: "200 ok" }),
    kubeNodes: ok(
      FACTS.nodes.map(
        (n): KubeNode => ({
          name: n.name,
          ready: true,
          kubeletVersion: "v1.36.3",
          unschedulable: false,
        })
      )
    ),
    serverVersion: ok("v1.36.3"),
  };
}

const withNode = (
  o: Observations,
  name: string,
  change: Partial<NodeObservation>
): Observations => ({
  ...o,
  nodes: o.nodes.map((n) => (n.node.name === name ? { ...n, ...change } : n)),
});
const withMembers = (o: Observations, list: EtcdMember[]): Observations => ({
  ...o,
  nodes: o.nodes.map((n) =>
    n.etcdMembers ? { ...n, etcdMembers: ok(list) } : n
  ),
});
const check = (o: Observations, id: string) => {
  const found = verifyChecks(FACTS, o).find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};
const failing = (o: Observations) =>
  verifyChecks(FACTS, o)
    .filter((c) => !c.ok)
    .map((c) => c.id);

describe("verifyChecks", () => {
  test("a healthy cluster: every check holds, each saying what it saw", () => {
    const checks = verifyChecks(FACTS, healthy());
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(Object.fromEntries(checks.map((c) => [c.id, c.seen])))
      .toMatchInlineSnapshot(`
      {
        "api-readyz": "https://127.0.0.100:6443/readyz: 200 ok",
        "etcd-member-list": "3 members (as k8s-controller1 lists them): k8s-controller1, k8s-controller2, k8s-controller3",
        "etcd-members": "k8s-controller1: member 52c1a1a3ca0a4eb8, etcd Running, healthy; k8s-controller2: member ed75d35f2af169ac, etcd Running, healthy; k8s-controller3: member c0c6f6ef6338adab, etcd Running, healthy",
        "etcd-quorum": "3 live of 3: quorum 2, tolerates 1 failure (the stack's 3 tolerate 1); leader k8s-controller2",
        "kubernetes-version": "API server v1.36.3; kubelet v1.36.3 on every node",
        "nodes-ready": "Ready: k8s-controller1, k8s-controller2, k8s-controller3, k8s-worker1",
        "nodes-schedulable": "none cordoned",
        "talos-version": "v1.13.9 on every node",
        "talosconfig-endpoints": "127.0.0.11, 127.0.0.12, 127.0.0.13",
        "vip-holder": "k8s-controller1 (127.0.0.11)",
      }
    `);
  });

  test("fails on a cordoned node, naming it and kubectl uncordon (issue 20, defect 1)", () => {
    const o = healthy();
    const cordoned = { ...o, kubeNodes: ok((o.kubeNodes as { value: KubeNode[] }).value.map((k) => (k.name === "k8s-worker1" ? { ...k, unschedulable: true } : k))) };
    expect(failing(cordoned)).toEqual(["nodes-schedulable"]);
    expect(check(cordoned, "nodes-schedulable").seen).toBe("cordoned (spec.unschedulable): k8s-worker1; once it is meant to take pods again: `kubectl uncordon k8s-worker1`");
  });

  test("fails on a stray etcd member (the VIP as a peer URL)", () => {
    const stray = {
      id: "00000000deadbeef",
      hostname: "k8s-controller1",
      peerUrls: [`https://${FACTS.vip}:2380`],
      isLearner: false,
    };
    const result = check(
      withMembers(healthy(), [...members, stray]),
      "etcd-member-list"
    );
    expect(result.ok).toBe(false);
    expect(result.seen).toContain(
      `stray: k8s-controller1 00000000deadbeef ${FACTS.vip} (the VIP)`
    );
  });

  test("fails on a missing member, and quorum shows the live count", () => {
    const o = withMembers(healthy(), members.slice(0, 2));
    expect(failing(o)).toEqual([
      "etcd-members",
      "etcd-member-list",
      "etcd-quorum",
    ]);
    expect(check(o, "etcd-members").seen).toContain(
      "k8s-controller3: not a member"
    );
    expect(check(o, "etcd-quorum").seen).toMatch(
      /^2 live of 3: quorum 2, tolerates 0 failures/
    );
  });

  test("fails when etcd is not running on a control plane", () => {
    const o = withNode(healthy(), "k8s-controller2", {
      etcdService: ok({ state: "Not running", healthy: false }),
    });
    expect(check(o, "etcd-members").seen).toContain(
      "k8s-controller2: member ed75d35f2af169ac, etcd not running"
    );
    expect(failing(o)).toContain("etcd-quorum");
  });

  test("fails with two VIP holders, naming both", () => {
    const o = withNode(healthy(), "k8s-controller3", {
      addresses: ok(["127.0.0.13", FACTS.vip]),
    });
    expect(check(o, "vip-holder")).toMatchObject({
      ok: false,
      seen: "2 nodes hold it: k8s-controller1, k8s-controller3",
    });
  });

  test("fails with no VIP holder", () => {
    const o = withNode(healthy(), "k8s-controller1", {
      addresses: ok(["127.0.0.11"]),
    });
    expect(check(o, "vip-holder")).toMatchObject({
      ok: false,
      seen: "no node holds it",
    });
  });

  test("fails when a talosconfig endpoint is the VIP", () => {
    const o = { ...healthy(), endpoints: ok([FACTS.vip]) };
    expect(check(o, "talosconfig-endpoints")).toMatchObject({
      ok: false,
      seen: `${FACTS.vip} (${FACTS.vip} is the VIP)`,
    });
  });

  test("fails on a NotReady worker", () => {
    const o = healthy();
    const kubeNodes = ok(
      (o.kubeNodes as { value: KubeNode[] }).value.map((n) =>
        n.name === "k8s-worker1" ? { ...n, ready: false } : n
      )
    );
    expect(check({ ...o, kubeNodes }, "nodes-ready")).toMatchObject({
      ok: false,
      seen: "Ready: k8s-controller1, k8s-controller2, k8s-controller3; NotReady: k8s-worker1",
    });
  });

  test("fails on a Talos or Kubernetes version mismatch", () => {
    const o = withNode(
      { ...healthy(), serverVersion: ok("v1.35.0") },
      "k8s-worker1",
      { talosVersion: ok("v1.12.4") }
    );
    expect(check(o, "talos-version")).toMatchObject({
      ok: false,
      seen: "v1.13.9: k8s-controller1, k8s-controller2, k8s-controller3; v1.12.4: k8s-worker1",
    });
    expect(check(o, "kubernetes-version")).toMatchObject({
      ok: false,
      seen: "API server v1.35.0; kubelet v1.36.3 on every node",
    });
  });

  test("fails when the API is unreachable, saying why", () => {
    const down = failed("GET /readyz: connection refused by 127.0.0.100:6443");
    const o = {
      ...healthy(),
      readyz: down,
      kubeNodes: failed(down.error.replace("/readyz", "/api/v1/nodes")),
      serverVersion: failed(down.error.replace("/readyz", "/version")),
    };
    expect(failing(o)).toEqual([
      "api-readyz",
      "nodes-ready",
      "nodes-schedulable",
      "kubernetes-version",
    ]);
    expect(check(o, "api-readyz").seen).toBe(
      "https://127.0.0.100:6443/readyz: GET /readyz: connection refused by 127.0.0.100:6443"
    );
  });
});

describe("observe", () => {
  test("keeps each failing call as its error, and asks etcd only of control planes", async () => {
    const asked: string[] = [];
    const talos: TalosClient = {
      etcdMembers: async (node) => (asked.push(`members ${node}`), members),
      etcdStatus: async (node) => ({ node, memberId: "1", leader: "1" }),
      addresses: async (node) => {
        if (node === "127.0.0.12")
          throw new Error(
            "talosctl -n 127.0.0.12 get addresses did not answer within 6 s (killed)"
          );
        return [node];
      },
      version: async () => "v1.13.9",
      service: async () => ({ state: "Running", healthy: true }),
      bootId: async () => "x",
      endpoints: async () => ["127.0.0.11"],
      reboot: async () => undefined,
      upgrade: async () => undefined,
      forfeitEtcdLeadership: async () => undefined,
      upgradeKubernetes: async () => undefined,
    };
    const kubernetes: KubernetesClient = {
      readyz: async () => {
        throw new Error("GET /readyz: connection refused");
      },
      nodes: async () => [],
      serverVersion: async () => "v1.36.3",
    };
    const o = await observe(FACTS, { talos, kubernetes });
    expect(o.nodes[1].addresses).toEqual(
      failed(
        "talosctl -n 127.0.0.12 get addresses did not answer within 6 s (killed)"
      )
    );
    expect(o.readyz).toEqual(failed("GET /readyz: connection refused"));
    expect(o.nodes[3].etcdMembers).toBeUndefined();
    expect(asked.sort()).toEqual([
      "members 127.0.0.11",
      "members 127.0.0.12",
      "members 127.0.0.13",
    ]);
  });
});

describe("the fast VIP (issue 21), in the simulated cluster", () => {
  const fastFacts = clusterFacts({ fastVip: FAST_VIP });
  const checksOf = async (sim: SimulatedCluster) => verifyChecks(sim.facts, await observe(sim.facts, { talos: sim.talos, kubernetes: sim.kube }));
  const fastRow = (checks: CheckResult[]) => checks.find((c) => c.id === "fast-vip-holder");

  test("one control plane holds it: the row holds, after Talos's VIP row, and every other check still holds", async () => {
    // GIVEN Talos's VIP on k8s-controller1 and the fast VIP on k8s-controller2
    const sim = new SimulatedCluster({ facts: fastFacts, vipHolder: "k8s-controller1", fastVipHolders: ["k8s-controller2"] });
    // WHEN
    const checks = await checksOf(sim);
    // THEN
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(checks.map((c) => c.id).slice(3, 6)).toEqual(["vip-holder", "fast-vip-holder", "api-readyz"]);
    expect(fastRow(checks)).toEqual({ id: "fast-vip-holder", title: "Exactly one control plane holds the fast VIP 127.0.0.101", ok: true, seen: "k8s-controller2 (127.0.0.12)" });
    expect(checks.find((c) => c.id === "vip-holder")).toMatchObject({ ok: true, seen: "k8s-controller1 (127.0.0.11)" });
    // The API row names the address the kubeconfig uses.
    expect(checks.find((c) => c.id === "api-readyz")).toMatchObject({ title: "The API answers through the fast VIP (TLS verified, /readyz)", seen: "https://127.0.0.101:6443/readyz: 200 ok" });
  });

  test("fails when no control plane holds it, saying keepalived is not running or every /readyz fails, and the fallback", async () => {
    const sim = new SimulatedCluster({ facts: fastFacts, faults: [{ kind: "keepalived-stopped" }] });
    const row = fastRow(await checksOf(sim));
    expect(row?.ok).toBe(false);
    expect(row?.seen).toMatch(/^no control plane holds it: keepalived is not running \(its static pod; `kubectl --context talos-vip -n kube-system logs keepalived-api-<node>` says why\), or every control plane's \/readyz fails/);
    expect(row?.seen).toContain("use Talos's VIP (kubectl --context talos-vip)");
  });

  test("fails with two holders as a split brain, naming both", async () => {
    const sim = new SimulatedCluster({ facts: fastFacts, fastVipHolders: ["k8s-controller1", "k8s-controller3"] });
    const row = fastRow(await checksOf(sim));
    expect(row?.ok).toBe(false);
    expect(row?.seen).toMatch(/^2 nodes hold it: k8s-controller1 \(127\.0\.0\.11\), k8s-controller3 \(127\.0\.0\.13\): split brain, their VRRP adverts \(IP protocol 112, unicast to the peers\) do not reach each other/);
  });

  test("quorum lost: every control plane gives the fast VIP up (its /readyz fence), and the row says so", async () => {
    const sim = new SimulatedCluster({ facts: fastFacts, faults: [{ kind: "etcd-unhealthy", node: "k8s-controller2" }, { kind: "etcd-unhealthy", node: "k8s-controller3" }] });
    await sim.clock.sleep(1_000);
    expect(sim.fastVipHolders).toEqual([]);
    expect(fastRow(await checksOf(sim))).toMatchObject({ ok: false, seen: expect.stringMatching(/^no control plane holds it/) });
  });

  test("fails when a talosconfig endpoint is the fast VIP", async () => {
    const sim = new SimulatedCluster({ facts: fastFacts });
    const o = { ...(await observe(sim.facts, { talos: sim.talos, kubernetes: sim.kube })), endpoints: ok([FAST_VIP]) };
    expect(verifyChecks(sim.facts, o).find((c) => c.id === "talosconfig-endpoints")).toMatchObject({ ok: false, seen: "127.0.0.101 (127.0.0.101 is the fast VIP)" });
  });

  test("without a fast VIP there is no such row", async () => {
    const checks = await checksOf(new SimulatedCluster());
    expect(checks.map((c) => c.id)).not.toContain("fast-vip-holder");
    expect(checks).toHaveLength(10);
  });
});
