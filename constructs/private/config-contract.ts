import { MachineSecrets } from "../../.gen/providers/talos/machine-secrets";
import { ClusterSpec } from "../../domain/cluster-spec";

/**
 * The contract `talos_machine_configuration` generates for. Set explicitly,
 * it is that; otherwise it is the machine secrets' `talos_version` as the
 * state holds it: the contract the cluster was created with, since the
 * secrets ignore later changes of it. So raising `talosVersion` upgrades the
 * OS and never the contract (a contract change under a running cluster is how
 * etcd secret encryption broke after moving to 1.14: siderolabs/talos issue
 * 13885, terraform-provider-talos issue 399).
 */
export function generatorContract(spec: ClusterSpec, machineSecrets: MachineSecrets): string {
  return spec.configContractGiven ? spec.configContract : machineSecrets.talosVersion;
}
