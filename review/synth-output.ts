/**
 * The stack a synth wrote, found through cdktf's manifest.json (its list of
 * stacks and where each was written), so the review follows the stack's name
 * instead of assuming one.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { chooseCluster } from "../domain/cluster-set";

interface Manifest {
  readonly stacks?: Readonly<Record<string, { readonly synthesizedStackPath?: string }>>;
}

/** The stacks (one per cluster) a synth wrote, by name, as its manifest.json lists them. */
export function synthesizedStackNames(outdir: string): string[] {
  try {
    return Object.keys((JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as Manifest).stacks ?? {}).sort();
  } catch {
    return [];
  }
}

/**
 * The cdk.tf.json of the stack `cluster` names in the synth output `outdir`,
 * or of its only stack; `what` names the synth in messages.
 */
export function synthesizedStackFile(outdir: string, what: string, cluster?: string): string {
  const manifestFile = path.join(outdir, "manifest.json");
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
  } catch {
    throw new Error(`${what}: no readable manifest.json in the synth output, so no stack to review`);
  }
  const stacks = manifest.stacks ?? {};
  if (Object.keys(stacks).length === 0) throw new Error(`${what}: the synth wrote no stack`);
  const choice = chooseCluster(Object.keys(stacks), cluster, "--cluster NAME (the review compares one cluster's stack)");
  if ("problem" in choice) throw new Error(`${what}: ${choice.problem}`);
  const name = choice.stackId;
  const stack = stacks[name];
  if (!stack.synthesizedStackPath) throw new Error(`${what}: manifest.json gives no synthesizedStackPath for the stack ${name}`);
  return path.join(outdir, stack.synthesizedStackPath);
}
