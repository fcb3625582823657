/**
 * The HOMELAB_CONFIG file: its shape (as a JSON Schema, checked with ajv)
 * and its mapping onto the stack's props. Every field is optional; a missing
 * one takes the reference homelab's value.
 */
import { HomelabStackProps } from "../stacks/homelab-stack";

export interface HomelabConfigFile {
  readonly clusterName?: string;
  readonly talosVersion?: string;
  readonly kubernetesVersion?: string;
  readonly vip?: string;
  readonly allowSingleNode?: boolean;
  readonly network?: { cidr?: string; gateway?: string; dnsServers?: string[]; bridge?: string };
  readonly proxmox?: { endpoint?: string; node?: string; insecure?: boolean };
  readonly vm?: { cores?: number; memoryMib?: number; diskGib?: number; datastoreId?: string; imageDatastoreId?: string; cpuType?: string };
  readonly talos?: { systemExtensions?: string[]; imageFactoryUrl?: string };
  readonly controlPlanes?: { name: string; ip: string; vmId?: number; proxmoxNode?: string; cores?: number; memoryMib?: number }[];
}

const string = { type: "string" } as const;
const integer = { type: "integer" } as const;
const boolean = { type: "boolean" } as const;
const strings = { type: "array", items: string } as const;
const section = (properties: Record<string, object>, required: string[] = []) => ({
  type: "object",
  properties,
  required,
  additionalProperties: false,
});

/** JSON Schema of {@link HomelabConfigFile}: types and known fields only; the rules live in constructs/validation.ts. */
export const HOMELAB_CONFIG_SCHEMA = section({
  clusterName: string,
  talosVersion: string,
  kubernetesVersion: string,
  vip: string,
  allowSingleNode: boolean,
  network: section({ cidr: string, gateway: string, dnsServers: strings, bridge: string }),
  proxmox: section({ endpoint: string, node: string, insecure: boolean }),
  vm: section({ cores: integer, memoryMib: integer, diskGib: integer, datastoreId: string, imageDatastoreId: string, cpuType: string }),
  talos: section({ systemExtensions: strings, imageFactoryUrl: string }),
  controlPlanes: {
    type: "array",
    items: section({ name: string, ip: string, vmId: integer, proxmoxNode: string, cores: integer, memoryMib: integer }, ["name", "ip"]),
  },
});

/** Maps the file's nested layout onto the construct's flat props. */
export function toStackProps(file: HomelabConfigFile): HomelabStackProps {
  return {
    proxmox: { endpoint: file.proxmox?.endpoint, insecure: file.proxmox?.insecure },
    cluster: dropUndefined({
      clusterName: file.clusterName,
      talosVersion: file.talosVersion,
      kubernetesVersion: file.kubernetesVersion,
      vip: file.vip,
      allowSingleNode: file.allowSingleNode,
      networkCidr: file.network?.cidr,
      gateway: file.network?.gateway,
      dnsServers: file.network?.dnsServers,
      bridge: file.network?.bridge,
      proxmoxNode: file.proxmox?.node,
      cores: file.vm?.cores,
      memoryMib: file.vm?.memoryMib,
      diskSizeGib: file.vm?.diskGib,
      datastoreId: file.vm?.datastoreId,
      imageDatastoreId: file.vm?.imageDatastoreId,
      cpuType: file.vm?.cpuType,
      systemExtensions: file.talos?.systemExtensions,
      imageFactoryUrl: file.talos?.imageFactoryUrl,
      controlPlanes: file.controlPlanes?.map((node) => dropUndefined({ ...node })),
    }),
  };
}

/**
 * Where a construct prop lives in the file, so problems name the field the
 * operator wrote. Per-node cores and memory fall back to `vm.*` when the
 * node does not set them.
 */
export function fileFieldOf(propField: string, file: HomelabConfigFile): string {
  const topLevel: Record<string, string> = {
    networkCidr: "network.cidr",
    gateway: "network.gateway",
    dnsServers: "network.dnsServers",
    bridge: "network.bridge",
    proxmoxNode: "proxmox.node",
    diskSizeGib: "vm.diskGib",
    datastoreId: "vm.datastoreId",
    imageDatastoreId: "vm.imageDatastoreId",
    cpuType: "vm.cpuType",
    systemExtensions: "talos.systemExtensions",
    imageFactoryUrl: "talos.imageFactoryUrl",
  };
  const [head, ...rest] = propField.split(".");
  const mapped = topLevel[head.replace(/\[\d+\]$/, "")];
  if (mapped) return [head.replace(/^[^[]+/, mapped), ...rest].join(".");

  const node = /^controlPlanes\[(\d+)\]\.(cores|memoryMib|proxmoxNode)$/.exec(propField);
  if (node) {
    const [, index, key] = node;
    const given = (file.controlPlanes?.[Number(index)] as Record<string, unknown> | undefined)?.[key];
    if (given === undefined) return key === "proxmoxNode" ? "proxmox.node" : `vm.${key}`;
  }
  return propField;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
