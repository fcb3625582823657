/**
 * The bpg/proxmox types this stack once used under their long names.
 * bpg/proxmox 0.111.1 deprecates `proxmox_virtual_environment_download_file`,
 * `_haresource` and `_hagroup` (they go in 1.0) and warns on every plan; their
 * short names take a long-named resource's state over (MoveResourceState).
 * The constructs write a `moved` block from each resource's long-named
 * address, so a state from before moves and nothing is replaced
 * (docs/state.md); the review reads a base stack of either age.
 */

/** `proxmox_download_file`: the Talos image on a host. */
export const DOWNLOAD_FILE_TYPE = "proxmox_download_file";
/** `proxmox_haresource`: a VM under Proxmox HA. */
export const HA_RESOURCE_TYPE = "proxmox_haresource";
/** `proxmox_hagroup`: a Proxmox VE 8 HA group. */
export const HA_GROUP_TYPE = "proxmox_hagroup";

/** Each short type name's deprecated long name, the type a state from before this change holds. */
export const LONG_TYPE_NAMES: Readonly<Record<string, string>> = {
  [DOWNLOAD_FILE_TYPE]: "proxmox_virtual_environment_download_file",
  [HA_RESOURCE_TYPE]: "proxmox_virtual_environment_haresource",
  [HA_GROUP_TYPE]: "proxmox_virtual_environment_hagroup",
};

/** The address a resource of a short-named type had under the long name (same name part), or undefined for other types. */
export function longNamedAddress(type: string, name: string): string | undefined {
  const long = LONG_TYPE_NAMES[type];
  return long === undefined ? undefined : `${long}.${name}`;
}
