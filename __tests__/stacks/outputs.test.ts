/**
 * The stack writes its outputs as the stack-output contract says
 * (domain/stack-outputs.ts), and the contract's own parser, the one the
 * operator commands use on `terraform output -json`, reads them back from the
 * synthesized JSON of the reference homelab and of every example.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { HomelabStackProps, STACK_OUTPUTS, StackOutputName, nodeRecords, parseStackOutputs, resolveClusterSpec } from "../../domain";
import { PROJECT_ROOT } from "../support/project-root";
import { synthHomelab } from "../support/synth";

const examples = fs.readdirSync(path.join(PROJECT_ROOT, "examples")).filter((file) => file.endsWith(".yaml")).sort();
const stacks: [string, HomelabStackProps][] = [
  ["the reference homelab", {}],
  ...examples.map((file): [string, HomelabStackProps] => [file, loadHomelabConfig(path.join(PROJECT_ROOT, "examples", file))]),
];

describe("the stack's outputs", () => {
  test.each(stacks)("%s: every output is the contract's, and the contract's parser reads them", (_label, props) => {
    // GIVEN the synthesized stack
    const { json } = synthHomelab(props);
    const spec = resolveClusterSpec(props.cluster);
    // THEN each output has the contract's name, description and sensitivity
    for (const [name, output] of Object.entries(json.output)) {
      expect(Object.keys(STACK_OUTPUTS)).toContain(name);
      const contract = STACK_OUTPUTS[name as StackOutputName];
      expect({ name, sensitive: output.sensitive, description: (output as { description?: string }).description }).toEqual({ name, ...contract });
    }
    // WHEN the operator commands' parser reads the output block
    const { facts, credentials } = parseStackOutputs(JSON.stringify(json.output));
    // THEN the facts are the configuration's; values known only at deploy time are references
    expect(facts).toMatchObject({ clusterName: spec.clusterName, vip: spec.vip, clusterEndpoint: spec.clusterEndpoint, talosVersion: spec.talosVersion, kubernetesVersion: spec.kubernetesVersion });
    expect(facts.nodes.map((node) => [node.name, node.ip, node.role, node.vmId, node.proxmoxHost])).toEqual(
      nodeRecords(spec).map((record) => [record.name, record.ip, record.role, record.vm_id, record.proxmox_host]),
    );
    expect(facts.installerImageBase).toMatch(/^\$\{talos_image_factory_schematic\.\w+\.id\}$|\/nocloud-installer\//);
    // Talos's kubeconfig as it is; with the fast failover, the same with the fast VIP as its server.
    const kubeconfig = spec.fastFailoverEnabled ? new RegExp(`^\\$\\{yamlencode\\(merge\\(yamldecode\\(talos_cluster_kubeconfig\\.\\w+\\.kubeconfig_raw\\).*server = "https://${spec.fastFailoverVip?.replaceAll(".", "\\.")}:6443"`) : /^\$\{talos_cluster_kubeconfig\.\w+\.kubeconfig_raw\}$/;
    expect(credentials?.kubeconfig).toMatch(kubeconfig);
  });

  test("fails to parse a stack whose nodes output lost a field of the contract", () => {
    const { json } = synthHomelab();
    const output = JSON.parse(JSON.stringify(json.output)) as Record<string, { value: Record<string, unknown>[] }>;
    delete output.nodes.value[0].proxmox_host;
    expect(() => parseStackOutputs(JSON.stringify(output))).toThrow(/output nodes\[0\] is not \{name, ip, role: control-plane\|worker, vm_id, proxmox_host\}/);
  });
});
