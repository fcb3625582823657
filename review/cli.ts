/**
 * `npm run review [-- --base <dir | git ref>] [--cluster NAME]`: synthesizes the stack
 * (the app cdktf.json names, HOMELAB_CONFIG passed through), writes the pull
 * request review to <CDKTF_OUTDIR or cdktf.out>/review.md and prints it.
 *
 * --base is a folder with a synthesized cdk.tf.json (the stack folder, or a
 * synth output folder whose manifest.json names one stack), or a git
 * revision, which is extracted to a temporary folder and synthesized there
 * with the HOMELAB_CONFIG file as it was at that revision (review/git-revision.ts).
 * With several clusters (HOMELAB_CONFIG a folder), --cluster names the one
 * to review; a cluster the base does not have is new there. A cluster whose
 * local state is still the file from before stacks were named after their
 * cluster is refused until that file is moved.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { baseConfigNote, baseLabel, withBaseNote } from "./base-config";
import { commitOf, repositoryTop } from "./git-revision";
import { code } from "./markdown";
import { renderReview } from "./render-review";
import { TerraformJson } from "./stack-model";
import { keepsLocalState, legacyStateMove } from "../domain";
import { synthesizedStackFile, synthesizedStackNames } from "./synth-output";
import { synthesizeProject, synthesizeRevision } from "./synthesize";

const root = path.resolve(__dirname, "..");

interface Base {
  readonly json: TerraformJson;
  readonly label: string;
  /** What the base was synthesized from, for the top of the report (git revisions only). */
  readonly note?: string;
}

const USAGE = "usage: npm run review [-- --base <dir | git ref>] [--cluster NAME]";

function main(): void {
  const args = process.argv.slice(2).filter((arg) => arg !== "--");
  const { base: baseArg, cluster } = reviewArguments(args);
  const config = process.env.HOMELAB_CONFIG ? path.resolve(process.env.HOMELAB_CONFIG) : undefined;
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");

  // A typo in --base fails before any work; the base itself is read once the head says which cluster.
  if (baseArg !== undefined && !(fs.existsSync(baseArg) && fs.statSync(baseArg).isDirectory()) && commitOf(root, baseArg) === undefined) {
    throw new Error(`--base ${baseArg} is neither a folder nor a git revision of this repository`);
  }
  // The head first: which cluster, and whether its state is where its stack looks for it.
  synthesizeProject(root, outdir, config, "this checkout");
  const headFile = synthesizedStackFile(outdir, "this checkout", cluster);
  const stackId = path.basename(path.dirname(headFile));
  refuseLegacyState(outdir, stackId);
  const base = baseArg === undefined ? undefined : loadBase(baseArg, config, stackId);
  const head = readJson(headFile);
  const review = renderReview({ head, config: config && displayPath(config), base: base && { json: base.json, label: base.label } });
  const text = base?.note ? withBaseNote(review, base.note) : review;
  fs.writeFileSync(path.join(outdir, "review.md"), text);
  process.stdout.write(text);
}

function reviewArguments(args: readonly string[]): { base?: string; cluster?: string } {
  const flags = ["--base", "--cluster"];
  const unknown = args.filter((arg, index) => !flags.includes(arg) && !flags.includes(args[index - 1]));
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown[0]}; ${USAGE}`);
  const value = (flag: string, needs: string) => {
    const index = args.indexOf(flag);
    if (index < 0) return undefined;
    const given = args[index + 1];
    if (!given) throw new Error(`${flag} needs a value: ${needs}`);
    return given;
  };
  return { base: value("--base", "a folder holding cdk.tf.json, or a git revision"), cluster: value("--cluster", "the name of a configured cluster") };
}

/**
 * A review of a stack whose local state Terraform would not find (it is still
 * terraform.homelab.tfstate, from before stacks were named after their
 * cluster) would show a plan from empty as if it were the change: refused.
 */
function refuseLegacyState(outdir: string, stackId: string): void {
  const stacks = synthesizedStackNames(outdir).map((id) => ({ stackId: id, local: isLocal(outdir, id) }));
  const projectDir = path.dirname(outdir);
  const move = legacyStateMove(stacks, stackId, (file) => fs.existsSync(path.join(projectDir, file)));
  if (move !== undefined) throw new Error(`refused: ${move}`);
}

/** Whether the synthesized stack keeps a local state (its backend is local). */
function isLocal(outdir: string, stackId: string): boolean {
  try {
    return keepsLocalState(readJson(path.join(outdir, "stacks", stackId, "cdk.tf.json")));
  } catch {
    return false;
  }
}

function loadBase(arg: string, config: string | undefined, stackId: string): Base {
  if (fs.existsSync(arg) && fs.statSync(arg).isDirectory()) {
    const file = fs.existsSync(path.join(arg, "cdk.tf.json"))
      ? path.join(arg, "cdk.tf.json")
      : fs.existsSync(path.join(arg, "manifest.json"))
        ? synthesizedStackFile(arg, `--base ${arg}`, stackId)
        : undefined;
    if (!file) throw new Error(`--base ${arg}: no cdk.tf.json in that folder, nor a manifest.json naming one (a synth output folder)`);
    return { json: readJson(file), label: `the folder ${code(displayPath(path.resolve(arg)))}` };
  }
  const commit = commitOf(root, arg);
  if (commit === undefined) throw new Error(`--base ${arg} is neither a folder nor a git revision of this repository`);
  const sha = commit.slice(0, 12);
  const revision = sha.startsWith(arg) || arg.startsWith(sha) ? `git revision ${code(sha)}` : `git revision ${code(arg)} (${sha})`;
  return baseAtRevision(commit, arg, config, revision, stackId);
}

/**
 * Extracts the revision to a temporary folder, links node_modules, and
 * synthesizes it there from the configuration as it was at that revision.
 * A configuration file the revision does not have is a new cluster: the base
 * is empty, and nothing is synthesized.
 */
function baseAtRevision(commit: string, ref: string, config: string | undefined, revision: string, stackId: string): Base {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-review-base-"));
  try {
    const outdir = path.join(tmp, "out");
    const what = `git revision ${ref}`;
    const based = synthesizeRevision(root, commit, config, tmp, outdir, what);
    const described = { label: baseLabel(revision, based.config), note: baseConfigNote(revision, based.config) };
    if (!based.synthesized) return { json: {}, ...described };
    const baseStacks = synthesizedStackNames(outdir);
    if (baseStacks.length > 1 && !baseStacks.includes(stackId)) {
      // A folder of clusters that gained this one: the base has none of it.
      return { json: {}, label: `${revision}, where cluster ${code(stackId)} did not exist (a new cluster: everything is created)`, note: `Cluster ${code(stackId)} did not exist at ${revision}: this is a new cluster. The base is empty, so every resource is created.` };
    }
    return { json: readJson(synthesizedStackFile(outdir, what, baseStacks.includes(stackId) ? stackId : undefined)), ...described };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function readJson(file: string): TerraformJson {
  return JSON.parse(fs.readFileSync(file, "utf8")) as TerraformJson;
}

/**
 * Relative to the repository's top level (the project folder outside git)
 * when inside it; otherwise just the name, so no machine's paths reach the report.
 */
function displayPath(file: string): string {
  const top = repositoryTop(root) ?? fs.realpathSync(root);
  let real = file;
  try {
    real = fs.realpathSync(file);
  } catch {
    // not there (yet): compared as given
  }
  const relative = path.relative(top, real);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? path.basename(file) : relative.split(path.sep).join("/");
}

try {
  main();
} catch (error: unknown) {
  console.error(`review: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
