import { NoStateError, factsFromConfiguration, kubeconfigServerOf, parseStackOutputs } from "../../domain/stack-outputs";
import { FACTS, FAST_VIP, clusterFacts, talosconfig, terraformOutput } from "../support/cluster-fixture";

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

  test("reads the fast VIP when the stack has the fast_vip output, and none from an older stack or with the option off", () => {
    // GIVEN a stack with the fast API failover, and one without
    const withFast = clusterFacts({ fastVip: FAST_VIP });
    // WHEN / THEN
    expect(parseStackOutputs(terraformOutput({ facts: withFast })).facts).toEqual(withFast);
    expect(parseStackOutputs(terraformOutput({ facts: withFast })).facts.fastVip).toBe("127.0.0.101");
    expect(parseStackOutputs(terraformOutput({ facts: FACTS })).facts).not.toHaveProperty("fastVip");
  });

  test("fails on a fast_vip output that is not an address", () => {
    const document = JSON.parse(terraformOutput({ facts: clusterFacts({ fastVip: FAST_VIP }) }));
    document.fast_vip.value = "";
    expect(() => parseStackOutputs(JSON.stringify(document))).toThrow(/output fast_vip is not an address/);
  });

  test("the stack's kubeconfig server: the fast VIP on the API port when there is one, else the cluster endpoint", () => {
    expect(kubeconfigServerOf(FACTS)).toBe("https://127.0.0.100:6443");
    expect(kubeconfigServerOf(clusterFacts({ fastVip: FAST_VIP }))).toBe("https://127.0.0.101:6443");
    expect(kubeconfigServerOf({ clusterEndpoint: "https://127.0.0.1:41234/", fastVip: "::1" })).toBe("https://[::1]:41234");
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
    expect(facts).not.toHaveProperty("fastVip");
  });

  test("the fast VIP when the configuration turns the fast failover on, none when it only names one", () => {
    const cluster = {
      clusterName: "homelab",
      vip: "127.0.0.100",
      clusterEndpoint: "https://127.0.0.100:6443",
      talosVersion: "v1.13.9",
      kubernetesVersion: "v1.36.3",
      nodes: [{ name: "cp1", ip: "127.0.0.11", vmId: 211, proxmoxHost: "pve1" }],
      workers: [],
      fastFailoverVip: FAST_VIP,
    };
    expect(factsFromConfiguration({ ...cluster, fastFailoverEnabled: true }).fastVip).toBe(FAST_VIP);
    expect(factsFromConfiguration({ ...cluster, fastFailoverEnabled: false })).not.toHaveProperty("fastVip");
  });
});
