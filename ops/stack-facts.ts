/**
 * The deployed cluster as the stack's outputs describe it: `terraform output
 * -json` text in, StackFacts and Credentials out. Pure; the terraform run
 * itself is ops/adapters/terraform.ts. The output names are the stack's
 * (stacks/homelab-stack.ts); Terraform prints each as
 * `{"<name>": {"sensitive": bool, "type": <type>, "value": <value>}}`.
 */
import type { ClusterNode, Credentials, StackFacts } from "./contracts";

export interface StackOutputs {
  readonly facts: StackFacts;
  /** Undefined when the state holds no credentials yet (the deploy stopped before the API answered). */
  readonly credentials?: Partial<Credentials>;
}

/** Parses `terraform output -json`. An empty document `{}` is a stack never applied. Messages never include output values. */
export function parseStackOutputs(text: string): StackOutputs {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error("terraform output -json did not print JSON");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw new Error("terraform output -json did not print an object");
  const outputs = document as Record<string, { value?: unknown } | undefined>;
  if (Object.keys(outputs).length === 0) throw new NoStateError();
  const problems: string[] = [];
  const value = <T>(name: string, check: (v: unknown) => v is T, what: string): T => {
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
  const nodes: ClusterNode[] = [];
  (Array.isArray(rawNodes) ? rawNodes : []).forEach((raw, index) => {
    const node = raw as { name?: unknown; ip?: unknown; role?: unknown; vm_id?: unknown; proxmox_host?: unknown };
    if (typeof node?.name !== "string" || typeof node.ip !== "string" || (node.role !== "control-plane" && node.role !== "worker") || typeof node.vm_id !== "number" || typeof node.proxmox_host !== "string") {
      problems.push(`output nodes[${index}] is not {name, ip, role: control-plane|worker, vm_id, proxmox_host}`);
      return;
    }
    nodes.push({ name: node.name, ip: node.ip, role: node.role, vmId: node.vm_id, proxmoxHost: node.proxmox_host });
  });
  if (Array.isArray(rawNodes) && !nodes.some((node) => node.role === "control-plane") && problems.length === 0) problems.push("output nodes has no control plane");
  if (problems.length > 0) throw new Error(`the stack's outputs are not usable:\n  ${problems.join("\n  ")}`);
  const secret = (name: string): string | undefined => {
    const entry = outputs[name];
    return typeof entry?.value === "string" && entry.value !== "" ? entry.value : undefined;
  };
  const talosconfig = secret("talosconfig");
  const kubeconfig = secret("kubeconfig");
  return {
    facts: { clusterName, vip, clusterEndpoint, nodes, talosVersion, kubernetesVersion, installerImageBase },
    credentials: talosconfig === undefined && kubeconfig === undefined ? undefined : { talosconfig, kubeconfig },
  };
}

/** The control planes of the stack, in its order (the bootstrapped one first). */
export function controlPlanesOf(facts: Pick<StackFacts, "nodes">): ClusterNode[] {
  return facts.nodes.filter((node) => node.role === "control-plane");
}

/** Where the stack's Terraform runs, relative to the project (main.ts: STACK_ID "homelab"). */
export const STACK_DIR = "cdktf.out/stacks/homelab";

/** No Terraform state (or an empty one): nothing to read the cluster from. */
export class NoStateError extends Error {
  constructor(message = `no Terraform state in ${STACK_DIR}: deploy first, or give --talosconfig and --kubeconfig`) {
    super(message);
    this.name = "NoStateError";
  }
}

/** The part of a resolved cluster description (constructs' ClusterSpec) that facts come from. */
export interface ConfiguredCluster {
  readonly clusterName: string;
  readonly vip: string;
  readonly clusterEndpoint: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
  readonly nodes: readonly { readonly name: string; readonly ip: string; readonly vmId: number; readonly proxmoxNode: string }[];
  readonly workers: readonly { readonly name: string; readonly ip: string; readonly vmId: number; readonly proxmoxNode: string }[];
}

/**
 * Facts from the configuration instead of the state (no state, credentials
 * given as files): the same description the stack deploys. The installer
 * image base needs the schematic id, known only after a deploy: empty here.
 */
export function factsFromConfiguration(spec: ConfiguredCluster): StackFacts {
  const node = (role: ClusterNode["role"]) => (n: ConfiguredCluster["nodes"][number]): ClusterNode => ({ name: n.name, ip: n.ip, role, vmId: n.vmId, proxmoxHost: n.proxmoxNode });
  return {
    clusterName: spec.clusterName,
    vip: spec.vip,
    clusterEndpoint: spec.clusterEndpoint,
    nodes: [...spec.nodes.map(node("control-plane")), ...spec.workers.map(node("worker"))],
    talosVersion: spec.talosVersion,
    kubernetesVersion: spec.kubernetesVersion,
    installerImageBase: "",
  };
}
