import {
  ObservedCluster,
  configChange,
  kubernetesTargetProblems,
  planKubernetesUpgrade,
  planTalosUpgrade,
  renderPlan,
  resumeCommand,
  talosTargetProblems,
} from "../../ops/upgrade-plan";
import { clusterFacts } from "../support/cluster-fixture";

const facts = clusterFacts({ workers: 2 });
const everyNode = (version: string) => Object.fromEntries(facts.nodes.map((n) => [n.name, version]));
const observed = (over: Partial<ObservedCluster> = {}): ObservedCluster => ({
  talosVersions: everyNode("v1.13.9"),
  vipHolder: "k8s-controller1",
  kubernetesVersion: "v1.36.3",
  kubeletVersions: everyNode("v1.36.3"),
  ...over,
});

describe("Talos upgrade order", () => {
  test("control planes first with the VIP holder last among them, then workers", () => {
    // GIVEN k8s-controller2 holds the VIP
    const plan = planTalosUpgrade(facts, observed({ vipHolder: "k8s-controller2" }), "v1.13.10");
    // THEN
    expect(plan.steps.map((s) => s.node.name)).toEqual(["k8s-controller1", "k8s-controller3", "k8s-controller2", "k8s-worker1", "k8s-worker2"]);
    expect(plan.steps.filter((s) => s.holdsVip).map((s) => s.node.name)).toEqual(["k8s-controller2"]);
  });

  test("the image is the cluster's installer with the target tag", () => {
    const plan = planTalosUpgrade(facts, observed(), "v1.13.10");
    expect(plan.image).toBe(`${facts.installerImageBase}:v1.13.10`);
  });

  test("nodes already on the target are skipped (a re-run resumes)", () => {
    const plan = planTalosUpgrade(facts, observed({ talosVersions: { ...everyNode("v1.13.9"), "k8s-controller2": "v1.13.10", "k8s-controller3": "v1.13.10" } }), "v1.13.10");
    expect(plan.steps.map((s) => `${s.node.name}:${s.action}`)).toEqual(["k8s-controller2:skip", "k8s-controller3:skip", "k8s-controller1:upgrade", "k8s-worker1:upgrade", "k8s-worker2:upgrade"]);
  });

  test("renders order, image and skips", () => {
    const plan = planTalosUpgrade(facts, observed({ talosVersions: { ...everyNode("v1.13.9"), "k8s-controller2": "v1.13.10" } }), "v1.13.10");
    const text = renderPlan(plan);
    expect(text).toContain(`image: ${facts.installerImageBase}:v1.13.10`);
    expect(text).toMatch(/- k8s-controller2 \(127\.0\.0\.12, control plane\): already on v1\.13\.10: skipped/);
    expect(text).toMatch(/1\. k8s-controller3 .*v1\.13\.9 -> v1\.13\.10[\s\S]*2\. k8s-controller1 .*VIP holder \(last: the VIP moves once\)[\s\S]*3\. k8s-worker1 \(127\.0\.0\.21, worker\)/);
  });
});

describe("Talos targets", () => {
  test("a patch and the next minor are allowed", () => {
    expect(talosTargetProblems(facts, observed(), "v1.13.10")).toEqual([]);
    expect(talosTargetProblems(facts, observed(), "v1.14.0")).toEqual([]);
  });

  test("fails on a malformed target, with the form to use", () => {
    expect(talosTargetProblems(facts, observed(), "1.13.10")).toEqual([expect.stringMatching(/"1\.13\.10" is not a version: use the vX\.Y\.Z form, e\.g\. v1\.13\.10/)]);
  });

  test("fails on a downgrade, naming the node", () => {
    const problems = talosTargetProblems(facts, observed({ talosVersions: { ...everyNode("v1.13.9"), "k8s-controller3": "v1.13.10" } }), "v1.13.9");
    expect(problems).toEqual([expect.stringMatching(/k8s-controller3 runs v1\.13\.10, newer than v1\.13\.9: downgrades are refused/)]);
  });

  test("fails when skipping a minor (1.12 -> 1.14), saying what to do first", () => {
    const problems = talosTargetProblems(facts, observed({ talosVersions: everyNode("v1.12.11"), kubernetesVersion: "v1.35.0" }), "v1.14.0");
    expect(problems).toHaveLength(facts.nodes.length);
    expect(problems[0]).toMatch(/k8s-controller1 runs v1\.12\.11: Talos upgrades one minor at a time; upgrade to the newest v1\.13\.x first, then to v1\.14\.0/);
  });

  test("fails on a release the nodes may not run", () => {
    expect(talosTargetProblems(facts, observed(), "v1.15.0")).toEqual([expect.stringMatching(/Talos v1\.15\.0 is not a release the nodes may run here \(1\.11, 1\.12, 1\.13, 1\.14\)/)]);
  });

  test("fails when the target Talos does not run the cluster's Kubernetes", () => {
    const problems = talosTargetProblems(facts, observed({ kubernetesVersion: "v1.31.4" }), "v1.14.0");
    expect(problems).toEqual([expect.stringMatching(/Talos 1\.14 runs Kubernetes 1\.32 to 1\.37, the cluster runs v1\.31\.4: upgrade Kubernetes first/)]);
  });

  test("fails on a single control plane: rebooting it loses quorum", () => {
    const single = clusterFacts({ controlPlanes: 1, workers: 0 });
    const problems = talosTargetProblems(single, { talosVersions: { "k8s-controller1": "v1.13.9" }, kubernetesVersion: "v1.36.3" }, "v1.13.10");
    expect(problems).toEqual([expect.stringMatching(/1 control plane\(s\): etcd tolerates no failure/)]);
  });
});

describe("Kubernetes targets", () => {
  test("the next patch or minor within the running Talos is allowed; one step against the first control plane", () => {
    expect(kubernetesTargetProblems(facts, observed(), "v1.36.4")).toEqual([]);
    const plan = planKubernetesUpgrade(facts, observed(), "v1.36.4");
    expect(plan).toMatchObject({ from: "v1.36.3", target: "v1.36.4", upToDate: false, controlPlane: { name: "k8s-controller1" } });
    expect(renderPlan(plan)).toContain("talosctl -n 127.0.0.11 upgrade-k8s --to v1.36.4");
  });

  test("fails beyond what the running Talos supports", () => {
    const problems = kubernetesTargetProblems(facts, observed(), "v1.37.0");
    expect(problems).toHaveLength(facts.nodes.length);
    expect(problems[0]).toMatch(/k8s-controller1 runs Talos v1\.13\.9, which runs Kubernetes 1\.31 to 1\.36, not v1\.37\.0: upgrade Talos first/);
  });

  test("fails on a downgrade and on skipping a minor", () => {
    expect(kubernetesTargetProblems(facts, observed(), "v1.36.2")).toContainEqual(expect.stringMatching(/the API server runs v1\.36\.3, newer than v1\.36\.2: downgrades are refused/));
    const old = observed({ kubernetesVersion: "v1.34.1", kubeletVersions: everyNode("v1.34.1") });
    expect(kubernetesTargetProblems(facts, old, "v1.36.0")).toContainEqual(expect.stringMatching(/one minor at a time; upgrade to v1\.35\.x first/));
  });

  test("up to date when the API server and every kubelet run the target", () => {
    expect(planKubernetesUpgrade(facts, observed(), "v1.36.3").upToDate).toBe(true);
    expect(planKubernetesUpgrade(facts, observed({ kubeletVersions: { ...everyNode("v1.36.3"), "k8s-worker2": "v1.36.2" } }), "v1.36.3").upToDate).toBe(false);
  });
});

test("the resume command and the configuration change", () => {
  expect(resumeCommand({ kind: "talos", version: "v1.13.10" })).toBe("npm run upgrade -- --talos v1.13.10");
  expect(configChange({ kind: "talos", version: "v1.13.10" })).toMatch(/^set talosVersion: v1\.13\.10 in your HOMELAB_CONFIG/);
  expect(configChange({ kind: "kubernetes", version: "v1.36.4" })).toMatch(/^set kubernetesVersion: v1\.36\.4 in your HOMELAB_CONFIG/);
});
