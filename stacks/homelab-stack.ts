import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { NullProvider } from "@cdktf/provider-null/lib/provider";
import { ProxmoxProvider } from "../.gen/providers/proxmox/provider";
import { TalosProvider } from "../.gen/providers/talos/provider";
import {
  ControlPlaneHa,
  ControlPlaneHaProps,
  ProxmoxConnectionProps,
  StateBackendProps,
  formatProblem,
  generatorContract,
  clusterHostsOf,
  resolveClusterSpec,
  resolveStateBackend,
  terraformAddress,
  validateProxmoxEndpoint,
  validateStateBackend,
} from "../constructs";
import { addStateBackend } from "./state-backend";

export interface HomelabStackProps {
  /** @default - the reference homelab */
  readonly cluster?: ControlPlaneHaProps;
  /** @default - endpoint from the environment, TLS verified */
  readonly proxmox?: ProxmoxConnectionProps;
  /** @default - local state in the project folder (`terraform.<stack id>.tfstate`) */
  readonly backend?: StateBackendProps;
}

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

    const output = (name: string, value: unknown, description: string, sensitive = false) =>
      new TerraformOutput(this, name, { value, description, sensitive, staticId: true });
    // The credentials are recorded once the cluster answers through the VIP.
    // (cdktf 0.21 writes an output's dependsOn as "${...}", which Terraform
    // refuses there; the override writes the plain address.)
    const gate = controlPlane.vipReadyGate.resource;
    const credentials = (name: string, value: string, description: string) =>
      new TerraformOutput(this, name, { value, description, sensitive: true, staticId: true }).addOverride("depends_on", [terraformAddress(gate)]);
    credentials("kubeconfig", controlPlane.kubeconfig.kubeconfigRaw, "Admin kubeconfig; its server is the VIP endpoint");
    credentials(
      "kubeconfig_node_contexts",
      controlPlane.kubeconfigWithNodeContexts,
      "Admin kubeconfig plus one context per control plane (kubectl --context <node>), for when the VIP is moving",
    );
    output("talosconfig", controlPlane.clientConfiguration.talosConfig, "talosctl configuration; its endpoints are the node IPs, with no default nodes (use -n)", true);
    output("cluster_endpoint", spec.clusterEndpoint, "Kubernetes API endpoint every client and worker uses");
    output("vip", spec.vip, "Floating control-plane address (Layer 2 failover, one holder at a time)");
    output("node_ips", spec.nodes.map((node) => node.ip), "Control-plane node addresses, first one bootstrapped");
    output("worker_ips", spec.workers.map((node) => node.ip), "Worker node addresses (none: workloads run on the control planes)");
    output("etcd_quorum", controlPlane.etcdQuorum, "etcd members that must be up for writes and VIP moves");
    output("etcd_failures_tolerated", controlPlane.failuresTolerated, "Control planes that may fail while etcd keeps quorum");
    output("schematic_id", controlPlane.image.schematic.id, "Talos Image Factory schematic of the node image");
    // What the operator commands (npm run verify, drill, upgrade) read: no secret among them.
    const vmOf = (role: string) => (node: { name: string; ip: string; vmId: number; proxmoxNode: string }) => ({
      name: node.name,
      ip: node.ip,
      role,
      vm_id: node.vmId,
      proxmox_host: node.proxmoxNode,
    });
    output("cluster_name", spec.clusterName, "Talos and Kubernetes cluster name");
    output("talos_version", spec.talosVersion, "Talos version the nodes run (image, installer, upgrades)");
    output("config_contract", generatorContract(spec, controlPlane.machineSecrets), "Machine-configuration contract the talos provider generates for (the cluster's creation contract unless configContract pins one)");
    output("kubernetes_version", spec.kubernetesVersion, "Kubernetes version the configuration is for");
    output("nodes", [...spec.nodes.map(vmOf("control-plane")), ...spec.workers.map(vmOf("worker"))], "Every VM: name, IP, role, VM id and Proxmox host; control planes first");
    output("installer_image_base", controlPlane.image.installerRepository, "Talos installer image of this cluster's schematic, without the version tag");
    output("proxmox_hosts", clusterHostsOf(spec), "Proxmox hosts of the cluster, in placement order");
    if (spec.haEnabled) {
      output(
        "proxmox_ha",
        { rules: spec.haRules, strict: spec.haStrict, keep_control_planes_apart: spec.haKeepControlPlanesApart, datastore_shared: spec.datastoreShared },
        "Proxmox HA settings (the review reads them): rules or groups, strictness, shared VM disks",
      );
    }
  }
}
