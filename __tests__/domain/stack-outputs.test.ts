import { NoStateError, factsFromConfiguration, parseStackOutputs } from "../../domain/stack-outputs";
import { FACTS, talosconfig, terraformOutput } from "../support/cluster-fixture";

describe("parseStackOutputs", () => {
  test("reads the facts and credentials from terraform output -json", () => {
    // GIVEN the stack's outputs as Terraform prints them
    const text = terraformOutput({ facts: FACTS, talosconfig: talosconfig(["127.0.0.11"]), kubeconfig: "kubeconfig-text" });
    // WHEN
    const { facts, credentials } = parseStackOutputs(text);
    // THEN
    expect(facts).toEqual(FACTS);
    expect(credentials).toEqual({ talosconfig: talosconfig(["127.0.0.11"]), kubeconfig: "kubeconfig-text" });
  });

  test("credentials are undefined when the state has none yet", () => {
    const document = JSON.parse(terraformOutput({ facts: FACTS, talosconfig: "", kubeconfig: "" }));
    delete document.talosconfig;
    delete document.kubeconfig;
    expect(parseStackOutputs(JSON.stringify(document)).credentials).toBeUndefined();
  });

  test("fails with the deploy-first line on an empty document (no state)", () => {
    expect(() => parseStackOutputs("{}\n")).toThrow(NoStateError);
    expect(() => parseStackOutputs("{}", "cdktf.out/stacks/homelab")).toThrow(/^no Terraform state in cdktf.out\/stacks\/homelab: deploy first, or give --talosconfig and --kubeconfig$/);
  });

  test("fails listing every missing or malformed output, without printing a value", () => {
    const document = JSON.parse(terraformOutput({ facts: FACTS, talosconfig: "secret-talosconfig", kubeconfig: "secret-kubeconfig" }));
    delete document.vip;
    document.nodes.value[1].role = "etcd";
    const run = () => parseStackOutputs(JSON.stringify(document));
    expect(run).toThrow(/output vip is missing/);
    expect(run).toThrow(/output nodes\[1\] is not/);
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toMatch(/secret/);
    }
  });

  test("fails on text that is not JSON", () => {
    expect(() => parseStackOutputs("Warning: No outputs found")).toThrow(/did not print JSON/);
  });
});

describe("factsFromConfiguration", () => {
  test("control planes first, then workers, with an unknown installer image", () => {
    const facts = factsFromConfiguration({
      clusterName: "homelab",
      vip: "127.0.0.1",
      clusterEndpoint: "https://127.0.0.1:6443",
      talosVersion: "v1.13.9",
      kubernetesVersion: "v1.36.3",
      nodes: [{ name: "cp1", ip: "127.0.0.11", vmId: 211, proxmoxHost: "pve1" }],
      workers: [{ name: "w1", ip: "127.0.0.21", vmId: 221, proxmoxHost: "pve1" }],
    });
    expect(facts.nodes.map((n) => `${n.name}:${n.role}:${n.proxmoxHost}`)).toEqual(["cp1:control-plane:pve1", "w1:worker:pve1"]);
    expect(facts.installerImageBase).toBe("");
  });
});
