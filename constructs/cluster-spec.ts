/**
 * Turns {@link ControlPlaneHaProps} into the fully resolved description the
 * construct wires: defaults applied, per-node values derived. Pure.
 */
import { ControlPlaneHaProps } from "./control-plane-ha-props";
import { ImageImportMethod } from "./image-factory";
import { formatIpv4, parseCidr, parseIpv4, withPrefixLength } from "./ipv4";
import { nodeMacAddress } from "./mac-address";
import { KUBERNETES_API_PORT, REFERENCE_HOMELAB } from "./reference-homelab";

export interface NodeSpec {
  readonly name: string;
  readonly ip: string;
  /** `ip` with the network's prefix length, for cloud-init: `192.168.1.211/24`. */
  readonly ipWithPrefixLength: string;
  readonly vmId: number;
  /** Where `vmId` came from: set by the user, or derived from the last octet of `ip`. */
  readonly vmIdOrigin: "given" | "ip";
  readonly proxmoxNode: string;
  readonly macAddress: string;
  readonly cores: number;
  readonly memoryMib: number;
}

export interface ClusterSpec {
  readonly clusterName: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
  /** Whether `kubernetesVersion` was set, or is the reference default (made for the reference Talos release). */
  readonly kubernetesVersionGiven: boolean;
  readonly vip: string;
  /** `https://<vip>:6443`. */
  readonly clusterEndpoint: string;
  readonly networkCidr: string;
  readonly gateway: string;
  /** Whether `gateway` was set, or derived as the first host address of `networkCidr`. */
  readonly gatewayGiven: boolean;
  readonly dnsServers: readonly string[];
  readonly bridge: string;
  readonly diskSizeGib: number;
  readonly datastoreId: string;
  readonly imageDatastoreId: string;
  readonly imageDatastoreShared: boolean;
  readonly imageImport: ImageImportMethod;
  readonly cpuType: string;
  readonly systemExtensions: readonly string[];
  readonly imageFactoryUrl: string;
  readonly vipReadyTimeoutSeconds: number;
  readonly allowSingleNode: boolean;
  /** In the order given; the first is bootstrapped. */
  readonly nodes: readonly NodeSpec[];
}

/** Applies the reference-homelab defaults and derives per-node values. */
export function resolveClusterSpec(props: ControlPlaneHaProps = {}): ClusterSpec {
  const reference = REFERENCE_HOMELAB;
  const clusterName = props.clusterName ?? reference.clusterName;
  const networkCidr = props.networkCidr ?? reference.networkCidr;
  const network = parseCidr(networkCidr);
  const gateway = props.gateway ?? (network ? formatIpv4(network.base + 1) : "");
  const vip = props.vip ?? reference.vip;
  const cores = props.cores ?? reference.cores;
  const memoryMib = props.memoryMib ?? reference.memoryMib;
  const proxmoxNode = props.proxmoxNode ?? reference.proxmoxNode;

  const nodes = (props.controlPlanes ?? reference.controlPlanes).map((node): NodeSpec => ({
    name: node.name,
    ip: node.ip,
    ipWithPrefixLength: network ? withPrefixLength(node.ip, network) : node.ip,
    vmId: node.vmId ?? defaultVmId(node.ip),
    vmIdOrigin: node.vmId === undefined ? "ip" : "given",
    proxmoxNode: node.proxmoxNode ?? proxmoxNode,
    macAddress: nodeMacAddress(clusterName, node.name),
    cores: node.cores ?? cores,
    memoryMib: node.memoryMib ?? memoryMib,
  }));

  return {
    clusterName,
    talosVersion: props.talosVersion ?? reference.talosVersion,
    kubernetesVersion: props.kubernetesVersion ?? reference.kubernetesVersion,
    kubernetesVersionGiven: props.kubernetesVersion !== undefined,
    vip,
    clusterEndpoint: `https://${vip}:${KUBERNETES_API_PORT}`,
    networkCidr,
    gateway,
    gatewayGiven: props.gateway !== undefined,
    dnsServers: props.dnsServers ?? [gateway],
    bridge: props.bridge ?? reference.bridge,
    diskSizeGib: props.diskSizeGib ?? reference.diskSizeGib,
    datastoreId: props.datastoreId ?? reference.datastoreId,
    imageDatastoreId: props.imageDatastoreId ?? reference.imageDatastoreId,
    imageDatastoreShared: props.imageDatastoreShared ?? reference.imageDatastoreShared,
    imageImport: props.imageImport ?? reference.imageImport,
    cpuType: props.cpuType ?? reference.cpuType,
    systemExtensions: props.systemExtensions ?? reference.systemExtensions,
    imageFactoryUrl: props.imageFactoryUrl ?? reference.imageFactoryUrl,
    vipReadyTimeoutSeconds: props.vipReadyTimeoutSeconds ?? reference.vipReadyTimeoutSeconds,
    allowSingleNode: props.allowSingleNode ?? reference.allowSingleNode,
    nodes,
  };
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

/** Distinct Proxmox hosts that carry a control plane, in order of first use. */
export function proxmoxHostsOf(spec: ClusterSpec): string[] {
  return [...new Set(spec.nodes.map((node) => node.proxmoxNode))];
}
