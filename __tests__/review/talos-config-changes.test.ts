/**
 * The review says which nodes' Talos configurations a change touches, where,
 * and whether Talos applies it live or at the node's next reboot.
 */
import { renderReview } from "../../review/render-review";
import { TerraformJson } from "../../review/stack-model";
import { Block, blocksOf, synthHomelab } from "../support/synth";

const review = (base: TerraformJson, head: TerraformJson) => renderReview({ head, base: { json: base, label: "main" } });
/** The section's table and note, up to the next heading. */
const section = (text: string) => text.split("### Talos configuration of the nodes\n\n")[1]?.split(/\n#{2,3} /)[0].trim() ?? "";

describe("the review's Talos configuration of the nodes", () => {
  test("a cluster-wide setting reaches every control plane, live", () => {
    // GIVEN scheduling on the control planes allowed, then not
    const base = synthHomelab({ cluster: { allowSchedulingOnControlPlanes: true } }).json;
    const head = synthHomelab({ cluster: { allowSchedulingOnControlPlanes: false } }).json;
    // THEN each control plane's row names the field, applied live; no reboot advice
    expect(section(review(base, head))).toBe(
      [
        "| Node | What changes in its configuration | Takes effect |",
        "| --- | --- | --- |",
        "| k8s-controller1 | `cluster.allowSchedulingOnControlPlanes` | live, no reboot |",
        "| k8s-controller2 | `cluster.allowSchedulingOnControlPlanes` | live, no reboot |",
        "| k8s-controller3 | `cluster.allowSchedulingOnControlPlanes` | live, no reboot |",
      ].join("\n"),
    );
  });

  test("a change Talos cannot apply live is staged until the node reboots, and the review says to reboot one at a time", () => {
    // GIVEN the head's worker configuration gains an environment variable (machine.env needs a reboot)
    const base = synthHomelab({ cluster: { workers: [{ name: "w1", ip: "192.168.1.221" }] } }).json;
    const head: typeof base = JSON.parse(JSON.stringify(base));
    const [[name, worker]] = blocksOf(head, "talos_machine_configuration", "data").filter(([, block]) => block.machine_type === "worker");
    (head.data.talos_machine_configuration[name] as Block).config_patches = [...(worker.config_patches as string[]), "machine:\n  env:\n    HTTP_PROXY: http://proxy.lan:3128\n"];
    // THEN
    const text = review(base, head);
    expect(section(text)).toContain("| w1 | `machine.env` | at its next reboot (staged until then) |");
    expect(text).toContain("reboot w1 one at a time, each back in etcd before the next");
    expect(section(text)).not.toContain("k8s-controller");
  });

  test("no section when no node's configuration changes", () => {
    const json = synthHomelab().json;
    expect(review(json, json)).not.toContain("### Talos configuration of the nodes");
  });
});
