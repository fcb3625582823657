/**
 * What a synthesized stack (cdk.tf.json) says about the control plane:
 * the VMs and their Proxmox hosts, the VIP, the versions, the resources.
 * Pure, and derived from the JSON alone (never from the constructs), so it
 * reads the JSON of any revision the same way. Output names are the
 * stack-output contract's (domain/stack-outputs.ts).
 */
import type { StackOutputName } from "../domain/stack-outputs";
import { HA_GROUP_TYPE, HA_RESOURCE_TYPE, LONG_TYPE_NAMES } from "../domain/proxmox-type-names";
import { schematicExtensions } from "../domain/image-factory";
import type { HaRulesKind } from "../domain/cluster-fields";

/** The parts of cdk.tf.json the review reads. */
export interface TerraformJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly output?: Readonly<Record<string, { readonly value?: unknown; readonly sensitive?: boolean }>>;
  readonly provider?: Readonly<Record<string, unknown>>;
  readonly check?: Readonly<Record<string, unknown>>;
  readonly terraform?: { readonly backend?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
  /** `moved` blocks: Terraform takes the state at `from` over for `to` (cdktf writes a list). */
  readonly moved?: readonly { readonly from: string; readonly to: string }[];
}

/** One control-plane VM, as its `proxmox_virtual_environment_vm` block describes it. */
export interface ControlPlaneVm {
  /** Terraform address, e.g. `proxmox_virtual_environment_vm.ControlPlane_Nodes_cp1_Vm_1A2B3C4D`. */
  readonly address: string;
  readonly name: string;
  /** IPv4 address without the prefix length; empty when the JSON has none. */
  readonly ip: string;
  readonly vmId?: number;
  /** Proxmox host (`node_name`). */
  readonly proxmoxHost: string;
  readonly cores?: number;
  readonly memoryMib?: number;
  readonly diskSizeGib?: number;
  /** Whether `talos_machine_bootstrap` runs against this node. */
  readonly bootstrapped: boolean;
  /** From the VM's tags; VMs without a role tag are taken for control planes. */
  readonly role: "control-plane" | "worker";
  /** Whether a Proxmox HA resource (`vm:<id>`) manages it. */
  readonly haManaged: boolean;
  /** QEMU CPU type (`cpu.type`). */
  readonly cpuType?: string;
}

/** Proxmox HA as the stack configures it (the `proxmox_ha` output and the HA resources). */
export interface HaModel {
  /** VM datastore seen by every host: HA can restart a VM elsewhere. */
  readonly datastoreShared: boolean;
  /** Control planes may not share a host, even while one is down. */
  readonly strict: boolean;
  /** Rules or groups keep the control planes apart. */
  readonly keepControlPlanesApart: boolean;
  /** Which HA API places the VMs: rules (`pve9`) or groups (`pve8`); undefined when the stack does not say. */
  readonly rules?: HaRulesKind;
  /** HA groups (`pve8`): address and Proxmox name of each. */
  readonly groups: readonly { readonly address: string; readonly group: string }[];
}

export interface ProxmoxHost {
  readonly name: string;
  /** Names of the control planes it runs, in node order. */
  readonly nodes: readonly string[];
}

export interface TypeCount {
  readonly type: string;
  readonly count: number;
}

export interface StackModel {
  readonly clusterName?: string;
  /** Control planes: bootstrapped node first (the order of the `node_ips` output), then by name. */
  readonly nodes: readonly ControlPlaneVm[];
  /** Worker VMs, by name. */
  readonly workers: readonly ControlPlaneVm[];
  /** Proxmox HA, when the stack manages any VM with it. */
  readonly ha?: HaModel;
  /** Every Proxmox host the stack knows (the `proxmox_hosts` output), in order. */
  readonly knownHosts: readonly string[];
  /** In order of their first node. */
  readonly hosts: readonly ProxmoxHost[];
  readonly vip?: string;
  /** The fast API failover's VIP (the `fast_vip` output), when the stack runs keepalived. */
  readonly fastVip?: string;
  readonly clusterEndpoint?: string;
  readonly talosVersion?: string;
  /**
   * The machine-configuration contract: a literal when pinned, `creation` when
   * the configuration reads the machine secrets' creation contract back.
   */
  readonly configContract?: string;
  readonly kubernetesVersion?: string;
  /** The official system extensions the image's schematic names, when the stack has a schematic. */
  readonly systemExtensions?: readonly string[];
  /** Endpoints in the talosctl client configuration. */
  readonly talosctlEndpoints: readonly string[];
  /** Default nodes in the talosctl client configuration (empty: talosctl asks for -n). */
  readonly talosctlNodes: readonly string[];
  /** Terraform `check` blocks, by name: run on every plan and apply, they warn instead of failing. */
  readonly checks: readonly string[];
  /** Where the state lives, in words: `local (../../../terraform.homelab.tfstate)`, `pg (schema homelab)`. */
  readonly stateBackend?: string;
  /** Sorted by type. */
  readonly resources: readonly TypeCount[];
  readonly dataSources: readonly TypeCount[];
}

const VM_TYPE = "proxmox_virtual_environment_vm";

/** Reads the control plane out of a synthesized stack. */
export function stackModel(json: TerraformJson): StackModel {
  const nodeIps = stringList(outputValue(json, "node_ips"));
  const bootstrapNodes = new Set(Object.values(json.resource?.talos_machine_bootstrap ?? {}).map((block) => literalString(block.node)));
  // A base from before the short type names has its HA resources under the long name.
  const haBlocks = [HA_RESOURCE_TYPE, LONG_TYPE_NAMES[HA_RESOURCE_TYPE]].flatMap((type) => Object.values(json.resource?.[type] ?? {}));
  const haManaged = new Set(haBlocks.map((block) => literalString(block.resource_id)));
  const vms = Object.entries(json.resource?.[VM_TYPE] ?? {})
    .map(([name, block]) => vmOf(`${VM_TYPE}.${name}`, block, bootstrapNodes, haManaged))
    .sort((a, b) => rank(nodeIps, a.ip) - rank(nodeIps, b.ip) || compareText(a.name, b.name) || compareText(a.address, b.address));
  const nodes = vms.filter((vm) => vm.role === "control-plane");
  const workers = vms.filter((vm) => vm.role === "worker");
  const haOutput = single(outputValue(json, "proxmox_ha"));

  const hosts = new Map<string, string[]>();
  for (const node of nodes) hosts.set(node.proxmoxHost, [...(hosts.get(node.proxmoxHost) ?? []), node.name]);

  const [machineConfiguration] = Object.values(json.data?.talos_machine_configuration ?? {});
  const [clientConfiguration] = Object.values(json.data?.talos_client_configuration ?? {});
  return {
    clusterName: literalString(machineConfiguration?.cluster_name),
    nodes,
    workers,
    ha:
      haManaged.size > 0
        ? {
            datastoreShared: haOutput?.datastore_shared === true,
            strict: haOutput?.strict === true,
            keepControlPlanesApart: haOutput?.keep_control_planes_apart !== false,
            rules: haOutput?.rules === "pve8" || haOutput?.rules === "pve9" ? haOutput.rules : undefined,
            // A base from before the short type names has its groups under the long name.
            groups: [HA_GROUP_TYPE, LONG_TYPE_NAMES[HA_GROUP_TYPE]].flatMap((type) =>
              Object.entries(json.resource?.[type] ?? {}).map(([name, block]) => ({ address: `${type}.${name}`, group: literalString(block.group) ?? name })),
            ),
          }
        : undefined,
    knownHosts: stringList(outputValue(json, "proxmox_hosts")),
    hosts: [...hosts].map(([name, names]) => ({ name, nodes: names })),
    vip: literalString(outputValue(json, "vip")),
    fastVip: literalString(outputValue(json, "fast_vip")),
    clusterEndpoint: literalString(outputValue(json, "cluster_endpoint")),
    talosVersion: literalString(outputValue(json, "talos_version")) ?? literalString(machineConfiguration?.talos_version),
    configContract: contractOf(machineConfiguration?.talos_version),
    kubernetesVersion: literalString(outputValue(json, "kubernetes_version")) ?? literalString(machineConfiguration?.kubernetes_version),
    systemExtensions: schematicOf(json),
    talosctlEndpoints: stringList(clientConfiguration?.endpoints),
    talosctlNodes: stringList(clientConfiguration?.nodes),
    checks: Object.keys(json.check ?? {}).sort(),
    stateBackend: backendOf(json),
    resources: countsOf(json.resource),
    dataSources: countsOf(json.data),
  };
}

function schematicOf(json: TerraformJson): string[] | undefined {
  const [block] = Object.values(json.resource?.talos_image_factory_schematic ?? {});
  const schematic = literalString(block?.schematic);
  return schematic === undefined ? undefined : schematicExtensions(schematic);
}

function backendOf(json: TerraformJson): string | undefined {
  const [type, settings] = Object.entries(json.terraform?.backend ?? {})[0] ?? [];
  if (type === undefined) return undefined;
  const where = type === "pg" ? `schema ${literalString(settings?.schema_name) ?? "terraform_remote_state"}` : type === "local" ? literalString(settings?.path) : undefined;
  return where === undefined ? type : `${type} (${where})`;
}

function vmOf(
  address: string,
  block: Readonly<Record<string, unknown>>,
  bootstrapNodes: ReadonlySet<string | undefined>,
  haManaged: ReadonlySet<string | undefined>,
): ControlPlaneVm {
  const ipv4 = single(single(single(block.initialization)?.ip_config)?.ipv4);
  const ip = (literalString(ipv4?.address) ?? "").replace(/\/\d+$/, "");
  return {
    address,
    name: literalString(block.name) ?? address,
    ip,
    vmId: literalNumber(block.vm_id),
    proxmoxHost: literalString(block.node_name) ?? "(unknown host)",
    cores: literalNumber(single(block.cpu)?.cores),
    memoryMib: literalNumber(single(block.memory)?.dedicated),
    diskSizeGib: literalNumber(single(block.disk)?.size),
    bootstrapped: ip !== "" && bootstrapNodes.has(ip),
    role: stringList(block.tags).includes("worker") ? "worker" : "control-plane",
    haManaged: haManaged.has(`vm:${literalNumber(block.vm_id)}`),
    cpuType: literalString(single(block.cpu)?.type),
  };
}

/** A non-sensitive output's value; sensitive outputs are never read. */
function outputValue(json: TerraformJson, name: StackOutputName): unknown {
  const output = json.output?.[name];
  return output && output.sensitive !== true ? output.value : undefined;
}

function countsOf(blocks: TerraformJson["resource"]): TypeCount[] {
  return Object.entries(blocks ?? {})
    .map(([type, byName]) => ({ type, count: Object.keys(byName).length }))
    .filter(({ count }) => count > 0)
    .sort((a, b) => compareText(a.type, b.type));
}

/** cdktf writes a single nested block as an object; Terraform JSON also allows a one-element list. */
function single(value: unknown): Readonly<Record<string, unknown>> | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  return typeof item === "object" && item !== null ? (item as Record<string, unknown>) : undefined;
}

/** A string that is a plain value, not a `${...}` reference. */
function literalString(value: unknown): string | undefined {
  return typeof value === "string" && !value.includes("${") ? value : undefined;
}

function literalNumber(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(literalString).filter((item): item is string => item !== undefined) : [];
}

function rank(order: readonly string[], item: string): number {
  const index = order.indexOf(item);
  return index < 0 ? order.length : index;
}

/** Locale-independent ordering, so the report is the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A pinned contract (`v1.13`, or a full version from older stacks), or `creation` for a reference to the secrets' `talos_version`. */
function contractOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (/^\$\{talos_machine_secrets\.[^}]+\.talos_version\}$/.test(value)) return "creation";
  return literalString(value);
}
