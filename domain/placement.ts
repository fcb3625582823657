/**
 * Which Proxmox host runs each VM. Pure.
 *
 * With `proxmox.nodes`, a VM that names no host of its own goes to the host
 * with the fewest VMs of its kind, counting the ones pinned there:
 * - control planes first, ties going to the first host in the list, so no two
 *   share a host while there are at least as many hosts as control planes;
 * - then workers, ties going round-robin on from the host after the last
 *   control plane's.
 * With nothing pinned this is the plain rotation (control planes 0..n-1, then
 * workers n..), so clusters placed by it keep their hosts. Counting pinned VMs
 * keeps, for example, three workers from landing on one of two hosts because
 * pinned control planes moved the rotation.
 * Without `proxmox.nodes`, every such VM goes to `proxmox.node`.
 */

export interface Placed {
  /** The host of each control plane, in order. */
  readonly controlPlanes: readonly string[];
  /** The host of each worker, in order. */
  readonly workers: readonly string[];
}

/**
 * Places every VM. `own` is a node's `proxmoxNode` (undefined: place it).
 */
export function placeNodes(
  controlPlanes: readonly { readonly own?: string }[],
  workers: readonly { readonly own?: string }[],
  hosts: readonly string[],
  defaultHost: string,
): Placed {
  if (hosts.length === 0) {
    return { controlPlanes: controlPlanes.map(({ own }) => own ?? defaultHost), workers: workers.map(({ own }) => own ?? defaultHost) };
  }
  return {
    controlPlanes: balance(controlPlanes, hosts, 0),
    workers: balance(workers, hosts, controlPlanes.length % hosts.length),
  };
}

/** Pinned nodes keep their host; each other one takes the least-used host, ties in rotation order from `start`. */
function balance(nodes: readonly { readonly own?: string }[], hosts: readonly string[], start: number): string[] {
  const count = new Map<string, number>(hosts.map((host) => [host, 0]));
  for (const { own } of nodes) if (own !== undefined) count.set(own, (count.get(own) ?? 0) + 1);
  const rotation = hosts.map((_, offset) => hosts[(start + offset) % hosts.length]);
  let next = 0;
  return nodes.map(({ own }) => {
    if (own !== undefined) return own;
    const fewest = Math.min(...hosts.map((host) => count.get(host)!));
    // The first least-used host at or after the rotation's current position.
    const offset = [...rotation.keys()].map((step) => (next + step) % rotation.length).find((index) => count.get(rotation[index]) === fewest)!;
    const host = rotation[offset];
    count.set(host, fewest + 1);
    next = (offset + 1) % rotation.length;
    return host;
  });
}
