import { Construct } from "constructs";
import { MachineConfigurationApply, MachineConfigurationApplyClientConfiguration } from "../.gen/providers/talos/machine-configuration-apply";
import { VirtualEnvironmentVm } from "../.gen/providers/proxmox/virtual-environment-vm";
import { NodeSpec } from "../domain/cluster-spec";
import { renderNodePatches } from "../domain/talos-patches";
import { renderUserPatches } from "../domain/talos-user-patches";
import { renderNodeMetadataPatches } from "../domain/talos-setting-patches";
import { TalosVmSettings, talosConfigApply, talosVm } from "./private/talos-vm";
import { FastFailoverPlan, renderFastFailoverNodePatch } from "../domain/fast-failover";
import { terraformLiteral } from "../domain/talos-setting-patches";

export interface ControlPlaneNodeConstructProps extends TalosVmSettings {
  readonly node: NodeSpec;
  readonly clusterName: string;
  /** The machine-configuration contract the node's patches are written for (`vMAJOR.MINOR`). */
  readonly configContract: string;
  readonly vip: string;
  /** Proxmox volume id of the Talos nocloud image on this node's host. */
  readonly imageFileId: string;
  /** Talos client credentials from the machine secrets. */
  readonly clientConfiguration: MachineConfigurationApplyClientConfiguration;
  /** The rendered controlplane machine configuration (sensitive). */
  readonly machineConfiguration: string;
  /**
   * The cluster's fast API failover: this node's keepalived files and static pod.
   * @default - none (Talos's VIP only)
   */
  readonly fastFailover?: FastFailoverPlan;
}

/**
 * One control plane: the Proxmox VM, set up as Talos recommends, and the
 * apply of its machine configuration with its own patches (VIP, hostname).
 */
export class ControlPlaneNode extends Construct {
  public readonly vm: VirtualEnvironmentVm;
  public readonly configApply: MachineConfigurationApply;

  constructor(scope: Construct, id: string, props: ControlPlaneNodeConstructProps) {
    super(scope, id);
    const { node } = props;

    // The VM and the apply are shared with the workers (talos-vm.ts); their ids stay `Vm` and `ConfigApply`.
    this.vm = talosVm(this, "Vm", {
      ...props,
      description: `Talos control plane of cluster ${props.clusterName}`,
      tags: [props.clusterName, "control-plane", "talos"],
    });
    this.configApply = talosConfigApply(this, "ConfigApply", {
      node,
      vm: this.vm,
      clientConfiguration: props.clientConfiguration,
      machineConfiguration: props.machineConfiguration,
      configPatches: [
        // The node's own user patches, after its role's (in the machine configuration) and before the stack's node patches.
        ...renderUserPatches(node.patches),
        ...renderNodePatches({
          configContract: props.configContract,
          hostname: node.name,
          macAddress: node.macAddress,
          vip: props.vip,
        }),
        // The node's own labels, taints and annotations, merged by Talos over its role's.
        ...renderNodeMetadataPatches({ labels: node.nodeLabels, taints: node.nodeTaints, annotations: node.nodeAnnotations }),
        // The fast API failover's keepalived (its config differs per node: the unicast source and peers, the MAC).
        ...(props.fastFailover ? [terraformLiteral(renderFastFailoverNodePatch(props.fastFailover, node.name))] : []),
      ],
    });
  }
}
