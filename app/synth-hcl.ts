/**
 * `npm run synth:hcl`: the stack as plain Terraform HCL, for people who read
 * HCL and as the way out of cdktf. Runs the app twice, offline and without
 * the cdktf CLI: once for the JSON (into CDKTF_OUTDIR, default cdktf.out),
 * once in cdktf's HCL mode (into HCL_OUTDIR, default cdktf.out/hcl; its own
 * folder, since Terraform would load cdk.tf and cdk.tf.json together). Then
 * it adds the check blocks cdktf's renderer drops and formats the result as
 * `terraform fmt` would (app/hcl-format.ts, then hclwrite's formatter, the
 * one the cdktf CLI uses).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { format } from "@cdktf/hcl-tools";
import { normalizeCdktfHcl, renderCheckBlocks } from "./hcl-format";

const root = path.resolve(__dirname, "..");
const launcher = path.join(root, "app", "run.js");

function synthesize(outdir: string, env: Record<string, string> = {}): void {
  const result = spawnSync(process.execPath, [launcher, "synth"], { cwd: root, stdio: "inherit", env: { ...process.env, ...env, CDKTF_OUTDIR: outdir } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

interface Manifest {
  stacks: Record<string, { synthesizedStackPath: string }>;
}

async function main(): Promise<void> {
  const jsonOutdir = path.resolve(root, process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const hclOutdir = path.resolve(root, process.env.HCL_OUTDIR ?? "cdktf.out/hcl");
  synthesize(jsonOutdir);
  synthesize(hclOutdir, { SYNTH_HCL_OUTPUT: "true" });

  const manifest = JSON.parse(fs.readFileSync(path.join(hclOutdir, "manifest.json"), "utf8")) as Manifest;
  for (const [name, stack] of Object.entries(manifest.stacks)) {
    const hclFile = path.join(hclOutdir, stack.synthesizedStackPath);
    const json = JSON.parse(fs.readFileSync(path.join(jsonOutdir, "stacks", name, "cdk.tf.json"), "utf8"));
    const checks = renderCheckBlocks(json);
    const hcl = normalizeCdktfHcl(fs.readFileSync(hclFile, "utf8")).trimEnd() + (checks ? `\n\n${checks}` : "\n");
    fs.writeFileSync(hclFile, await format(hcl));
    console.log(`HCL of stack ${name}: ${path.relative(process.cwd(), hclFile)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
