/**
 * `npm run review [-- --base <dir | git ref>]`: synthesizes the stack
 * (the app cdktf.json names, HOMELAB_CONFIG passed through), writes the pull
 * request review to <CDKTF_OUTDIR or cdktf.out>/review.md and prints it.
 *
 * --base is a folder with a synthesized cdk.tf.json (the stack folder, or a
 * cdktf.out folder holding stacks/homelab/cdk.tf.json), or a git revision,
 * which is extracted to a temporary folder and synthesized there with the
 * same HOMELAB_CONFIG.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { STACK_ID } from "../domain/stack-outputs";
import { code } from "./markdown";
import { renderReview } from "./render-review";
import { TerraformJson } from "./stack-model";

const root = path.resolve(__dirname, "..");

interface Base {
  readonly json: TerraformJson;
  readonly label: string;
}

function main(): void {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  const baseArg = baseArgument(args);
  const config = process.env.HOMELAB_CONFIG ? path.resolve(process.env.HOMELAB_CONFIG) : undefined;
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");

  // Resolve the base first: a typo in --base should fail before any work.
  const base = baseArg === undefined ? undefined : loadBase(baseArg, config);
  synthesize(root, outdir, config, "this checkout");
  const head = readJson(stackFile(outdir));
  const review = renderReview({ head, config: config && displayPath(config), base });
  fs.writeFileSync(path.join(outdir, "review.md"), review);
  process.stdout.write(review);
}

function baseArgument(args: readonly string[]): string | undefined {
  const unknown = args.filter((arg, index) => arg !== "--base" && args[index - 1] !== "--base");
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}; usage: npm run review [-- --base <dir | git ref>]`);
  const index = args.indexOf("--base");
  if (index < 0) return undefined;
  const value = args[index + 1];
  if (!value) throw new Error("--base needs a value: a folder holding cdk.tf.json, or a git revision");
  return value;
}

function loadBase(arg: string, config: string | undefined): Base {
  if (fs.existsSync(arg) && fs.statSync(arg).isDirectory()) {
    const candidates = [path.join(arg, "cdk.tf.json"), stackFile(arg)];
    const file = candidates.find((candidate) => fs.existsSync(candidate));
    if (!file) throw new Error(`--base ${arg}: no cdk.tf.json in that folder, nor in its stacks/${STACK_ID}/`);
    return { json: readJson(file), label: `the folder ${code(displayPath(path.resolve(arg)))}` };
  }
  const commit = git(["rev-parse", "--verify", "--quiet", `${arg}^{commit}`]);
  if (commit.status !== 0) throw new Error(`--base ${arg} is neither a folder nor a git revision of this repository`);
  const sha = commit.stdout.trim().slice(0, 12);
  const label = sha.startsWith(arg) || arg.startsWith(sha) ? `git revision ${code(sha)}` : `git revision ${code(arg)} (${sha})`;
  return { json: synthesizeRevision(arg, config), label };
}

/** Extracts the revision to a temporary folder, links node_modules, synthesizes it there. */
function synthesizeRevision(ref: string, config: string | undefined): TerraformJson {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-review-base-"));
  try {
    const tarball = path.join(tmp, "base.tar");
    const archive = git(["archive", "--format=tar", "-o", tarball, ref]);
    if (archive.status !== 0) throw new Error(`git archive ${ref} failed: ${archive.stderr.trim()}`);
    const checkout = path.join(tmp, "src");
    fs.mkdirSync(checkout);
    const untar = spawnSync("tar", ["-x", "-f", tarball, "-C", checkout], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`extracting ${ref} failed: ${untar.stderr.trim()}`);
    fs.symlinkSync(path.join(root, "node_modules"), path.join(checkout, "node_modules"), "dir");
    const outdir = path.join(tmp, "out");
    synthesize(checkout, outdir, config, `git revision ${ref}`);
    return readJson(stackFile(outdir));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

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

/** Runs the cdktf app of `project` into `outdir`. */
function synthesize(project: string, outdir: string, config: string | undefined, what: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: outdir };
  if (config) env.HOMELAB_CONFIG = config;
  else delete env.HOMELAB_CONFIG;
  const [node, ...args] = appCommand(project, what);
  const result = spawnSync(node, args, { cwd: project, env, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`synthesizing ${what} failed (exit ${result.status ?? result.signal}):\n${(result.stderr || result.stdout).trim()}`);
  }
}

function stackFile(outdir: string): string {
  return path.join(outdir, "stacks", STACK_ID, "cdk.tf.json");
}

function readJson(file: string): TerraformJson {
  return JSON.parse(fs.readFileSync(file, "utf8")) as TerraformJson;
}

function git(args: readonly string[]) {
  return spawnSync("git", args, { cwd: root, encoding: "utf8" });
}

/** Relative to the project when inside it; otherwise just the name, so no machine's paths reach the report. */
function displayPath(file: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? path.basename(file) : relative.split(path.sep).join("/");
}

try {
  main();
} catch (error: unknown) {
  console.error(`review: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
