/**
 * Turns {@link ControlPlaneHaProps} into the fully resolved description the
 * construct wires: defaults applied, per-node values derived. Pure.
 */
import { WORKER_INHERITS } from "./cluster-fields";
import { ControlPlaneHaProps, ControlPlaneNodeProps, DataDiskProps } from "./control-plane-ha-props";
import { formatIpv4, parseCidr, parseIpv4, withPrefixLength } from "./ipv4";
import { nodeMacAddress } from "./mac-address";
import { placeNodes } from "./placement";
import { defaultContract } from "./talos-versions";
import type { TalosPatch } from "./talos-user-patches";
import { KUBERNETES_API_PORT, REFERENCE_HOMELAB, ReferenceHomelab } from "./reference-homelab";

export interface NodeSpec {
  readonly name: string;
  readonly ip: string;
  /** `ip` with the network's prefix length, for cloud-init: `192.168.1.211/24`. */
  readonly ipWithPrefixLength: string;
  readonly vmId: number;
  /** Where `vmId` came from: set by the user, or derived from the last octet of `ip`. */
  readonly vmIdOrigin: "given" | "ip";
  /** The Proxmox host (Proxmox calls it a node) that runs the VM: `proxmoxNode` as given, or placed. */
  readonly proxmoxHost: string;
  /** Whether the node named its host (`proxmoxNode`), or was placed. */
  readonly proxmoxHostGiven: boolean;
  readonly macAddress: string;
  readonly cores: number;
  readonly memoryMib: number;
  readonly diskSizeGib: number;
  /** Datastore of the VM's boot, EFI and cloud-init disks. */
  readonly datastoreId: string;
  /** The node's own Talos patches, as given (domain/talos-user-patches.ts). */
  readonly patches?: readonly TalosPatch[];
  /** The node's own Kubernetes labels, taints and annotations, as given; Talos merges them over its role's. */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  readonly nodeTaints?: Readonly<Record<string, string>>;
  readonly nodeAnnotations?: Readonly<Record<string, string>>;
  /** Disks after the boot disk, in order: the node's own list, or its role's (`dataDisks`, `workerDataDisks`). */
  readonly dataDisks: readonly DataDiskSpec[];
  /** Whether the node set its own `dataDisks` (which then replace its role's). */
  readonly dataDisksGiven: boolean;
}

/** One data disk of a VM, resolved. */
export interface DataDiskSpec {
  /** `scsi1` for the first data disk: the boot disk is scsi0. */
  readonly interface: string;
  readonly sizeGib: number;
  /** The disk's own datastore, or the VM's (`NodeSpec.datastoreId`). */
  readonly datastoreId: string;
  /** Whether the disk named its datastore. */
  readonly datastoreIdGiven: boolean;
}

/**
 * The resolved cluster: every field of the props with its default applied
 * (see `cluster-fields.ts`), plus what is derived from them.
 */
export type ClusterSpec = Omit<ReferenceHomelab, "controlPlanes" | "workers"> & {
  /** VLAN tag of the NICs; unset: untagged. */
  readonly vlanId?: number;
  /** The fast failover's VIP, image and virtual router id, as given (domain/fast-failover.ts resolves them). */
  readonly fastFailoverVip?: string;
  readonly fastFailoverImage?: string;
  readonly fastFailoverVirtualRouterId?: number;
  readonly gateway: string;
  readonly dnsServers: readonly string[];
  /** `https://<vip>:6443`. */
  readonly clusterEndpoint: string;
  /** Whether `kubernetesVersion` was set, or is the reference default (made for the reference Talos release). */
  readonly kubernetesVersionGiven: boolean;
  /** Whether `gateway` was set, or derived as the first host address of `networkCidr`. */
  readonly gatewayGiven: boolean;
  /** Whether `proxmoxNode` was set, or is the default (it is refused beside `proxmoxNodes`, which would silently win). */
  readonly proxmoxNodeGiven: boolean;
  /** In the order given; the first is bootstrapped. */
  readonly nodes: readonly NodeSpec[];
  /** Worker nodes, in the order given; cores and memory default to the worker VM settings. */
  readonly workers: readonly NodeSpec[];
  /** As given, or true exactly when there are no workers (so the cluster can run workloads at all). */
  readonly allowSchedulingOnControlPlanes: boolean;
  /** `vMAJOR.MINOR`: the machine-configuration contract (see talos-versions.ts). */
  readonly configContract: string;
  /**
   * Whether `configContract` was set. If not, the machine configuration takes
   * the contract the machine secrets were created with (their `talos_version`
   * in the state, which ignores later changes), so an OS upgrade never changes it.
   */
  readonly configContractGiven: boolean;
};

/** Applies the reference-homelab defaults and derives per-node values. */
export function resolveClusterSpec(props: ControlPlaneHaProps = {}): ClusterSpec {
  const given = Object.fromEntries(Object.entries(props).filter(([, value]) => value !== undefined)) as ControlPlaneHaProps;
  const { controlPlanes, workers: givenWorkers, allowSchedulingOnControlPlanes, gateway: givenGateway, dnsServers, configContract, ...cluster } = {
    ...REFERENCE_HOMELAB,
    ...given,
  };
  const network = parseCidr(cluster.networkCidr);
  const gateway = givenGateway ?? (network ? formatIpv4(network.base + 1) : "");

  const placed = placeNodes(
    controlPlanes.map((node) => ({ own: node.proxmoxNode })),
    givenWorkers.map((node) => ({ own: node.proxmoxNode })),
    cluster.proxmoxNodes,
    cluster.proxmoxNode,
  );
  const resolveNode = (
    node: ControlPlaneNodeProps,
    proxmoxHost: string,
    defaults: { readonly cores: number; readonly memoryMib: number; readonly diskSizeGib: number; readonly dataDisks: readonly DataDiskProps[] },
  ): NodeSpec => ({
    name: node.name,
    ip: node.ip,
    ipWithPrefixLength: network ? withPrefixLength(node.ip, network) : node.ip,
    vmId: node.vmId ?? defaultVmId(node.ip),
    vmIdOrigin: node.vmId === undefined ? "ip" : "given",
    proxmoxHost,
    proxmoxHostGiven: node.proxmoxNode !== undefined,
    macAddress: nodeMacAddress(cluster.clusterName, node.name),
    cores: node.cores ?? defaults.cores,
    memoryMib: node.memoryMib ?? defaults.memoryMib,
    diskSizeGib: node.diskSizeGib ?? defaults.diskSizeGib,
    datastoreId: node.datastoreId ?? cluster.datastoreId,
    ...(node.patches ? { patches: node.patches } : {}),
    ...(node.nodeLabels ? { nodeLabels: node.nodeLabels } : {}),
    ...(node.nodeTaints ? { nodeTaints: node.nodeTaints } : {}),
    ...(node.nodeAnnotations ? { nodeAnnotations: node.nodeAnnotations } : {}),
    dataDisks: resolveDataDisks(node.dataDisks ?? defaults.dataDisks, node.datastoreId ?? cluster.datastoreId),
    dataDisksGiven: node.dataDisks !== undefined,
  });
  const nodes = controlPlanes.map((node, index) => resolveNode(node, placed.controlPlanes[index], cluster));
  // What a worker falls back to: the same table the docs and messages are made from.
  const workerDefaults = {
    cores: cluster[WORKER_INHERITS.cores],
    memoryMib: cluster[WORKER_INHERITS.memoryMib],
    diskSizeGib: cluster[WORKER_INHERITS.diskSizeGib],
    dataDisks: cluster[WORKER_INHERITS.dataDisks],
  };
  const workers = givenWorkers.map((node, index) => resolveNode(node, placed.workers[index], workerDefaults));

  return {
    ...cluster,
    gateway,
    dnsServers: dnsServers ?? [gateway],
    clusterEndpoint: `https://${cluster.vip}:${KUBERNETES_API_PORT}`,
    kubernetesVersionGiven: given.kubernetesVersion !== undefined,
    gatewayGiven: givenGateway !== undefined,
    proxmoxNodeGiven: given.proxmoxNode !== undefined,
    nodes,
    workers,
    allowSchedulingOnControlPlanes: allowSchedulingOnControlPlanes ?? workers.length === 0,
    configContract: configContract ?? defaultContract(cluster.talosVersion),
    configContractGiven: configContract !== undefined,
  };
}

/** A list of data disks as given, placed after the boot disk (scsi0) on the VM's datastore unless a disk names its own. */
function resolveDataDisks(disks: readonly DataDiskProps[], vmDatastoreId: string): DataDiskSpec[] {
  return disks.map((disk, index) => ({
    interface: `scsi${index + 1}`,
    sizeGib: disk.sizeGib,
    datastoreId: disk.datastoreId ?? vmDatastoreId,
    datastoreIdGiven: disk.datastoreId !== undefined,
  }));
}

/**
 * Default VM id from the address, readable next to it: the last octet when
 * it is a valid Proxmox id (211 for 192.168.1.211), else 1000 + the last octet
 * (1011 for 10.0.0.11). Unique within a /24. NaN when the address is malformed.
 */
export function defaultVmId(ip: string): number {
  const value = parseIpv4(ip);
  if (value === undefined) return Number.NaN;
  const lastOctet = value % 256;
  return lastOctet >= 100 ? lastOctet : 1000 + lastOctet;
}

/** Distinct Proxmox hosts that carry a VM (control plane or worker), in order of first use. */
export function proxmoxHostsOf(spec: ClusterSpec): string[] {
  return [...new Set([...spec.nodes, ...spec.workers].map((node) => node.proxmoxHost))];
}

/** The cluster's Proxmox hosts: the placement list (`proxmox.nodes`) when given, else the hosts that carry a VM. */
export function clusterHostsOf(spec: ClusterSpec): string[] {
  return spec.proxmoxNodes.length > 0 ? [...spec.proxmoxNodes] : proxmoxHostsOf(spec);
}
