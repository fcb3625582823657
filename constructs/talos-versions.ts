/**
 * The Talos releases this project renders machine-config patches for, and
 * what each one supports. One table, so adding a release is one entry (plus
 * its derived config schema under .gen/talos-config-schemas/).
 */

/** How a release expects network settings: v1alpha1 fields or standalone documents. */
export type NetworkConfigStyle = "v1alpha1" | "documents";

export interface TalosRelease {
  /** `major.minor`, e.g. `1.13`. */
  readonly minor: string;
  /** Newest patch release whose config schema the tests validate against. */
  readonly schemaVersion: string;
  /**
   * Up to 1.11 the VIP and hostname live under `machine.network`; 1.12
   * deprecates that in favour of `Layer2VIPConfig` and `HostnameConfig`
   * documents (and its schema no longer has `machine.network.interfaces`).
   */
  readonly networkConfigStyle: NetworkConfigStyle;
  /** Oldest and newest Kubernetes minor the release supports, e.g. `1.31`..`1.36`. */
  readonly kubernetes: { readonly oldest: string; readonly newest: string };
}

export const TALOS_RELEASES: readonly TalosRelease[] = [
  { minor: "1.11", schemaVersion: "v1.11.6", networkConfigStyle: "v1alpha1", kubernetes: { oldest: "1.29", newest: "1.34" } },
  { minor: "1.12", schemaVersion: "v1.12.11", networkConfigStyle: "documents", kubernetes: { oldest: "1.30", newest: "1.35" } },
  { minor: "1.13", schemaVersion: "v1.13.9", networkConfigStyle: "documents", kubernetes: { oldest: "1.31", newest: "1.36" } },
];

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

/** The release entry for a Talos version string, or undefined when this project does not render it. */
export function talosRelease(talosVersion: string): TalosRelease | undefined {
  const version = parseVersion(talosVersion);
  return version && TALOS_RELEASES.find((release) => release.minor === minorOf(version));
}

function compareMinor(a: string, b: string): number {
  const [aMajor, aMinor] = a.split(".").map(Number);
  const [bMajor, bMinor] = b.split(".").map(Number);
  return aMajor - bMajor || aMinor - bMinor;
}

/** Whether the Talos release supports this Kubernetes version (`v1.36.3`). */
export function supportsKubernetes(release: TalosRelease, kubernetesVersion: string): boolean {
  const version = parseVersion(kubernetesVersion);
  if (!version) return false;
  const minor = minorOf(version);
  return compareMinor(minor, release.kubernetes.oldest) >= 0 && compareMinor(minor, release.kubernetes.newest) <= 0;
}
