import { synthHomelab } from "../support/synth";

describe("whole stack", () => {
  test("the smallest complete stack (one control plane) synthesizes to this JSON", () => {
    // Every resource kind appears once; the reference homelab's three nodes
    // are covered by the focused assertions in control-plane-ha.test.ts.
    const { json } = synthHomelab({
      cluster: { allowSingleNode: true, controlPlanes: [{ name: "k8s-controller1", ip: "192.168.1.211" }] },
    });
    expect(json).toMatchSnapshot();
  });

  test("two synths of the same input are byte-identical", () => {
    expect(synthHomelab().text).toBe(synthHomelab().text);
  });
});
