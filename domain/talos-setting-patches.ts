/**
 * Patches for the typed Talos settings (`talos.*` in the config file): node
 * labels, taints and annotations, extra API server certSANs, registry mirrors,
 * the CNI and kube-proxy. Pure, like talos-patches.ts, beside which they are
 * applied; each renderer returns no patch at all for settings left at their
 * defaults, so a cluster that uses none of them keeps its exact patches.
 *
 * The form follows the machine-configuration contract: registry mirrors are
 * `machine.registries.mirrors` up to v1.11 and `RegistryMirrorConfig`
 * documents from v1.12 (whose schema no longer has `machine.registries`).
 * Every patch rendered here is validated in the tests against Talos's config
 * JSON schema of its contract.
 */
import { stringify } from "yaml";
import { CniKind } from "./cluster-fields";
import { compareMinor, contractMinor } from "./talos-versions";

/** The first contract whose registry mirrors are `RegistryMirrorConfig` documents (siderolabs/talos 1.12 `cri.RegistryMirrorConfigV1Alpha1`). */
export const REGISTRY_MIRROR_DOCUMENTS_SINCE = "1.12";

type TextMap = Readonly<Record<string, string>>;

/** Kubernetes metadata Talos puts on a node: `machine.nodeLabels`, `nodeTaints`, `nodeAnnotations`. */
export interface NodeMetadata {
  readonly labels?: TextMap;
  readonly taints?: TextMap;
  readonly annotations?: TextMap;
}

/** Settings shared by every node of a role. */
export interface RoleSettingsInput {
  /** The machine-configuration contract, `vMAJOR.MINOR` (a full version is read as its minor): picks the patch form. */
  readonly configContract: string;
  /** The role's labels, taints and annotations. */
  readonly metadata: NodeMetadata;
  /** `<registry>: [endpoint URLs]`. */
  readonly registryMirrors: Readonly<Record<string, readonly string[]>>;
  readonly cni: CniKind;
  /** Whether kube-proxy runs (`cluster.proxy.disabled` when not). */
  readonly kubeProxy: boolean;
}

export interface ControlPlaneSettingsInput extends RoleSettingsInput {
  /** Extra API server certificate names. */
  readonly certSANs: readonly string[];
  /** The manifests' YAML text, with `cni: manifests`: inline manifests of the control planes. */
  readonly cniManifests: readonly string[];
}

/** The name Talos gives the n-th CNI manifest (from 0) in `cluster.inlineManifests`. */
export function cniManifestName(index: number): string {
  return `cni-${index + 1}`;
}

/**
 * The control planes' settings: their labels, taints and annotations, the
 * certSANs, the registry mirrors, the CNI with its manifests, and kube-proxy.
 * Empty when every setting is at its default.
 */
export function renderControlPlaneSettingPatches(input: ControlPlaneSettingsInput): string[] {
  const cluster = {
    ...clusterNetwork(input),
    ...(input.certSANs.length > 0 ? { apiServer: { certSANs: [...input.certSANs] } } : {}),
    ...(input.cni === "manifests" && input.cniManifests.length > 0
      ? { inlineManifests: input.cniManifests.map((contents, index) => ({ name: cniManifestName(index), contents })) }
      : {}),
  };
  return [...(Object.keys(cluster).length > 0 ? [toYaml({ cluster })] : []), ...renderNodeMetadataPatches(input.metadata), ...registryMirrorPatches(input)];
}

/** The workers' settings: their labels, taints and annotations, the registry mirrors, the CNI choice and kube-proxy. */
export function renderWorkerSettingPatches(input: RoleSettingsInput): string[] {
  const cluster = clusterNetwork(input);
  return [...(Object.keys(cluster).length > 0 ? [toYaml({ cluster })] : []), ...renderNodeMetadataPatches(input.metadata), ...registryMirrorPatches(input)];
}

/**
 * One node's own labels, taints and annotations, applied after its role's
 * configuration: Talos merges the maps key by key, so a key the node sets
 * wins and the role's other keys stay. Empty when it sets none.
 */
export function renderNodeMetadataPatches(metadata: NodeMetadata): string[] {
  const machine = {
    ...nonEmpty("nodeLabels", metadata.labels),
    ...nonEmpty("nodeTaints", metadata.taints),
    ...nonEmpty("nodeAnnotations", metadata.annotations),
  };
  return Object.keys(machine).length > 0 ? [toYaml({ machine })] : [];
}

/** `cluster.network.cni` and `cluster.proxy`, as the same on every node (Talos's Cilium guide patches both roles). */
function clusterNetwork(input: RoleSettingsInput): Record<string, unknown> {
  return {
    ...(input.cni === "flannel" ? {} : { network: { cni: { name: "none" } } }),
    ...(input.kubeProxy ? {} : { proxy: { disabled: true } }),
  };
}

function registryMirrorPatches(input: RoleSettingsInput): string[] {
  const registries = Object.entries(input.registryMirrors);
  if (registries.length === 0) return [];
  const minor = contractMinor(input.configContract);
  if (minor === undefined) throw new Error(`no machine-config patch form for the Talos contract ${input.configContract}`);
  if (compareMinor(minor, REGISTRY_MIRROR_DOCUMENTS_SINCE) < 0) {
    const mirrors = Object.fromEntries(registries.map(([registry, endpoints]) => [registry, { endpoints: [...endpoints] }]));
    return [toYaml({ machine: { registries: { mirrors } } })];
  }
  return registries.map(([registry, endpoints]) =>
    toYaml({ apiVersion: "v1alpha1", kind: "RegistryMirrorConfig", name: registry, endpoints: endpoints.map((url) => ({ url })) }),
  );
}

function nonEmpty(key: string, map: TextMap | undefined): Record<string, TextMap> {
  return map && Object.keys(map).length > 0 ? { [key]: { ...map } } : {};
}

/**
 * The text as a literal in Terraform's JSON: Terraform evaluates `${...}` and
 * `%{...}` in every string, and reads `$${` and `%%{` as the literal `${` and
 * `%{`. The manifests are the one user text allowed to hold them (a Helm
 * chart's scripts do); CI proves with real Terraform state that the text
 * comes back byte for byte (.ci/ci-terraform-literal.sh).
 */
export function terraformLiteral(text: string): string {
  // A function, not a replacement string, in which `$$` would mean one `$`.
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

function toYaml(document: object): string {
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
