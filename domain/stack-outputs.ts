/**
 * The stack-output contract: the one definition of what a deployed stack
 * tells the operator commands and the review. stacks/ writes these outputs
 * (names, descriptions, the shape of each value); ops/ reads them back from
 * `terraform output -json`, and review/ from the synthesized JSON. Renaming
 * an output or a field of a `nodes` record is a change here, and every
 * reader follows (a test parses every synthesized stack with this parser).
 *
 * Terraform prints each output as `{"<name>": {"sensitive": bool, "type":
 * <type>, "value": <value>}}`; the synthesized JSON writes the same
 * `{"value", "sensitive"}` pair, with references where a value is known only
 * at deploy time.
 */
import type { HaRulesKind } from "./cluster-fields";
import type { ClusterSpec, NodeSpec } from "./cluster-spec";

/**
 * A cluster's stack is named after the cluster: its folder under
 * cdktf.out/stacks/, its local state file, its name for `cdktf deploy`. A
 * cluster name is a DNS label, so it is safe in all three. The reference
 * homelab's stays `homelab`, where its state always was.
 */
export function stackIdOf(clusterName: string): string {
  return clusterName;
}

/** Where a stack's Terraform runs, relative to the project (for the default cdktf.out). */
export function stackDirOf(stackId: string): string {
  return `cdktf.out/stacks/${stackId}`;
}

/** A stack's local state file, in the project folder (outside cdktf.out, which every synth replaces). */
export function localStateFileOf(stackId: string): string {
  return `terraform.${stackId}.tfstate`;
}

/** The one stack id every cluster had before stacks were named after their cluster. */
export const LEGACY_STACK_ID = "homelab";

export interface OutputContract {
  readonly description: string;
  /** Derived from secrets: Terraform shows it only with `terraform output -raw <name>`. */
  readonly sensitive: boolean;
}

/** Every output the stack writes, by name. `proxmox_ha` is written only when the cluster uses Proxmox HA, `fast_vip` only with the fast API failover. */
export const STACK_OUTPUTS = {
  kubeconfig: { sensitive: true, description: "Admin kubeconfig; its server is the VIP endpoint" },
  kubeconfig_node_contexts: {
    sensitive: true,
    description: "Admin kubeconfig plus one context per control plane (kubectl --context <node>), for when the VIP is moving",
  },
  talosconfig: { sensitive: true, description: "talosctl configuration; its endpoints are the node IPs, with no default nodes (use -n)" },
  cluster_endpoint: { sensitive: false, description: "Kubernetes API endpoint every client and worker uses" },
  vip: { sensitive: false, description: "Floating control-plane address (Layer 2 failover, one holder at a time)" },
  node_ips: { sensitive: false, description: "Control-plane node addresses, first one bootstrapped" },
  worker_ips: { sensitive: false, description: "Worker node addresses (none: workloads run on the control planes)" },
  etcd_quorum: { sensitive: false, description: "etcd members that must be up for writes and VIP moves" },
  etcd_failures_tolerated: { sensitive: false, description: "Control planes that may fail while etcd keeps quorum" },
  schematic_id: { sensitive: false, description: "Talos Image Factory schematic of the node image" },
  cluster_name: { sensitive: false, description: "Talos and Kubernetes cluster name" },
  talos_version: { sensitive: false, description: "Talos version the nodes run (image, installer, upgrades)" },
  config_contract: {
    sensitive: false,
    description: "Machine-configuration contract the talos provider generates for (the cluster's creation contract unless configContract pins one)",
  },
  kubernetes_version: { sensitive: false, description: "Kubernetes version the configuration is for" },
  nodes: { sensitive: false, description: "Every VM: name, IP, role, VM id and Proxmox host; control planes first" },
  installer_image_base: { sensitive: false, description: "Talos installer image of this cluster's schematic, without the version tag" },
  proxmox_hosts: { sensitive: false, description: "Proxmox hosts of the cluster, in placement order" },
  proxmox_ha: { sensitive: false, description: "Proxmox HA settings (the review reads them): rules or groups, strictness, shared VM disks" },
  fast_vip: { sensitive: false, description: "The fast API failover's VIP (keepalived, fenced by /readyz); the kubeconfigs' server" },
} as const satisfies Record<string, OutputContract>;

export type StackOutputName = keyof typeof STACK_OUTPUTS;

/** The role of a VM, as the `nodes` output and the VM's tags say it. */
export type NodeRole = "control-plane" | "worker";

/** One entry of the `nodes` output. */
export interface NodeRecord {
  readonly name: string;
  readonly ip: string;
  readonly role: NodeRole;
  readonly vm_id: number;
  readonly proxmox_host: string;
}

/** The `proxmox_ha` output. */
export interface ProxmoxHaRecord {
  /** Which Proxmox HA API keeps the control planes apart: rules (pve9) or groups (pve8). */
  readonly rules: HaRulesKind;
  readonly strict: boolean;
  readonly keep_control_planes_apart: boolean;
  readonly datastore_shared: boolean;
}

/** The `nodes` output: every VM, control planes first (the bootstrapped one first), then workers. */
export function nodeRecords(spec: Pick<ConfiguredCluster, "nodes" | "workers">): NodeRecord[] {
  const record = (role: NodeRole) => (node: Pick<NodeSpec, "name" | "ip" | "vmId" | "proxmoxHost">): NodeRecord => ({
    name: node.name,
    ip: node.ip,
    role,
    vm_id: node.vmId,
    proxmox_host: node.proxmoxHost,
  });
  return [...spec.nodes.map(record("control-plane")), ...spec.workers.map(record("worker"))];
}

/** The `proxmox_ha` output, or undefined when the cluster does not use Proxmox HA (then the stack writes none). */
export function proxmoxHaRecord(spec: Pick<ClusterSpec, "haEnabled" | "haRules" | "haStrict" | "haKeepControlPlanesApart" | "datastoreShared">): ProxmoxHaRecord | undefined {
  if (!spec.haEnabled) return undefined;
  return { rules: spec.haRules, strict: spec.haStrict, keep_control_planes_apart: spec.haKeepControlPlanesApart, datastore_shared: spec.datastoreShared };
}

/** One VM of the cluster, as the `nodes` output describes it. */
export interface ClusterNode {
  readonly name: string;
  readonly ip: string;
  readonly role: NodeRole;
  /** Proxmox VM id and host (the drill's crash mode powers the VM off through the Proxmox API). */
  readonly vmId: number;
  readonly proxmoxHost: string;
}

/** The deployed cluster as the stack's outputs describe it. */
export interface StackFacts {
  readonly clusterName: string;
  readonly vip: string;
  /** `https://<vip>:6443`. */
  readonly clusterEndpoint: string;
  /**
   * The fast API failover's VIP (the `fast_vip` output: keepalived on every
   * control plane), the kubeconfigs' server; Talos's `vip` stays the nodes'
   * endpoint and the fallback. @default - none (the option is off, or the stack predates it)
   */
  readonly fastVip?: string;
  /** Control planes first (the bootstrapped one first), then workers. */
  readonly nodes: readonly ClusterNode[];
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
  /** `<factory host>/nocloud-installer/<schematic id>`: append `:<version>` for an upgrade image. */
  readonly installerImageBase: string;
}

/** Credentials, kept in memory or in a private temporary folder removed on exit; never printed. */
export interface Credentials {
  /** talosconfig YAML text. */
  readonly talosconfig: string;
  /** kubeconfig YAML text (server = the VIP). */
  readonly kubeconfig: string;
}

export interface StackOutputs {
  readonly facts: StackFacts;
  /** Undefined when the state holds no credentials yet (the deploy stopped before the API answered). */
  readonly credentials?: Partial<Credentials>;
}

/** No Terraform state (or an empty one): nothing to read the cluster from. */
export class NoStateError extends Error {
  constructor(message = "no Terraform state: deploy first, or give --talosconfig and --kubeconfig") {
    super(message);
    this.name = "NoStateError";
  }
}

/**
 * Parses the outputs: `terraform output -json` text, or the `output` block of
 * a synthesized stack. An empty document `{}` is a stack never applied.
 * Messages never include output values.
 */
export function parseStackOutputs(text: string, stackDir?: string): StackOutputs {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error("terraform output -json did not print JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw new Error("terraform output -json did not print an object");
  const outputs = document as Record<string, { value?: unknown } | undefined>;
  if (Object.keys(outputs).length === 0) {
    throw new NoStateError(`no Terraform state${stackDir ? ` in ${stackDir}` : ""}: deploy first, or give --talosconfig and --kubeconfig`);
  }
  const problems: string[] = [];
  const value = <T>(name: StackOutputName, check: (v: unknown) => v is T, what: string): T => {
    const entry = outputs[name];
    if (entry === undefined || !("value" in entry)) {
      problems.push(`output ${name} is missing (synth and deploy with this version of the stack)`);
      return undefined as T;
    }
    if (!check(entry.value)) problems.push(`output ${name} is not ${what}`);
    return entry.value as T;
  };
  const isString = (v: unknown): v is string => typeof v === "string" && v !== "";
  const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
  const clusterName = value("cluster_name", isString, "a name");
  const vip = value("vip", isString, "an address");
  const clusterEndpoint = value("cluster_endpoint", isString, "a URL");
  const talosVersion = value("talos_version", isString, "a version");
  const kubernetesVersion = value("kubernetes_version", isString, "a version");
  const installerImageBase = value("installer_image_base", isString, "an image name");
  const rawNodes = value("nodes", isArray, "a list") ?? [];
  // Written only with the fast API failover; older stacks and the option off have none.
  const fastVipEntry = outputs.fast_vip;
  const fastVip = fastVipEntry !== undefined && "value" in fastVipEntry ? fastVipEntry.value : undefined;
  if (fastVip !== undefined && !isString(fastVip)) problems.push("output fast_vip is not an address");
  const nodes: ClusterNode[] = [];
  (Array.isArray(rawNodes) ? rawNodes : []).forEach((raw, index) => {
    const node = raw as Partial<Record<keyof NodeRecord, unknown>>;
    if (typeof node?.name !== "string" || typeof node.ip !== "string" || (node.role !== "control-plane" && node.role !== "worker") || typeof node.vm_id !== "number" || typeof node.proxmox_host !== "string") {
      problems.push(`output nodes[${index}] is not {name, ip, role: control-plane|worker, vm_id, proxmox_host}`);
      return;
    }
    nodes.push(clusterNodeOf({ name: node.name, ip: node.ip, role: node.role, vm_id: node.vm_id, proxmox_host: node.proxmox_host }));
  });
  if (Array.isArray(rawNodes) && !nodes.some((node) => node.role === "control-plane") && problems.length === 0) problems.push("output nodes has no control plane");
  if (problems.length > 0) throw new Error(`the stack's outputs are not usable:\n  ${problems.join("\n  ")}`);
  const secret = (name: StackOutputName): string | undefined => {
    const entry = outputs[name];
    return typeof entry?.value === "string" && entry.value !== "" ? entry.value : undefined;
  };
  const talosconfig = secret("talosconfig");
  const kubeconfig = secret("kubeconfig");
  return {
    facts: { clusterName, vip, clusterEndpoint, ...(typeof fastVip === "string" ? { fastVip } : {}), nodes, talosVersion, kubernetesVersion, installerImageBase },
    credentials: talosconfig === undefined && kubeconfig === undefined ? undefined : { talosconfig, kubeconfig },
  };
}

function clusterNodeOf(record: NodeRecord): ClusterNode {
  return { name: record.name, ip: record.ip, role: record.role, vmId: record.vm_id, proxmoxHost: record.proxmox_host };
}

/** The part of a resolved cluster description that facts come from. */
export type ConfiguredCluster = Pick<ClusterSpec, "clusterName" | "vip" | "clusterEndpoint" | "talosVersion" | "kubernetesVersion"> &
  Partial<Pick<ClusterSpec, "fastFailoverEnabled" | "fastFailoverVip">> & {
  readonly nodes: readonly Pick<NodeSpec, "name" | "ip" | "vmId" | "proxmoxHost">[];
  readonly workers: readonly Pick<NodeSpec, "name" | "ip" | "vmId" | "proxmoxHost">[];
};

/**
 * Facts from the configuration instead of the state (no state, credentials
 * given as files): the same records the stack writes. The installer image
 * base needs the schematic id, known only after a deploy: empty here.
 */
export function factsFromConfiguration(spec: ConfiguredCluster): StackFacts {
  return {
    clusterName: spec.clusterName,
    vip: spec.vip,
    clusterEndpoint: spec.clusterEndpoint,
    ...(spec.fastFailoverEnabled && spec.fastFailoverVip ? { fastVip: spec.fastFailoverVip } : {}),
    nodes: nodeRecords(spec).map(clusterNodeOf),
    talosVersion: spec.talosVersion,
    kubernetesVersion: spec.kubernetesVersion,
    installerImageBase: "",
  };
}

/** The server of the kubeconfig the stack writes: the fast VIP when the stack has one, Talos's VIP (the cluster endpoint) otherwise, on the cluster endpoint's port. */
export function kubeconfigServerOf(facts: Pick<StackFacts, "clusterEndpoint" | "fastVip">): string {
  if (facts.fastVip === undefined) return facts.clusterEndpoint.replace(/\/+$/, "");
  const port = /:(\d+)\/*$/.exec(facts.clusterEndpoint)?.[1] ?? "6443";
  return `https://${facts.fastVip.includes(":") ? `[${facts.fastVip}]` : facts.fastVip}:${port}`;
}

/** The control planes of the stack, in its order (the bootstrapped one first). */
export function controlPlanesOf(facts: Pick<StackFacts, "nodes">): ClusterNode[] {
  return facts.nodes.filter((node) => node.role === "control-plane");
}
