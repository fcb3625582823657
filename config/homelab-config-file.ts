/**
 * The HOMELAB_CONFIG file: its shape (as a JSON Schema, checked with ajv)
 * and its mapping onto the stack's props. Every field is optional; a missing
 * one takes the reference homelab's value.
 */
import { ControlPlaneHaProps } from "../constructs";
import { HomelabStackProps } from "../stacks/homelab-stack";

export interface HomelabConfigFile {
  readonly clusterName?: string;
  readonly talosVersion?: string;
  readonly kubernetesVersion?: string;
  readonly vip?: string;
  readonly allowSingleNode?: boolean;
  readonly network?: { cidr?: string; gateway?: string; dnsServers?: string[]; bridge?: string };
  readonly proxmox?: { endpoint?: string; node?: string; insecure?: boolean };
  readonly vm?: { cores?: number; memoryMib?: number; diskGib?: number; datastoreId?: string; imageDatastoreId?: string; imageDatastoreShared?: boolean; imageImport?: "api" | "ssh"; cpuType?: string };
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
  vm: section({ cores: integer, memoryMib: integer, diskGib: integer, datastoreId: string, imageDatastoreId: string, imageDatastoreShared: boolean, imageImport: string, cpuType: string }),
  talos: section({ systemExtensions: strings, imageFactoryUrl: string }),
  controlPlanes: {
    type: "array",
    items: section({ name: string, ip: string, vmId: integer, proxmoxNode: string, cores: integer, memoryMib: integer }, ["name", "ip"]),
  },
});

/** Where each flat construct prop lives in the file's nested layout: the one mapping both ways use. */
const PROP_PATHS: readonly (readonly [keyof ControlPlaneHaProps, string])[] = [
  ["clusterName", "clusterName"],
  ["talosVersion", "talosVersion"],
  ["kubernetesVersion", "kubernetesVersion"],
  ["vip", "vip"],
  ["allowSingleNode", "allowSingleNode"],
  ["networkCidr", "network.cidr"],
  ["gateway", "network.gateway"],
  ["dnsServers", "network.dnsServers"],
  ["bridge", "network.bridge"],
  ["proxmoxNode", "proxmox.node"],
  ["cores", "vm.cores"],
  ["memoryMib", "vm.memoryMib"],
  ["diskSizeGib", "vm.diskGib"],
  ["datastoreId", "vm.datastoreId"],
  ["imageDatastoreId", "vm.imageDatastoreId"],
  ["imageDatastoreShared", "vm.imageDatastoreShared"],
  ["imageImport", "vm.imageImport"],
  ["cpuType", "vm.cpuType"],
  ["systemExtensions", "talos.systemExtensions"],
  ["imageFactoryUrl", "talos.imageFactoryUrl"],
  ["controlPlanes", "controlPlanes"],
];

/** Maps the file's nested layout onto the construct's flat props. */
export function toStackProps(file: HomelabConfigFile): HomelabStackProps {
  const cluster: Record<string, unknown> = {};
  for (const [prop, filePath] of PROP_PATHS) {
    const value = filePath.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], file);
    if (value !== undefined) cluster[prop] = value;
  }
  return { proxmox: dropUndefined({ endpoint: file.proxmox?.endpoint, insecure: file.proxmox?.insecure }), cluster };
}

/**
 * Where a construct prop lives in the file, so problems name the field the
 * operator wrote (`diskSizeGib` -> `vm.diskGib`). Per-node cores, memory and
 * host fall back to the cluster-wide field when the node does not set them.
 */
export function fileFieldOf(propField: string, file: HomelabConfigFile): string {
  const node = /^controlPlanes\[(\d+)\]\.(cores|memoryMib|proxmoxNode)$/.exec(propField);
  if (node) {
    const [, index, key] = node;
    const given = (file.controlPlanes?.[Number(index)] as Record<string, unknown> | undefined)?.[key];
    return given === undefined ? fileFieldOf(key, file) : propField;
  }
  const [, head, rest] = /^([A-Za-z]+)(.*)$/.exec(propField) ?? [undefined, propField, ""];
  const mapped = PROP_PATHS.find(([prop]) => prop === head)?.[1];
  return mapped ? `${mapped}${rest}` : propField;
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
