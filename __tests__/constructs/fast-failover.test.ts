/**
 * The opt-in fast API failover, synthesized: examples/fast-failover.yaml (with
 * workers added) gives every control plane, and only them, its keepalived
 * patch; the fast VIP is in the certSANs and is the kubeconfigs' server.
 * Off, the synthesized JSON is byte-identical to the reference homelab's.
 */
import { createHash } from "node:crypto";
import * as path from "node:path";
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { fastFailoverOf, keepalivedConfigOf } from "../../domain/fast-failover";
import { resolveClusterSpec } from "../../domain/cluster-spec";
import { talosRelease } from "../../domain/talos-versions";
import { PROJECT_ROOT } from "../support/project-root";
import { blocksOf, synthHomelab } from "../support/synth";
import { parseTalosPatch, talosSchemaProblems } from "../support/talos-config-schema";

const example = loadHomelabConfig(path.join(PROJECT_ROOT, "examples", "fast-failover.yaml"));
const withWorkers = { ...example, cluster: { ...example.cluster, workers: [{ name: "k8s-worker1", ip: "192.168.1.221" }] } };
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

describe("fast API failover", () => {
  const { json } = synthHomelab(withWorkers);
  const spec = resolveClusterSpec(withWorkers.cluster);
  const plan = fastFailoverOf(spec)!;
  const applies = blocksOf(json, "talos_machine_configuration_apply");
  const patchesOf = (block: Record<string, unknown>) => block.config_patches as string[];
  const isKeepalivedPatch = (patch: string) => patch.includes("keepalived");

  test("the example turns it on with a free VIP and a pinned image", () => {
    expect(plan).toMatchObject({ vip: "192.168.1.209", advertIntervalMs: 500 });
    expect(plan.image).toMatch(/@sha256:[0-9a-f]{64}$/);
  });

  test("each control plane's apply ends with its own keepalived patch, valid for the contract's schema; no worker gets one", () => {
    const release = talosRelease(spec.configContract)!;
    for (const node of spec.nodes) {
      const [, apply] = applies.find(([name]) => name.startsWith(`ControlPlane_Nodes_${node.name}_ConfigApply`))!;
      const patches = patchesOf(apply);
      expect(patches.filter(isKeepalivedPatch)).toHaveLength(1);
      const last = parseTalosPatch(patches[patches.length - 1]) as { machine: { files: { content: string }[] } };
      expect(talosSchemaProblems(release, last)).toEqual([]);
      expect(last.machine.files[0].content).toBe(keepalivedConfigOf(plan, node.name));
    }
    const workerApplies = applies.filter(([name]) => name.startsWith("ControlPlane_Workers_"));
    expect(workerApplies.length).toBeGreaterThan(0);
    for (const [, apply] of workerApplies) expect(patchesOf(apply).filter(isKeepalivedPatch)).toEqual([]);
    const [, workerConfiguration] = blocksOf(json, "talos_machine_configuration", "data").find(([name]) => name.includes("Worker"))!;
    expect(patchesOf(workerConfiguration).filter(isKeepalivedPatch)).toEqual([]);
  });

  test("the fast VIP is in the API server's certSANs, once, beside talos.certSANs", () => {
    const certSansOf = (props: typeof withWorkers) => {
      const [, configuration] = blocksOf(synthHomelab(props).json, "talos_machine_configuration", "data").find(([name]) => name.startsWith("ControlPlane_MachineConfiguration"))!;
      return patchesOf(configuration)
        .map((patch) => parseTalosPatch(patch) as { cluster?: { apiServer?: { certSANs?: string[] } } })
        .flatMap((patch) => patch.cluster?.apiServer?.certSANs ?? []);
    };
    expect(certSansOf(withWorkers)).toEqual(["192.168.1.209"]);
    expect(certSansOf({ ...withWorkers, cluster: { ...withWorkers.cluster, certSANs: ["k8s.home.arpa", "192.168.1.209"] } })).toEqual(["k8s.home.arpa", "192.168.1.209"]);
  });

  test("the kubeconfigs' server is the fast VIP; the node contexts stay, with a talos-vip context for Talos's VIP", () => {
    const kubeconfig = json.output.kubeconfig.value as string;
    expect(kubeconfig).toContain('server = "https://192.168.1.209:6443"');
    expect(kubeconfig).toMatch(/talos_cluster_kubeconfig\.\w+\.kubeconfig_raw/);
    const withContexts = json.output.kubeconfig_node_contexts.value as string;
    expect(withContexts).toContain('server = "https://192.168.1.209:6443"');
    expect(withContexts).toContain('{ "k8s-controller1" = "192.168.1.211", "k8s-controller2" = "192.168.1.212", "k8s-controller3" = "192.168.1.213", "talos-vip" = "192.168.1.210" }');
    expect(json.output.fast_vip.value).toBe("192.168.1.209");
    // Talos's VIP keeps working as it did: the same Layer2VIPConfig, the same cluster endpoint.
    expect(json.output.cluster_endpoint.value).toBe("https://192.168.1.210:6443");
    expect(json.output.vip.value).toBe("192.168.1.210");
  });

  test("off, with the VIP and image still written, the JSON is byte-identical to the reference homelab's", () => {
    const off = synthHomelab({ cluster: { fastFailoverEnabled: false, fastFailoverVip: "192.168.1.209", fastFailoverImage: plan.image } }).text;
    expect(sha256(off)).toBe(sha256(synthHomelab({}).text));
  });
});
