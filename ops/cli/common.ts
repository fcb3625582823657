/**
 * Plumbing shared by the operator commands (verify, drill, upgrade): the
 * common flags, the cluster facts and credentials from the stack's Terraform
 * outputs (or --talosconfig / --kubeconfig files), a private temporary
 * folder for the talosconfig removed on exit, one-line failures, and the
 * 15-second rule: a command that cannot reach the cluster says so in one
 * line and exits non-zero within 15 seconds.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as readline from "node:readline";
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Credentials, StackFacts } from "../contracts";
import { stackKeepsLocalState, synthesizedStacks } from "../adapters/synthesized-stacks";
import { terraformOutputJson } from "../adapters/terraform";
import { chooseCluster, legacyStateMove } from "../../domain/cluster-set";
import { NoStateError, StackOutputs, factsFromConfiguration, parseStackOutputs, stackDirOf } from "../../domain/stack-outputs";

/** Exit codes: 0 everything holds, 1 a check failed, 2 the command could not run (missing tool, no state, cluster unreachable). */
export const EXIT_FAILED = 1;
export const EXIT_CANNOT_RUN = 2;

/** The flags every operator command takes. */
export const COMMON_OPTIONS = {
  talosconfig: { type: "string" },
  kubeconfig: { type: "string" },
  json: { type: "boolean", default: false },
  /** The project folder (holding cdktf.out); default the working directory. */
  project: { type: "string" },
  /** The cluster (stack) to act on, when the project has several. */
  cluster: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

export interface CommonArgs {
  readonly talosconfig?: string;
  readonly kubeconfig?: string;
  readonly json: boolean;
  readonly projectDir: string;
  /** The cluster to act on; needed only when there are several. */
  readonly cluster?: string;
  readonly help: boolean;
}

/** The common flags, for each command's usage line. */
export const COMMON_USAGE = "[--cluster NAME] [--json] [--talosconfig FILE] [--kubeconfig FILE] [--project DIR]";

/** A failure the command reports as one line (no stack trace) before exiting. */
export class OneLineError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_CANNOT_RUN) {
    super(message);
    this.name = "OneLineError";
  }
}

/** Parses the common flags plus a command's own; an unknown flag is a OneLineError. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig["options"]>>(argv: readonly string[], extra: T = {} as T) {
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...extra }, allowPositionals: true, strict: true });
    const values = parsed.values as Record<string, string | boolean | (string | boolean)[] | undefined>;
    const positionals = parsed.positionals;
    const common: CommonArgs = {
      talosconfig: values.talosconfig as string | undefined,
      kubeconfig: values.kubeconfig as string | undefined,
      json: values.json === true,
      projectDir: path.resolve((values.project as string | undefined) ?? process.cwd()),
      cluster: values.cluster as string | undefined,
      help: values.help === true,
    };
    return { common, values, positionals };
  } catch (error) {
    throw new OneLineError((error as Error).message.split("\n")[0]);
  }
}

/** The cluster as the stack describes it, with its credentials. */
export interface ClusterContext {
  readonly facts: StackFacts;
  readonly credentials: Credentials;
  /** A talosconfig file for `talosctl --talosconfig`: the operator's, or a copy in the private folder. */
  readonly talosconfigPath: string;
}

/** Options for loadClusterContext (tests and other commands may shorten the deadline). */
export interface LoadOptions {
  /** Deadline of `terraform output -json`. @default 6000 */
  readonly terraformTimeoutMs?: number;
}

/**
 * Facts from `terraform output -json` in the cluster's stack folder
 * (cdktf.out/stacks/<cluster>; --cluster picks one when there are several);
 * credentials from there too unless --talosconfig / --kubeconfig name files.
 * A talosconfig from the state is written, mode 0600, to a private folder
 * (0700) removed when the process exits.
 */
export async function loadClusterContext(args: CommonArgs, options: LoadOptions = {}): Promise<ClusterContext> {
  let outputs: StackOutputs;
  try {
    const stackId = chosenStack(args);
    outputs = parseStackOutputs(await terraformOutputJson({ projectDir: args.projectDir, stackId, timeoutMs: options.terraformTimeoutMs ?? 6_000 }), stackDirOf(stackId));
  } catch (error) {
    if (!(error instanceof NoStateError)) throw new OneLineError((error as Error).message);
    // No state, but both credentials given: the facts come from the configuration the stack deploys.
    if (args.talosconfig === undefined || args.kubeconfig === undefined) throw new OneLineError(error.message);
    outputs = { facts: await configuredFacts(args.cluster) };
  }
  const readOverride = (file: string, flag: string) => {
    try {
      return fs.readFileSync(file, "utf8");
    } catch (error) {
      throw new OneLineError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const talosconfig = args.talosconfig !== undefined ? readOverride(args.talosconfig, "--talosconfig") : outputs.credentials?.talosconfig;
  const kubeconfig = args.kubeconfig !== undefined ? readOverride(args.kubeconfig, "--kubeconfig") : outputs.credentials?.kubeconfig;
  const missing = [talosconfig === undefined ? "talosconfig" : undefined, kubeconfig === undefined ? "kubeconfig" : undefined].filter(Boolean);
  if (missing.length > 0) {
    throw new OneLineError(`the Terraform state has no ${missing.join(" or ")} (the deploy did not finish): deploy again, or give ${missing.map((m) => `--${m}`).join(" and ")}`);
  }
  const talosconfigPath = args.talosconfig !== undefined ? path.resolve(args.talosconfig) : writePrivateFile("talosconfig", talosconfig!);
  return { facts: outputs.facts, credentials: { talosconfig: talosconfig!, kubeconfig: kubeconfig! }, talosconfigPath };
}

/** The stack to act on: the one --cluster names, or the only one synthesized; NoStateError when none is, a OneLineError when the choice is unclear or its state must be moved first. */
export function chosenStack(args: CommonArgs): string {
  const stacks = synthesizedStacks(args.projectDir);
  if (stacks.length === 0) throw new NoStateError("no Terraform state: nothing is synthesized in cdktf.out/stacks (npm run synth, then deploy), or give --talosconfig and --kubeconfig");
  const choice = chooseCluster(stacks, args.cluster);
  if ("problem" in choice) throw new OneLineError(choice.problem);
  // Its state may still be the file from before stacks were named after their cluster: "deploy first" would be wrong advice.
  const states = stacks.map((stackId) => ({ stackId, local: stackKeepsLocalState(args.projectDir, stackId) }));
  const move = legacyStateMove(states, choice.stackId, (file) => fs.existsSync(path.join(args.projectDir, file)));
  if (move !== undefined) throw new OneLineError(move);
  return choice.stackId;
}

/** The cluster HOMELAB_CONFIG describes (or the reference homelab), as main.ts resolves it; loaded only when needed. */
async function configuredFacts(cluster: string | undefined): Promise<StackFacts> {
  const { resolveClusterSpec } = await import("../../domain/cluster-spec");
  const { loadClusters } = await import("../../config/load-clusters");
  const specs = loadClusters(process.env.HOMELAB_CONFIG).map(({ props }) => resolveClusterSpec(props.cluster));
  const choice = chooseCluster(specs.map((spec) => spec.clusterName), cluster);
  if ("problem" in choice) throw new OneLineError(choice.problem);
  return factsFromConfiguration(specs.find((spec) => spec.clusterName === choice.stackId)!);
}

let privateDir: string | undefined;

/** Writes `name` (mode 0600) into this process's private folder (mode 0700), created on first use and removed on exit. */
export function writePrivateFile(name: string, content: string): string {
  if (privateDir === undefined) {
    privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-ops-"));
    fs.chmodSync(privateDir, 0o700);
    process.once("exit", removePrivateDir);
    installSignalHandlers();
  }
  const file = path.join(privateDir, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}

let signalsInstalled = false;
let interruptHook: (() => void) | undefined;

/** On SIGINT, SIGTERM or SIGHUP: the interrupt hook once (SIGINT only), otherwise remove the private folder and exit. */
function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (signal === "SIGINT" && interruptHook !== undefined) {
        const hook = interruptHook;
        interruptHook = undefined;
        hook();
        return;
      }
      removePrivateDir();
      process.exit(128 + (signal === "SIGINT" ? 2 : signal === "SIGTERM" ? 15 : 1));
    });
  }
}

/**
 * The first Ctrl-C calls `hook` instead of exiting (the drill uses it to
 * start a powered-off VM again before it stops); a second one exits at once.
 */
export function onFirstInterrupt(hook: () => void): void {
  installSignalHandlers();
  interruptHook = hook;
}

/** Removes the private folder now (also runs on exit). */
export function removePrivateDir(): void {
  if (privateDir === undefined) return;
  fs.rmSync(privateDir, { recursive: true, force: true });
  privateDir = undefined;
}

/** The 15-second rule's timer: what is being waited for now, and its end once the cluster has answered. */
export interface Watchdog {
  waitingFor(what: string): void;
  /** The cluster answered: from here the command may take as long as its work takes (the drill, the upgrade). */
  cancel(): void;
}

/**
 * The 15-second rule: past `seconds`, print one line naming what the command
 * was waiting for and exit non-zero, whatever is still running.
 */
export function startWatchdog(command: string, seconds = 14): Watchdog {
  let waitingFor = "the cluster";
  const timer = setTimeout(() => {
    process.stderr.write(`${command}: no answer from ${waitingFor} within ${seconds} s: is the cluster reachable from here?\n`);
    removePrivateDir();
    process.exit(EXIT_CANNOT_RUN);
  }, seconds * 1000);
  timer.unref();
  return {
    waitingFor: (what: string) => {
      waitingFor = what;
    },
    cancel: () => clearTimeout(timer),
  };
}

/** Runs a command's main: a OneLineError (or any error) is one line on stderr and its exit code. */
export function runMain(command: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      removePrivateDir();
      process.exitCode = code;
    },
    (error: unknown) => {
      removePrivateDir();
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${command}: ${message.split("\n").join("\n  ")}\n`);
      process.exitCode = error instanceof OneLineError ? error.exitCode : EXIT_CANNOT_RUN;
    },
  );
}

/**
 * Asks a y/N question on the terminal (on stderr); without a terminal,
 * refuses with the question less `askedSuffix` (nothing that takes a node
 * down runs unattended without --yes).
 */
export async function confirmOnTerminal(prompt: string, askedSuffix: RegExp): Promise<boolean> {
  if (!process.stdin.isTTY) throw new OneLineError(`${prompt.replace(askedSuffix, "")}: there is no terminal to confirm on; add --yes to run it unattended`, EXIT_CANNOT_RUN);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${prompt} `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
