import { generatorContract } from "./private/config-contract";
import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { DataTalosMachineConfiguration } from "../.gen/providers/talos/data-talos-machine-configuration";
import { MachineSecrets } from "../.gen/providers/talos/machine-secrets";
import { ClusterSpec } from "../domain/cluster-spec";
import { renderWorkerPatches } from "../domain/talos-patches";
import { renderUserPatches } from "../domain/talos-user-patches";
import { renderWorkerSettingPatches } from "../domain/talos-setting-patches";
import { TalosImage } from "./talos-image";
import { TalosVmSettings } from "./private/talos-vm";
import { WorkerNode } from "./worker-node";

export interface WorkerPoolProps {
  /** The resolved cluster; its `workers` are built. */
  readonly spec: ClusterSpec;
  /** The cluster's machine secrets: workers join with the same PKI and tokens. */
  readonly machineSecrets: MachineSecrets;
  /** The image on each Proxmox host, and the installer for upgrades. */
  readonly image: TalosImage;
  /** VM settings shared with the control planes. */
  readonly vmSettings: TalosVmSettings;
  /** What the workers' applies wait for: the bootstrap (they join a running cluster). */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * The worker nodes: one worker machine configuration from the cluster's
 * machine secrets, one VM per worker (built like the control planes') and
 * one apply each. Workers reach the API through KubePrism (on by default,
 * 127.0.0.1:7445), which balances over every API server; the cluster
 * endpoint, the VIP, is their first contact and fallback.
 */
export class WorkerPool extends Construct {
  public readonly machineConfiguration: DataTalosMachineConfiguration;
  /** Workers by name, in the order given. */
  public readonly nodes: ReadonlyMap<string, WorkerNode>;

  constructor(scope: Construct, id: string, props: WorkerPoolProps) {
    super(scope, id);
    const { spec, image } = props;

    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/data-sources/machine_configuration
    this.machineConfiguration = new DataTalosMachineConfiguration(this, "MachineConfiguration", {
      clusterName: spec.clusterName,
      clusterEndpoint: spec.clusterEndpoint,
      machineType: "worker",
      machineSecrets: props.machineSecrets.machineSecrets,
      talosVersion: generatorContract(spec, props.machineSecrets),
      kubernetesVersion: spec.kubernetesVersion,
      configPatches: [
        // The user's patches first, every node's then the workers' (see ControlPlaneHa: the stack's own come last).
        ...renderUserPatches([...spec.talosPatches, ...spec.workerPatches]),
        ...renderWorkerPatches({ networkCidr: spec.networkCidr, vip: spec.vip, installerImage: image.installerImage }),
        // The typed talos.* settings; none when they are all at their defaults.
        ...renderWorkerSettingPatches({
          configContract: spec.configContract,
          metadata: { labels: spec.workerNodeLabels, taints: spec.workerNodeTaints, annotations: spec.workerNodeAnnotations },
          registryMirrors: spec.registryMirrors,
          cni: spec.cni,
          kubeProxy: spec.kubeProxy,
        }),
      ],
    });

    const nodes = new Map<string, WorkerNode>();
    for (const node of spec.workers) {
      nodes.set(
        node.name,
        new WorkerNode(this, node.name, {
          ...props.vmSettings,
          node,
          clusterName: spec.clusterName,
          configContract: spec.configContract,
          imageFileId: image.fileIdOn(node.proxmoxHost),
          clientConfiguration: props.machineSecrets.clientConfiguration,
          machineConfiguration: this.machineConfiguration.machineConfiguration,
          dependsOn: props.dependsOn,
        }),
      );
    }
    this.nodes = nodes;
  }
}
