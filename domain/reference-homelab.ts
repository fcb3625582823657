/**
 * The reference homelab: what {@link ControlPlaneHa} builds when nothing is
 * configured. Three control planes on one Proxmox host behind a Layer 2 VIP.
 * The values are the literal defaults of `CLUSTER_FIELDS`.
 */
import { CLUSTER_FIELDS, defaultsOf } from "./cluster-fields";
import { ControlPlaneHaProps } from "./control-plane-ha-props";

/** Every field with a literal default; `gateway` and `dnsServers` are derived from the network instead, and `vlanId` unset means untagged; `allowSchedulingOnControlPlanes` follows from the workers and `configContract` from `talosVersion`. */
export type ReferenceHomelab = Required<Omit<ControlPlaneHaProps, "gateway" | "dnsServers" | "vlanId" | "allowSchedulingOnControlPlanes" | "configContract" | FastFailoverOptional>>;

/** The fast failover's fields without a literal default: needed only when it is enabled, or derived. */
type FastFailoverOptional = "fastFailoverVip" | "fastFailoverImage" | "fastFailoverVirtualRouterId";

export const REFERENCE_HOMELAB = defaultsOf(CLUSTER_FIELDS) as ReferenceHomelab;

/** Port of the Kubernetes API server behind the VIP. */
export const KUBERNETES_API_PORT = 6443;
