import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { MachineConfigurationApply, MachineConfigurationApplyClientConfiguration } from "../.gen/providers/talos/machine-configuration-apply";
import { VirtualEnvironmentVm } from "../.gen/providers/proxmox/virtual-environment-vm";
import { NodeSpec } from "../domain/cluster-spec";
import { renderWorkerNodePatches } from "../domain/talos-patches";
import { renderUserPatches } from "../domain/talos-user-patches";
import { renderNodeMetadataPatches } from "../domain/talos-setting-patches";
import { TalosVmSettings, talosConfigApply, talosVm } from "./private/talos-vm";

export interface WorkerNodeConstructProps extends TalosVmSettings {
  readonly node: NodeSpec;
  readonly clusterName: string;
  /** The machine-configuration contract the node's patches are written for (`vMAJOR.MINOR`). */
  readonly configContract: string;
  /** Proxmox volume id of the Talos nocloud image on this node's host. */
  readonly imageFileId: string;
  /** Talos client credentials from the machine secrets. */
  readonly clientConfiguration: MachineConfigurationApplyClientConfiguration;
  /** The rendered worker machine configuration (sensitive). */
  readonly machineConfiguration: string;
  /** What the apply waits for besides the VM: the bootstrap. */
  readonly dependsOn: ITerraformDependable[];
}

/**
 * One worker: the Proxmox VM, built like a control plane's, and the apply of
 * the worker machine configuration with its static hostname.
 */
export class WorkerNode extends Construct {
  public readonly vm: VirtualEnvironmentVm;
  public readonly configApply: MachineConfigurationApply;

  constructor(scope: Construct, id: string, props: WorkerNodeConstructProps) {
    super(scope, id);
    const { node } = props;
    this.vm = talosVm(this, "Vm", {
      ...props,
      description: `Talos worker of cluster ${props.clusterName}`,
      tags: ["talos", "worker", props.clusterName],
    });
    this.configApply = talosConfigApply(this, "ConfigApply", {
      node,
      vm: this.vm,
      clientConfiguration: props.clientConfiguration,
      machineConfiguration: props.machineConfiguration,
      configPatches: [
        // The node's own user patches, after its role's (in the machine configuration) and before the stack's node patches.
        ...renderUserPatches(node.patches),
        ...renderWorkerNodePatches({ configContract: props.configContract, hostname: node.name }),
        // The node's own labels, taints and annotations, merged by Talos over its role's.
        ...renderNodeMetadataPatches({ labels: node.nodeLabels, taints: node.nodeTaints, annotations: node.nodeAnnotations }),
      ],
      dependsOn: props.dependsOn,
    });
  }
}
