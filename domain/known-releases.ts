/**
 * The patch releases that exist, for the Talos minors of `TALOS_OS_RELEASES`
 * and the Kubernetes minors those releases run: a version past the newest
 * known patch (`v1.13.99`) is most likely a typo, or a release newer than this
 * list, so it is a warning, never a refusal. Patches are numbered without
 * gaps, so each minor's newest release stands for all of them (`v1.13.9`:
 * v1.13.0 to v1.13.9); `undefined` means the minor has only pre-releases.
 *
 * Update by listing the tags again (the commands below) and setting each
 * minor's newest; a test checks every supported minor has an entry.
 */
import { parseVersion } from "./talos-versions";

/**
 * Talos: the `vX.Y.Z` tags of github:siderolabs/talos (`git tag`), read
 * 2026-12-04 from the snapshot whose newest tag is v1.13.9 (2026-08-19);
 * 1.14 had v1.14.0-rc.1 only.
 */
export const TALOS_NEWEST_PATCHES: Readonly<Record<string, string | undefined>> = {
  "1.11": "v1.11.6",
  "1.12": "v1.12.11",
  "1.13": "v1.13.9",
  "1.14": undefined,
};

/**
 * Kubernetes: the `kubernetes-X.Y.Z` tags of github:kubernetes/component-base,
 * which the Kubernetes publishing bot tags for every kubernetes/kubernetes
 * release (the kubernetes repository itself is too large to fetch here), read
 * 2026-12-04 from the snapshot whose newest tag is kubernetes-1.36.3
 * (2026-07-22); 1.37 had v1.37.0-beta.0 only.
 */
export const KUBERNETES_NEWEST_PATCHES: Readonly<Record<string, string | undefined>> = {
  "1.29": "v1.29.15",
  "1.30": "v1.30.14",
  "1.31": "v1.31.14",
  "1.32": "v1.32.13",
  "1.33": "v1.33.13",
  "1.34": "v1.34.10",
  "1.35": "v1.35.7",
  "1.36": "v1.36.3",
  "1.37": undefined,
};

/**
 * Why a version is not a known release, or undefined when it is one (or is
 * malformed, or of a minor the list does not cover: validation speaks of those).
 * `field` names the setting, e.g. `talosVersion`.
 */
export function unknownReleaseWarning(product: "Talos" | "Kubernetes", field: string, version: string | undefined): string | undefined {
  const parsed = parseVersion(version ?? "");
  if (!parsed) return undefined;
  const minor = `${parsed.major}.${parsed.minor}`;
  const table = product === "Talos" ? TALOS_NEWEST_PATCHES : KUBERNETES_NEWEST_PATCHES;
  if (!(minor in table)) return undefined;
  const newest = table[minor];
  const newestPatch = newest === undefined ? undefined : parseVersion(newest)?.patch;
  if (newestPatch !== undefined && parsed.patch <= newestPatch) return undefined;
  const known =
    newest === undefined ? `${product} ${minor} had only pre-releases when the list was read` : `the newest known ${product} ${minor} patch is ${newest}`;
  return `${field} ${version} is not a known ${product} release (yet): ${known}; check the version (if it is a newer release, update domain/known-releases.ts)`;
}
