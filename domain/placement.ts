/**
 * Which Proxmox host runs each VM. Pure.
 *
 * With `proxmox.nodes`, VMs that name no host are spread round-robin over
 * those hosts in order, control planes first (so no two share a host while
 * there are at least as many hosts as control planes), then workers,
 * continuing the same rotation. Without, every such VM goes to the default host.
 */

/**
 * The host of the VM at position `index` in the rotation (control planes
 * 0..n-1, then workers n..), unless it names its own.
 */
export function placedHost(own: string | undefined, index: number, hosts: readonly string[], defaultHost: string): string {
  if (own !== undefined) return own;
  return hosts.length > 0 ? hosts[index % hosts.length] : defaultHost;
}
