/**
 * Synthesis into a staging folder, then a swap into the real output folder,
 * so a failed synth leaves the previous cdktf.out as it was instead of half
 * written. The output then holds exactly the stacks of this synth: the
 * folder of a stack no longer configured goes (Terraform's working files in
 * it too; a state file is never removed), and so do outputs derived from an
 * earlier synth (the review, the HCL). In the folders of the stacks it
 * writes, files cdktf does not write (Terraform's .terraform/ folder and lock
 * file) are left alone.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Files cdktf writes into a stack folder; stale ones from an earlier synth are removed. */
const SYNTHESIZED_STACK_FILES = new Set(["cdk.tf.json", "cdk.tf", "metadata.json"]);

/** What Terraform keeps in a stack folder it worked in: removed with a stack that is no longer configured. */
const TERRAFORM_WORKING_FILES = new Set([".terraform", ".terraform.lock.hcl"]);

/** Outputs made from a synth by other commands (npm run review, npm run synth:hcl): stale once the stacks change. */
const DERIVED_OUTPUTS = ["review.md", "hcl"];

/**
 * Runs `synthesize` against a fresh staging folder next to `outdir`. When it
 * returns, every file it wrote replaces its counterpart in `outdir` by an
 * atomic rename; when it throws, `outdir` is untouched. The staging folder is
 * removed either way.
 */
export interface ReplaceOutdirOptions {
  /**
   * Remove the folders of stacks this synth does not write. Off when the
   * cdktf CLI runs the app: it lists the stack folders before the synth and
   * removes the orphans itself afterwards (without `force`: a folder already
   * gone fails its run).
   * @default true
   */
  readonly removeStaleStacks?: boolean;
}

export function replaceOutdir(outdir: string, synthesize: (stagingDir: string) => void, options: ReplaceOutdirOptions = {}): void {
  const target = path.resolve(outdir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.staging-`);
  try {
    synthesize(staging);
    moveInto(staging, target, options.removeStaleStacks ?? true);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function moveInto(staging: string, target: string, staleStacks: boolean): void {
  const files = listFiles(staging);
  // Stack files first, manifest.json last: tools find the stacks through the manifest.
  files.sort((a, b) => Number(a === "manifest.json") - Number(b === "manifest.json") || a.localeCompare(b));
  for (const stackDir of new Set(files.map(path.dirname).filter((dir) => dir !== "."))) {
    removeStaleSynthesizedFiles(path.join(target, stackDir), new Set(files.filter((file) => path.dirname(file) === stackDir).map((file) => path.basename(file))));
  }
  if (staleStacks) removeStaleStacks(path.join(target, "stacks"), new Set(files.filter((file) => file.startsWith(`stacks${path.sep}`)).map((file) => file.split(path.sep)[1])));
  for (const derived of DERIVED_OUTPUTS) fs.rmSync(path.join(target, derived), { recursive: true, force: true });
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.renameSync(path.join(staging, file), path.join(target, file));
  }
}

/** The folders of stacks this synth does not write: what cdktf and Terraform put there goes; the folder too, when nothing else is left (a state file stays). */
function removeStaleStacks(stacksDir: string, current: Set<string>): void {
  if (!fs.existsSync(stacksDir)) return;
  for (const entry of fs.readdirSync(stacksDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || current.has(entry.name)) continue;
    const dir = path.join(stacksDir, entry.name);
    for (const name of fs.readdirSync(dir)) {
      if (SYNTHESIZED_STACK_FILES.has(name) || TERRAFORM_WORKING_FILES.has(name)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
    if (fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
}

function removeStaleSynthesizedFiles(dir: string, written: Set<string>): void {
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) {
    if (SYNTHESIZED_STACK_FILES.has(name) && !written.has(name)) fs.rmSync(path.join(dir, name));
  }
}

/** Every file below `dir`, as paths relative to it. */
function listFiles(dir: string, prefix = ""): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(prefix, entry.name);
    return entry.isDirectory() ? listFiles(dir, relative) : [relative];
  });
}
