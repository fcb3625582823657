/**
 * Synthesizing a project folder, this checkout or a git revision extracted
 * to a temporary folder, the way the cdktf CLI does: its cdktf.json app, run
 * with CDKTF_OUTDIR and HOMELAB_CONFIG. Used by `npm run review` (both sides)
 * and by CI's proof that a state from an older commit moves cleanly
 * (scripts/synth-revision.ts, .ci/ci-moved-types.sh).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BaseConfig } from "./base-config";
import { baseConfigAt, extractRevision } from "./git-revision";

/**
 * The command that runs a project's cdktf app: its cdktf.json "app", which
 * the cdktf CLI runs too. Each revision says it itself, so a base from before
 * the app moved (`node scripts/app.js`) synthesizes as well as this one.
 */
function appCommand(project: string, what: string): string[] {
  let app: unknown;
  try {
    app = (JSON.parse(fs.readFileSync(path.join(project, "cdktf.json"), "utf8")) as { app?: unknown }).app;
  } catch {
    throw new Error(`${what} has no readable cdktf.json: it cannot be synthesized the way this review synthesizes`);
  }
  const words = typeof app === "string" ? app.trim().split(/\s+/) : [];
  if (words[0] !== "node" || words.length < 2) throw new Error(`${what}: cdktf.json's app is ${JSON.stringify(app)}, not a node command this review can run`);
  return [process.execPath, ...words.slice(1)];
}

/** Runs the cdktf app of `project` into `outdir`, with `config` as HOMELAB_CONFIG (unset: the reference homelab). */
export function synthesizeProject(project: string, outdir: string, config: string | undefined, what: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir };
  if (config) env.HOMELAB_CONFIG = config;
  else delete env.HOMELAB_CONFIG;
  const [node, ...args] = appCommand(project, what);
  const result = spawnSync(node, args, { cwd: project, env, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`synthesizing ${what} failed (exit ${result.status ?? result.signal}):\n${(result.stderr || result.stdout).trim()}`);
  }
}

/**
 * Synthesizes `commit` of the repository holding `project` into `outdir`:
 * the revision extracted under `tmp` (an existing empty folder the caller
 * removes) with this checkout's node_modules linked in, and HOMELAB_CONFIG
 * as the revision has `config` (review/git-revision.ts). A configuration the
 * revision does not have is a new cluster: nothing is synthesized.
 */
export function synthesizeRevision(project: string, commit: string, config: string | undefined, tmp: string, outdir: string, what: string): { readonly config: BaseConfig; readonly synthesized: boolean } {
  const based = baseConfigAt(project, commit, config, path.join(tmp, "config"));
  if (based.config.kind === "new-cluster") return { config: based.config, synthesized: false };
  const checkout = path.join(tmp, "src");
  fs.mkdirSync(checkout);
  extractRevision(project, commit, checkout);
  fs.symlinkSync(path.join(project, "node_modules"), path.join(checkout, "node_modules"), "dir");
  synthesizeProject(checkout, outdir, based.file, what);
  return { config: based.config, synthesized: true };
}
