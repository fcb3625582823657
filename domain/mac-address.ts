import { createHash } from "node:crypto";

/**
 * A stable, locally administered unicast MAC address for a node.
 *
 * Derived from the cluster and node names, so it survives re-creating the VM
 * and does not depend on list order. Talos selects the VIP's link by this
 * address, and DHCP reservations or switch ACLs can rely on it. The first
 * octet 0x02 marks it locally administered (never a vendor's address) and
 * unicast.
 *
 * @returns upper-case, colon-separated, as Proxmox reports it: `02:1A:2B:3C:4D:5E`
 */
export function nodeMacAddress(clusterName: string, nodeName: string): string {
  const digest = createHash("sha256").update(`${clusterName}/${nodeName}`).digest();
  const octets = [0x02, ...digest.subarray(0, 5)];
  return octets.map((octet) => octet.toString(16).padStart(2, "0").toUpperCase()).join(":");
}
