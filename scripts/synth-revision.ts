/**
 * Synthesizes a git revision of this project into a folder, exactly as
 * `npm run review -- --base <rev>` synthesizes its base (review/synthesize.ts):
 * the revision extracted to a temporary folder with node_modules linked in,
 * its own cdktf.json app, and HOMELAB_CONFIG as the revision has that file
 * (a file outside the repository serves as it is). For CI's proof that a
 * state of an older commit moves to this one's stack (.ci/ci-moved-types.sh).
 *
 * Usage: node --import tsx scripts/synth-revision.ts <git rev> <outdir> [HOMELAB_CONFIG]
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { commitOf } from "../review/git-revision";
import { synthesizeRevision } from "../review/synthesize";

const project = path.resolve(__dirname, "..");

function main(): void {
  const [ref, outdir, config] = process.argv.slice(2);
  if (!ref || !outdir) throw new Error("usage: node --import tsx scripts/synth-revision.ts <git rev> <outdir> [HOMELAB_CONFIG]");
  const commit = commitOf(project, ref);
  if (commit === undefined) throw new Error(`${ref} is not a git revision of this repository`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-synth-revision-"));
  try {
    const what = `git revision ${ref}`;
    const { config: based, synthesized } = synthesizeRevision(project, commit, config && path.resolve(config), tmp, path.resolve(outdir), what);
    if (!synthesized) throw new Error(`${what} has no ${config}: nothing to synthesize`);
    console.log(`synthesized ${what} (${commit.slice(0, 12)}) into ${outdir}${based.kind === "at-revision" ? `, from ${based.path} as it was then` : ""}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (error: unknown) {
  console.error(`synth-revision: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
