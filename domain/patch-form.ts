/**
 * Which configurations the stack's node patches fit. Pure.
 *
 * The node patches (hostname, VIP) are rendered for `spec.configContract`,
 * which defaults from `talosVersion`; the base configuration they patch is
 * generated for the contract the machine secrets were created with, unless
 * `configContract` pins one (constructs/private/config-contract.ts). After an
 * OS upgrade from 1.11 to 1.12 or later, the two differ in form: the v1.11
 * base sets `machine.features.stableHostname`, the 1.12 form adds a
 * `HostnameConfig` document, and Talos machinery refuses the pair ("stable
 * hostname is already set in v1alpha1 config", config/types/network/hostname.go).
 * Contracts of the same form are interchangeable for these patches (1.12 and 1.13).
 */
import { TALOS_RELEASES, talosRelease } from "./talos-versions";

/** The contracts (`vMAJOR.MINOR`) whose configurations take the patches rendered for `contract`; empty for an unknown contract. */
export function contractsOfSamePatchForm(contract: string): string[] {
  const style = talosRelease(contract)?.networkConfigStyle;
  if (style === undefined) return [];
  return TALOS_RELEASES.filter((release) => release.networkConfigStyle === style).map((release) => `v${release.minor}`);
}

/**
 * Why a plan stops when the cluster's creation contract does not take the
 * patches, and what to set. `createdWith` is that contract, or the Terraform
 * expression that reads it from the state; `known` says whether it is one this
 * project renders (a secrets bundle imported by the provider reads `v1.3`,
 * which is not the cluster's real contract).
 */
export function patchFormMismatch(renderedFor: string, talosVersion: string, createdWith: string, known: boolean): string {
  const fix = known
    ? `Set configContract: ${createdWith} in the configuration and synthesize again`
    : `${createdWith} is not a contract this project renders (an imported secrets bundle reads v1.3): set configContract to the contract the cluster really uses (the one \`npm run secrets -- export\` noted, v1.11 to v1.13) and synthesize again`;
  return (
    `This cluster's machine configuration is generated for the Talos ${createdWith} contract, the one its machine secrets hold, ` +
    `but its node patches are written for ${renderedFor} (the default for talosVersion ${talosVersion}), whose form that configuration refuses. ` +
    `${fix} (docs/configuration.md, Talos versions).`
  );
}

/** Every contract this project renders patches for (`vMAJOR.MINOR`). */
export const RENDERED_CONTRACTS: readonly string[] = TALOS_RELEASES.map((release) => `v${release.minor}`);
