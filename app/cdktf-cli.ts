/**
 * `npm run deploy|diff|destroy [-- CLUSTER] [cdktf options]`: the cdktf CLI
 * for one cluster's stack. It picks the stack (the only one, or the one
 * named; the names are the configured clusters'), refuses a stack whose
 * local state still sits in the file from before stacks were named after
 * their cluster (Terraform would plan it from empty), and runs the CLI with
 * HashiCorp's version check off (CHECKPOINT_DISABLE: offline it only prints
 * an error) and without the plugin cache the CLI would create under $HOME.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadClusters } from "../config/load-clusters";
import { chooseCluster, legacyStateMove, stackStateOf } from "../domain";

const COMMANDS = ["deploy", "diff", "destroy"] as const;
type CdktfCommand = (typeof COMMANDS)[number];

/** What to run: the cdktf CLI with its arguments and environment. */
export interface CdktfInvocation {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** A refusal, printed as one line with exit code 2. */
export class CdktfCliRefusal extends Error {}

export interface InvocationInput {
  readonly command: string;
  /** The user's arguments: an optional cluster name first, then options for cdktf. */
  readonly argv: readonly string[];
  /** The configured stacks (id and whether its state is a local file). */
  readonly stacks: readonly { readonly stackId: string; readonly local: boolean }[];
  /** Whether a file of that name is in the project folder. */
  readonly exists: (file: string) => boolean;
  readonly projectDir: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Pure: the invocation for these arguments, or a refusal. */
export function cdktfInvocation(input: InvocationInput): CdktfInvocation {
  if (!COMMANDS.includes(input.command as CdktfCommand)) throw new CdktfCliRefusal(`unknown command ${input.command}; one of ${COMMANDS.join(", ")}`);
  const [first, ...rest] = input.argv;
  const named = first !== undefined && !first.startsWith("-") ? first : undefined;
  const choice = chooseCluster(
    input.stacks.map(({ stackId }) => stackId),
    named,
    `npm run ${input.command} -- NAME`,
  );
  if ("problem" in choice) throw new CdktfCliRefusal(choice.problem);
  const move = legacyStateMove(input.stacks, choice.stackId, input.exists);
  if (move !== undefined) throw new CdktfCliRefusal(`refused: ${move}`);
  return {
    file: path.join(input.projectDir, "node_modules", ".bin", "cdktf"),
    args: [input.command, choice.stackId, ...(named === undefined ? input.argv : rest)],
    env: { ...input.env, CHECKPOINT_DISABLE: "1", CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1" },
  };
}

function main(): number {
  const [command, ...argv] = process.argv.slice(2);
  const projectDir = process.cwd();
  try {
    const stacks = loadClusters(process.env.HOMELAB_CONFIG).map(({ props }) => stackStateOf(props));
    const run = cdktfInvocation({ command, argv, stacks, exists: (file) => fs.existsSync(path.join(projectDir, file)), projectDir, env: process.env });
    const result = spawnSync(run.file, [...run.args], { stdio: "inherit", env: run.env });
    if (result.error) throw new CdktfCliRefusal(`cannot run the cdktf CLI (${run.file}): ${result.error.message}; run npm ci first`);
    return result.status ?? 1;
  } catch (error) {
    process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main();
