/** Talos patches given to the construct: an object is one document, text is YAML; refused at synth like the file's. */
import { blocksOf, synthHomelab } from "../support/synth";

const CONTROL_PLANES = [
  { name: "k8s-controller1", ip: "192.168.1.211", patches: ["machine:\n  sysctls:\n    node: \"1\"\n"] },
  { name: "k8s-controller2", ip: "192.168.1.212" },
  { name: "k8s-controller3", ip: "192.168.1.213" },
];

describe("Talos patches in the construct's props", () => {
  test("an object and YAML text, global, role and node, before the stack's patches", () => {
    // GIVEN
    const { json } = synthHomelab({
      cluster: {
        talosPatches: [{ machine: { sysctls: { global: "1" } } }],
        controlPlanePatches: ["machine:\n  sysctls:\n    role: \"1\"\n---\napiVersion: v1alpha1\nkind: TimeSyncConfig\nenabled: true\n"],
        controlPlanes: CONTROL_PLANES,
      },
    });

    // THEN
    const [, configuration] = blocksOf(json, "talos_machine_configuration", "data").find(([name]) => name.startsWith("ControlPlane_MachineConfiguration"))!;
    const patches = configuration.config_patches as string[];
    expect(patches.slice(0, 3)).toEqual(['machine:\n  sysctls:\n    global: "1"\n', 'machine:\n  sysctls:\n    role: "1"\n', "apiVersion: v1alpha1\nkind: TimeSyncConfig\nenabled: true\n"]);
    expect(patches.slice(3).join("\n")).toContain("allowSchedulingOnControlPlanes");
    const [, apply] = blocksOf(json, "talos_machine_configuration_apply").find(([name]) => name.includes("k8s-controller1"))!;
    expect((apply.config_patches as string[])[0]).toBe('machine:\n  sysctls:\n    node: "1"\n');
  });

  test("fails at synth on a patch that sets a field the stack owns, under the props' names", () => {
    expect(() => synthHomelab({ cluster: { talosPatches: [{ cluster: { clusterName: "other" } }] } })).toThrow(
      /talosPatches\[0\] = "other" \(document 1, at cluster\.clusterName\): a field the stack sets: set clusterName instead/,
    );
  });
});
