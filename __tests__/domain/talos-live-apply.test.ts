/** What a Talos node applies live, by Talos's CanApplyImmediate rule, and where two patch lists differ. */
import { appliesLive, changedPlaces } from "../../domain/talos-live-apply";

describe("appliesLive", () => {
  test.each([
    ["cluster.allowSchedulingOnControlPlanes", true],
    ["machine.kubelet.nodeIP.validSubnets", true],
    ["machine.nodeLabels.zone", true],
    ["machine.features.kubePrism.enabled", true],
    ["machine.env.HTTP_PROXY", false],
    ["machine.files", false],
    ["machine.features.rbac", false],
    ["machine.kubeletx", false],
  ])("v1alpha1 %s: %s", (path, live) => {
    expect(appliesLive({ path, v1alpha1: true })).toBe(live);
  });

  test("another document applies live (its controller reads it; CanApplyImmediate compares v1alpha1 only)", () => {
    expect(appliesLive({ path: "HostnameConfig", v1alpha1: false })).toBe(true);
  });
});

describe("changedPlaces", () => {
  test("merges v1alpha1 patches in order and names the leaves that differ, and other documents by kind and name", () => {
    const before = [{ machine: { sysctls: { a: "1" }, kubelet: { extraArgs: { x: "1" } } } }, { kind: "Layer2VIPConfig", name: "10.0.0.1", link: "uplink" }];
    const after = [{ machine: { sysctls: { a: "1" } } }, { machine: { kubelet: { extraArgs: { x: "2" } }, env: { P: "q" } } }, { kind: "Layer2VIPConfig", name: "10.0.0.2", link: "uplink" }];
    expect(changedPlaces(before, after)).toEqual([
      { path: "machine.env", v1alpha1: true },
      { path: "machine.kubelet.extraArgs.x", v1alpha1: true },
      { path: "Layer2VIPConfig 10.0.0.1", v1alpha1: false },
      { path: "Layer2VIPConfig 10.0.0.2", v1alpha1: false },
    ]);
  });

  test("nothing when only the split into patches differs", () => {
    expect(changedPlaces([{ machine: { a: 1, b: 2 } }], [{ machine: { a: 1 } }, { machine: { b: 2 } }])).toEqual([]);
  });
});
