/**
 * Which machine-configuration changes a Talos node applies live, and which
 * wait for its next reboot. Pure.
 *
 * From Talos's own rule (siderolabs/talos,
 * internal/app/machined/pkg/runtime/v1alpha1/v1alpha1_runtime.go,
 * `CanApplyImmediate`): it compares only the v1alpha1 document, after
 * copying over the sections that may change live. Anything else in it that
 * differs makes the change need a reboot; the stack applies with
 * `staged_if_needing_reboot`, so such a change is staged and takes effect
 * when the node next reboots. Other documents (HostnameConfig,
 * Layer2VIPConfig, RegistryMirrorConfig, ...) are not part of that
 * comparison: their controllers apply them live.
 */

/** v1alpha1 paths (dotted, from the document root) Talos applies live, with everything below them. */
export const LIVE_V1ALPHA1_PATHS: readonly string[] = [
  "debug",
  "cluster",
  "machine.ca",
  "machine.acceptedCAs",
  "machine.time",
  "machine.certSANs",
  "machine.install",
  "machine.network",
  "machine.sysfs",
  "machine.sysctls",
  "machine.logging",
  "machine.controlPlane",
  "machine.kubelet",
  "machine.kernel",
  "machine.registries",
  "machine.pods",
  "machine.seccompProfiles",
  "machine.nodeAnnotations",
  "machine.nodeLabels",
  "machine.nodeTaints",
  "machine.features.kubernetesTalosAPIAccess",
  "machine.features.kubePrism",
  "machine.features.hostDNS",
  "machine.features.imageCache",
  "machine.features.nodeAddressSortAlgorithm",
];

/** A changed place in a node's configuration: a v1alpha1 path, or another document by kind (and name). */
export interface ConfigChange {
  /** `machine.sysctls.vm.max_map_count`, or `HostnameConfig` / `Layer2VIPConfig 192.168.1.210`. */
  readonly path: string;
  /** Whether it is in the v1alpha1 document. */
  readonly v1alpha1: boolean;
}

/** Whether Talos applies this change without a reboot. */
export function appliesLive(change: ConfigChange): boolean {
  if (!change.v1alpha1) return true;
  return LIVE_V1ALPHA1_PATHS.some((live) => change.path === live || change.path.startsWith(`${live}.`));
}

type Json = unknown;

/**
 * The places where two lists of patch documents differ. v1alpha1 documents
 * (no `kind`) are merged in order, as Talos's strategic merge does for
 * mappings; a list is compared whole. Other documents are keyed by kind and name.
 */
export function changedPlaces(before: readonly Json[], after: readonly Json[]): ConfigChange[] {
  const [v1Before, docsBefore] = split(before);
  const [v1After, docsAfter] = split(after);
  const changes: ConfigChange[] = diffPaths(v1Before, v1After, "").map((path) => ({ path, v1alpha1: true }));
  for (const key of [...new Set([...docsBefore.keys(), ...docsAfter.keys()])].sort()) {
    if (JSON.stringify(docsBefore.get(key)) !== JSON.stringify(docsAfter.get(key))) changes.push({ path: key, v1alpha1: false });
  }
  return changes;
}

function split(documents: readonly Json[]): [Record<string, Json>, Map<string, Json>] {
  let merged: Record<string, Json> = {};
  const others = new Map<string, Json>();
  for (const document of documents) {
    if (!isObject(document)) continue;
    if (typeof document.kind === "string") others.set(typeof document.name === "string" ? `${document.kind} ${document.name}` : document.kind, document);
    else merged = merge(merged, document);
  }
  return [merged, others];
}

function merge(base: Record<string, Json>, patch: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : Array.isArray(current) && Array.isArray(value) ? [...current, ...value] : value;
  }
  return out;
}

function diffPaths(before: Json, after: Json, at: string): string[] {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffPaths(before[key], after[key], at ? `${at}.${key}` : key));
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [at || "(whole document)"];
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
