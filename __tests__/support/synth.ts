/** Helpers to synthesize the stack in-process and look into the JSON. */
import { Testing } from "cdktf";
import { HomelabStack, HomelabStackProps } from "../../stacks/homelab-stack";

export interface SynthesizedStack {
  /** The cdk.tf.json text, as cdktf writes it. */
  readonly text: string;
  readonly json: TerraformJson;
  readonly stack: HomelabStack;
}

export interface TerraformJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; sensitive?: boolean }>;
  provider: Record<string, Record<string, unknown>[]>;
  terraform: Record<string, unknown>;
}

export function synthHomelab(props: HomelabStackProps = {}): SynthesizedStack {
  const app = Testing.app();
  const stack = new HomelabStack(app, "homelab", props);
  const text = Testing.synth(stack);
  return { text, json: JSON.parse(text) as TerraformJson, stack };
}

/** Resources (or data sources) of one type, keyed by Terraform name. */
/** One resource or data block of the synthesized JSON. */
export type Block = Record<string, unknown>;

export function blocksOf(json: TerraformJson, type: string, kind: "resource" | "data" = "resource"): [string, Block][] {
  return Object.entries(json[kind][type] ?? {});
}

/**
 * The Terraform address of the block at a construct path below the stack,
 * e.g. `ControlPlane/Nodes/k8s-controller1/Vm`. cdktf names it after the path
 * plus a hash suffix: `ControlPlane_Nodes_k8s-controller1_Vm_1A2B3C4D`.
 */
export function addressOf(json: TerraformJson, type: string, constructPath: string, kind: "resource" | "data" = "resource"): string {
  const prefix = `${constructPath.replace(/\//g, "_")}_`;
  const names = blocksOf(json, type, kind)
    .map(([name]) => name)
    .filter((name) => name.startsWith(prefix) && /^[0-9A-F]{8}$/.test(name.slice(prefix.length)));
  if (names.length !== 1) throw new Error(`expected one ${type} at ${constructPath}, found ${names.length}`);
  return `${kind === "data" ? "data." : ""}${type}.${names[0]}`;
}
