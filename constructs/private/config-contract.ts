import { Precondition } from "cdktf";
import { MachineSecrets } from "../../.gen/providers/talos/machine-secrets";
import { ClusterSpec } from "../../domain/cluster-spec";
import { RENDERED_CONTRACTS, contractsOfSamePatchForm, patchFormMismatch } from "../../domain/patch-form";
import { terraformAddress } from "./terraform-address";

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

/**
 * With the contract read from the state, a plan-time check that it takes the
 * form of the node patches (domain/patch-form.ts), so an OS upgrade from 1.11
 * stops at `terraform plan` with what to set, before any node is given a
 * configuration Talos refuses. None when `configContract` pins the contract:
 * then the configuration and its patches are generated for the same one.
 */
export function patchFormPreconditions(spec: ClusterSpec, machineSecrets: MachineSecrets): Precondition[] {
  if (spec.configContractGiven) return [];
  const contract = `${terraformAddress(machineSecrets)}.talos_version`;
  const message = (known: boolean) => JSON.stringify(patchFormMismatch(spec.configContract, spec.talosVersion, `\${${contract}}`, known));
  return [
    {
      condition: `\${contains(${JSON.stringify(contractsOfSamePatchForm(spec.configContract))}, ${contract})}`,
      // The advice differs for a contract this project does not render (an imported bundle's v1.3).
      errorMessage: `\${contains(${JSON.stringify(RENDERED_CONTRACTS)}, ${contract}) ? ${message(true)} : ${message(false)}}`,
    },
  ];
}

/** `{ lifecycle: { precondition } }` for the control planes' machine configuration, or nothing when there is no check. */
export function patchFormLifecycle(spec: ClusterSpec, machineSecrets: MachineSecrets): { lifecycle?: { precondition: Precondition[] } } {
  const precondition = patchFormPreconditions(spec, machineSecrets);
  return precondition.length > 0 ? { lifecycle: { precondition } } : {};
}
