/**
 * Addresses of Talos Image Factory artefacts, and the schematic this project
 * asks it for. Pure string building, so the synthesized JSON shows the
 * literal URL a reviewer can check.
 */
import { parse, stringify } from "yaml";

/** @see https://www.talos.dev/latest/learn-more/image-factory/ */
export const DEFAULT_IMAGE_FACTORY_URL = "https://factory.talos.dev";

/** The extension that runs the QEMU guest agent inside Talos. */
export const QEMU_GUEST_AGENT_EXTENSION = "siderolabs/qemu-guest-agent";

/** The guest agent lets Proxmox shut the VM down cleanly and report its addresses. */
export const DEFAULT_SYSTEM_EXTENSIONS: readonly string[] = [QEMU_GUEST_AGENT_EXTENSION];

/**
 * Whether an image with these extensions runs the QEMU guest agent. Only then
 * may Proxmox's agent be enabled: the provider otherwise waits for an agent
 * that never answers.
 */
export function carriesGuestAgent(systemExtensions: readonly string[]): boolean {
  return systemExtensions.includes(QEMU_GUEST_AGENT_EXTENSION);
}

/** The schematic YAML the factory turns into a schematic id. */
export function renderSchematic(systemExtensions: readonly string[]): string {
  return stringify({ customization: { systemExtensions: { officialExtensions: [...systemExtensions] } } });
}

/** The official extensions a schematic YAML names (the inverse of {@link renderSchematic}); empty when it names none or is not YAML. */
export function schematicExtensions(schematic: string): string[] {
  let document: unknown;
  try {
    document = parse(schematic);
  } catch {
    return [];
  }
  const extensions = (document as { customization?: { systemExtensions?: { officialExtensions?: unknown } } } | null)?.customization?.systemExtensions?.officialExtensions;
  return Array.isArray(extensions) ? extensions.filter((extension): extension is string => typeof extension === "string") : [];
}

/**
 * How the boot disk gets the Talos image.
 * - `api`: Proxmox downloads the factory's uncompressed qcow2 as `import`
 *   content and the VM's disk is created from it with `import_from`, all
 *   through the API (Proxmox VE 8.4 or later; the datastore must allow
 *   `import` content). Proxmox decompresses only `iso` content, so this needs
 *   an uncompressed image.
 * - `ssh`: Proxmox downloads the gzip raw image as `iso` content (it can
 *   decompress gz, not the factory's default xz) and the provider imports it
 *   with `qm disk import` over SSH (any Proxmox VE 8).
 */
export type ImageImportMethod = "api" | "ssh";
export const IMAGE_IMPORT_METHODS: readonly ImageImportMethod[] = ["api", "ssh"];

/** What Proxmox downloads for each import method. */
export interface NocloudDiskImage {
  readonly url: string;
  readonly contentType: "import" | "iso";
  readonly decompressionAlgorithm?: "gz";
  /** File name extension Proxmox accepts for the content type. */
  readonly extension: "qcow2" | "img";
}

export function nocloudDiskImage(method: ImageImportMethod, factoryUrl: string, schematicId: string, talosVersion: string): NocloudDiskImage {
  const base = `${trimSlash(factoryUrl)}/image/${schematicId}/${talosVersion}`;
  return method === "api"
    ? { url: `${base}/nocloud-amd64.qcow2`, contentType: "import", extension: "qcow2" }
    : { url: `${base}/nocloud-amd64.raw.gz`, contentType: "iso", decompressionAlgorithm: "gz", extension: "img" };
}

/**
 * The installer image upgrades use (`machine.install.image`). Since Talos 1.10
 * the factory serves platform-specific installers, so upgrades keep the
 * nocloud platform and the schematic's extensions.
 */
export function nocloudInstallerImage(factoryUrl: string, schematicId: string, talosVersion: string): string {
  return `${nocloudInstallerRepository(factoryUrl, schematicId)}:${talosVersion}`;
}

/** The installer image without its tag: `<factory host>/nocloud-installer/<schematic id>`. */
export function nocloudInstallerRepository(factoryUrl: string, schematicId: string): string {
  const registryHost = trimSlash(factoryUrl).replace(/^https?:\/\//, "");
  return `${registryHost}/nocloud-installer/${schematicId}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

/**
 * The image's file name on the datastore. Per-host downloads carry the host
 * name, so that they cannot collide even when the datastore turns out to be
 * shared ("file already exists" on the second host); the cluster name keeps
 * clusters that share a host apart.
 */
export function talosImageFileName(clusterName: string, talosVersion: string, extension: string, host?: string): string {
  return `${["talos", clusterName, ...(host ? [host] : []), talosVersion, "nocloud-amd64"].join("-")}.${extension}`;
}
