/**
 * One layout for the synthesized stack JSON, whichever CDK runtime wrote it
 * (cdktf 0.21 or CDK Terrain): so `npm run synth` and `npm run synth:cdktn`
 * write the same bytes, and moving runtime shows no change in a review.
 *
 * Two things differ between the runtimes' own files, and only these (checked
 * on the reference homelab and every example):
 * - `"//".metadata.version`, each library's own version. The cdktf CLI reads
 *   that block only for its usage telemetry; it is dropped, not rewritten, so
 *   the file claims no runtime.
 * - the layout of empty lists and objects (cdktf's json-stable-stringify
 *   writes `[\n ]`, cdktn's safe-stable-stringify `[]`). Both sort keys and
 *   indent by two; the file is written again with safe-stable-stringify.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "safe-stable-stringify";

export function normalizeStackJson(text: string): string {
  const document = JSON.parse(text) as { "//"?: { metadata?: { version?: unknown } } };
  delete document["//"]?.metadata?.version;
  return stringify(document, null, 2)!;
}

/** Rewrites every `stacks/<id>/cdk.tf.json` below a synth's output folder. */
export function normalizeSynthesizedStacks(outdir: string): void {
  const stacks = path.join(outdir, "stacks");
  if (!fs.existsSync(stacks)) return;
  for (const id of fs.readdirSync(stacks)) {
    const file = path.join(stacks, id, "cdk.tf.json");
    if (fs.existsSync(file)) fs.writeFileSync(file, normalizeStackJson(fs.readFileSync(file, "utf8")));
  }
}
