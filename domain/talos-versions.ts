/**
 * Talos versions, in the two roles they play (one table each, so adding a
 * release is one entry):
 * - the OS the nodes run (image, installer, upgrades): `TALOS_OS_RELEASES`,
 *   with the Kubernetes versions each supports;
 * - the machine-configuration contract the talos provider generates for
 *   (`talos_version` of `talos_machine_configuration`), which picks the patch
 *   form and the Talos config schema the patches are checked against:
 *   `TALOS_RELEASES` (the contracts this project renders patches for).
 * A node runs a configuration of its own or an older contract; a contract
 * must not change under a running cluster (siderolabs/talos issue 13885).
 */

/** How a contract expects network settings: v1alpha1 fields or standalone documents. */
export type NetworkConfigStyle = "v1alpha1" | "documents";

export interface TalosOsRelease {
  /** `major.minor`, e.g. `1.14`. */
  readonly minor: string;
  /** Oldest and newest Kubernetes minor the release runs (siderolabs/talos pkg/machinery/compatibility/talos1NN). */
  readonly kubernetes: { readonly oldest: string; readonly newest: string };
}

export interface TalosRelease extends TalosOsRelease {
  /** Newest patch release whose config schema the tests validate against. */
  readonly schemaVersion: string;
  /**
   * Up to 1.11 the VIP and hostname live under `machine.network`; 1.12
   * deprecates that in favour of `Layer2VIPConfig` and `HostnameConfig`
   * documents (and its schema no longer has `machine.network.interfaces`).
   */
  readonly networkConfigStyle: NetworkConfigStyle;
}

/** The machine-configuration contracts this project renders patches for. */
export const TALOS_RELEASES: readonly TalosRelease[] = [
  { minor: "1.11", schemaVersion: "v1.11.6", networkConfigStyle: "v1alpha1", kubernetes: { oldest: "1.29", newest: "1.34" } },
  { minor: "1.12", schemaVersion: "v1.12.11", networkConfigStyle: "documents", kubernetes: { oldest: "1.30", newest: "1.35" } },
  { minor: "1.13", schemaVersion: "v1.13.9", networkConfigStyle: "documents", kubernetes: { oldest: "1.31", newest: "1.36" } },
];

/** The Talos releases the nodes may run: every contract's release, and 1.14 (on a 1.13 contract). */
export const TALOS_OS_RELEASES: readonly TalosOsRelease[] = [
  ...TALOS_RELEASES,
  // siderolabs/talos v1.14.0-rc.1 pkg/machinery/compatibility/talos114/talos114.go: Kubernetes 1.32.0 to 1.37.99.
  { minor: "1.14", kubernetes: { oldest: "1.32", newest: "1.37" } },
];

/**
 * The newest contract the pinned talos provider can generate: 0.11.0 vendors
 * Talos machinery v1.13.0 (its go.mod), which knows contracts up to 1.13 and,
 * given a newer one, silently generates the 1.13 layout.
 */
export const PROVIDER_NEWEST_CONTRACT = { minor: "1.13", provider: "siderolabs/talos 0.11.0", machinery: "v1.13.0" } as const;

export interface SemanticVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Parses `v1.13.9` (the leading `v` is required, as Talos and Kubernetes tag releases). */
export function parseVersion(text: string): SemanticVersion | undefined {
  const match = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(text);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

function minorOf(version: SemanticVersion): string {
  return `${version.major}.${version.minor}`;
}

/** The contract entry for a contract (`v1.13`) or a full version (`v1.13.9`), or undefined when this project does not render it. */
export function talosRelease(contractOrVersion: string): TalosRelease | undefined {
  const minor = contractMinor(contractOrVersion);
  return minor === undefined ? undefined : TALOS_RELEASES.find((release) => release.minor === minor);
}

/** The OS release of a node version (`v1.14.7`), or undefined when the nodes may not run it. */
export function talosOsRelease(talosVersion: string): TalosOsRelease | undefined {
  const version = parseVersion(talosVersion);
  return version && TALOS_OS_RELEASES.find((release) => release.minor === minorOf(version));
}

/** `1.13` of `v1.13` or `v1.13.9`; undefined when it is neither form. */
export function contractMinor(contractOrVersion: string): string | undefined {
  const match = /^v(0|[1-9]\d*)\.(0|[1-9]\d*)(\.(0|[1-9]\d*))?$/.exec(contractOrVersion);
  return match ? `${match[1]}.${match[2]}` : undefined;
}

/**
 * The contract a new cluster gets: the nodes' release, capped at the newest
 * the provider generates (`v1.13` for Talos v1.14.7 on provider 0.11.0).
 */
export function defaultContract(talosVersion: string): string {
  const minor = contractMinor(talosVersion);
  if (minor === undefined) return talosVersion;
  return `v${compareMinor(minor, PROVIDER_NEWEST_CONTRACT.minor) > 0 ? PROVIDER_NEWEST_CONTRACT.minor : minor}`;
}

export function compareMinor(a: string, b: string): number {
  const [aMajor, aMinor] = a.split(".").map(Number);
  const [bMajor, bMinor] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Whether the Talos release supports this Kubernetes version (`v1.36.3`). */
export function supportsKubernetes(release: TalosOsRelease, kubernetesVersion: string): boolean {
  const version = parseVersion(kubernetesVersion);
  if (!version) return false;
  const minor = minorOf(version);
  return compareMinor(minor, release.kubernetes.oldest) >= 0 && compareMinor(minor, release.kubernetes.newest) <= 0;
}
