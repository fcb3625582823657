import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { ProxmoxProvider } from "../.gen/providers/proxmox/provider";
import { TalosProvider } from "../.gen/providers/talos/provider";
import { ControlPlaneHa } from "../constructs";
import { terraformAddress } from "../constructs/private/terraform-address";
import {
  HomelabStackProps,
  STACK_OUTPUTS,
  StackOutputName,
  clusterHostsOf,
  formatProblem,
  nodeRecords,
  proxmoxHaRecord,
  resolveClusterSpec,
  resolveStateBackend,
  validateProxmoxEndpoint,
  validateStateBackend,
} from "../domain";
import { addStateBackend } from "./state-backend";

export type { HomelabStackProps } from "../domain";

/** Version of hashicorp/null the prebuilt bindings were made from; pinned exactly like the others. */
const NULL_PROVIDER_VERSION = "3.2.4";

/**
 * The deployable unit: providers, state backend, the control plane and its
 * outputs. Terraform state stays in the project folder (outside cdktf.out)
 * or, with `backend.type: pg`, in PostgreSQL (./state-backend.ts).
 */
export class HomelabStack extends TerraformStack {
  public readonly controlPlane: ControlPlaneHa;

  constructor(scope: Construct, id: string, props: HomelabStackProps = {}) {
    super(scope, id);
    const endpointProblems = props.proxmox?.endpoint !== undefined ? validateProxmoxEndpoint("proxmox.endpoint", props.proxmox.endpoint) : [];
    if (endpointProblems.length > 0) {
      throw new Error(`HomelabStack ${id}: invalid Proxmox connection:\n  ${endpointProblems.map(formatProblem).join("\n  ")}`);
    }
    // Resolved here for the backend and the provider; the construct resolves (and validates) it again from the same props.
    const { clusterName, imageFactoryUrl } = resolveClusterSpec(props.cluster);
    const backendProblems = validateStateBackend(props.backend, clusterName);
    if (backendProblems.length > 0) {
      throw new Error(`HomelabStack ${id}: invalid state backend:\n  ${backendProblems.map(formatProblem).join("\n  ")}`);
    }
    addStateBackend(this, id, resolveStateBackend(props.backend, clusterName));

    // The API token comes from PROXMOX_VE_API_TOKEN (and the endpoint from
    // PROXMOX_VE_ENDPOINT when not configured); nothing secret is synthesized.
    new ProxmoxProvider(this, "proxmox", {
      endpoint: props.proxmox?.endpoint,
      insecure: props.proxmox?.insecure,
    });
    // The schematic is made by the factory the construct's image URLs point at.
    new TalosProvider(this, "talos", { imageFactoryUrl });
    new NullProvider(this, "null");
    this.addOverride("terraform.required_providers.null", { source: "hashicorp/null", version: NULL_PROVIDER_VERSION });

    const controlPlane = new ControlPlaneHa(this, "ControlPlane", props.cluster);
    this.controlPlane = controlPlane;
    const { spec } = controlPlane;

    // Every output as the stack-output contract (domain/stack-outputs.ts) defines it.
    const output = (name: StackOutputName, value: unknown) => new TerraformOutput(this, name, { value, ...STACK_OUTPUTS[name], staticId: true });
    // The credentials are recorded once the cluster answers through the VIP.
    // (cdktf 0.21 writes an output's dependsOn as "${...}", which Terraform
    // refuses there; the override writes the plain address.)
    const gate = controlPlane.vipReadyGate.resource;
    const credentials = (name: StackOutputName, value: string) => output(name, value).addOverride("depends_on", [terraformAddress(gate)]);
    credentials("kubeconfig", controlPlane.adminKubeconfig);
    credentials("kubeconfig_node_contexts", controlPlane.kubeconfigWithNodeContexts);
    output("talosconfig", controlPlane.clientConfiguration.talosConfig);
    output("cluster_endpoint", spec.clusterEndpoint);
    output("vip", spec.vip);
    output("node_ips", spec.nodes.map((node) => node.ip));
    output("worker_ips", spec.workers.map((node) => node.ip));
    output("etcd_quorum", controlPlane.etcdQuorum);
    output("etcd_failures_tolerated", controlPlane.failuresTolerated);
    output("schematic_id", controlPlane.image.schematic.id);
    // What the operator commands (npm run verify, drill, upgrade) read: no secret among them.
    output("cluster_name", spec.clusterName);
    output("talos_version", spec.talosVersion);
    output("config_contract", controlPlane.configContract);
    output("kubernetes_version", spec.kubernetesVersion);
    output("nodes", nodeRecords(spec));
    output("installer_image_base", controlPlane.image.installerRepository);
    output("proxmox_hosts", clusterHostsOf(spec));
    const proxmoxHa = proxmoxHaRecord(spec);
    if (proxmoxHa !== undefined) output("proxmox_ha", proxmoxHa);
    if (controlPlane.fastFailover) output("fast_vip", controlPlane.fastFailover.vip);
  }
}
