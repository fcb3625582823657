/**
 * The stack a synth wrote, found through cdktf's manifest.json (its list of
 * stacks and where each was written), so the review follows the stack's name
 * instead of assuming one.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface Manifest {
  readonly stacks?: Readonly<Record<string, { readonly synthesizedStackPath?: string }>>;
}

/** The cdk.tf.json of the one stack in the synth output `outdir`; `what` names the synth in messages. */
export function synthesizedStackFile(outdir: string, what: string): string {
  const manifestFile = path.join(outdir, "manifest.json");
  let manifest: Manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
  } catch {
    throw new Error(`${what}: no readable manifest.json in the synth output, so no stack to review`);
  }
  const stacks = Object.entries(manifest.stacks ?? {});
  if (stacks.length !== 1) {
    const names = stacks.map(([name]) => name).join(", ");
    throw new Error(
      stacks.length === 0
        ? `${what}: the synth wrote no stack`
        : `${what}: the synth wrote ${stacks.length} stacks (${names}); the review compares one stack: point HOMELAB_CONFIG at one cluster's file`
    );
  }
  const [name, stack] = stacks[0];
  if (!stack.synthesizedStackPath) throw new Error(`${what}: manifest.json gives no synthesizedStackPath for the stack ${name}`);
  return path.join(outdir, stack.synthesizedStackPath);
}
