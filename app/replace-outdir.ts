/**
 * Synthesis into a staging folder, then a swap into the real output folder,
 * so a failed synth leaves the previous cdktf.out as it was instead of half
 * written. Files cdktf does not write (Terraform's .terraform/ folder and
 * lock file inside a stack folder) are left alone.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Files cdktf writes into a stack folder; stale ones from an earlier synth are removed. */
const SYNTHESIZED_STACK_FILES = new Set(["cdk.tf.json", "cdk.tf", "metadata.json"]);

/**
 * Runs `synthesize` against a fresh staging folder next to `outdir`. When it
 * returns, every file it wrote replaces its counterpart in `outdir` by an
 * atomic rename; when it throws, `outdir` is untouched. The staging folder is
 * removed either way.
 */
export function replaceOutdir(outdir: string, synthesize: (stagingDir: string) => void): void {
  const target = path.resolve(outdir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.staging-`);
  try {
    synthesize(staging);
    moveInto(staging, target);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function moveInto(staging: string, target: string): void {
  const files = listFiles(staging);
  // Stack files first, manifest.json last: tools find the stacks through the manifest.
  files.sort((a, b) => Number(a === "manifest.json") - Number(b === "manifest.json") || a.localeCompare(b));
  for (const stackDir of new Set(files.map(path.dirname).filter((dir) => dir !== "."))) {
    removeStaleSynthesizedFiles(path.join(target, stackDir), new Set(files.filter((file) => path.dirname(file) === stackDir).map((file) => path.basename(file))));
  }
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    fs.renameSync(path.join(staging, file), path.join(target, file));
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
