/**
 * `npm run upgrade -- --talos vX.Y.Z | --kubernetes vX.Y.Z [--dry-run]`
 *
 * Pre-checks as `verify`, prints the plan, and (without --dry-run) upgrades
 * one node at a time (ops/upgrade.ts). Exit 0 when done or planned, 1 when
 * refused or stopped part-way (the output says where the cluster stands and
 * the command to resume), 2 on a bad argument or when it cannot run.
 */
import { HttpsKubernetesClient, parseKubeconfig } from "../adapters/kubernetes";
import { TalosctlClient } from "../adapters/talosctl";
import { OperationMarking, markingTalos } from "../operation-marker";
import { parseVersion } from "../../domain/talos-versions";
import { runUpgrade, UpgradeResult, UpgradeTarget } from "../upgrade";
import { installerImageBaseProblem } from "../upgrade-plan";
import { observe, verifyChecks } from "../verify";
import { COMMON_USAGE, CommonArgs, EXIT_FAILED, OneLineError, loadClusterContext, parseCommandArgs, runMain } from "./common";

export const UPGRADE_USAGE = `usage: npm run upgrade -- --talos vX.Y.Z | --kubernetes vX.Y.Z [--dry-run] [--node-timeout-minutes N] [--installer-image-base IMAGE] ${COMMON_USAGE}`;

export interface UpgradeArgs {
  readonly common: CommonArgs;
  readonly target: UpgradeTarget;
  readonly dryRun: boolean;
  readonly nodeTimeoutMs: number;
  /** The installer image without its tag, instead of the state's `installer_image_base` (needed without a state). */
  readonly installerImageBase?: string;
}

/** Parses the command line; a bad argument is a one-line OneLineError (exit 2). */
export function parseUpgradeArgs(argv: readonly string[]): UpgradeArgs {
  const { common, values, positionals } = parseCommandArgs(argv, {
    talos: { type: "string" },
    kubernetes: { type: "string" },
    "dry-run": { type: "boolean", default: false },
    "node-timeout-minutes": { type: "string" },
    "installer-image-base": { type: "string" },
  });
  if (positionals.length > 0) throw new OneLineError(`unexpected argument "${positionals[0]}"; ${UPGRADE_USAGE}`);
  const talos = values.talos as string | undefined;
  const kubernetes = values.kubernetes as string | undefined;
  if ((talos === undefined) === (kubernetes === undefined)) throw new OneLineError(`give exactly one of --talos or --kubernetes; ${UPGRADE_USAGE}`);
  const target: UpgradeTarget = talos !== undefined ? { kind: "talos", version: talos } : { kind: "kubernetes", version: kubernetes! };
  if (!parseVersion(target.version)) {
    const example = target.kind === "talos" ? "v1.13.10" : "v1.36.4";
    throw new OneLineError(`--${target.kind} "${target.version}" is not a version: use the vX.Y.Z form, e.g. ${example}`);
  }
  const minutesText = values["node-timeout-minutes"] as string | undefined;
  const minutes = minutesText === undefined ? 15 : Number(minutesText);
  if (!/^[1-9]\d*$/.test(minutesText ?? "15") || minutes > 120) throw new OneLineError(`--node-timeout-minutes "${minutesText}": a whole number of minutes from 1 to 120`);
  const installerImageBase = values["installer-image-base"] as string | undefined;
  if (installerImageBase !== undefined) {
    if (target.kind !== "talos") throw new OneLineError(`--installer-image-base is for a Talos upgrade (--talos vX.Y.Z); upgrade-k8s pulls no installer`);
    const problem = installerImageBaseProblem(installerImageBase);
    if (problem !== undefined) throw new OneLineError(problem);
  }
  return { common, target, dryRun: values["dry-run"] === true, nodeTimeoutMs: minutes * 60_000, ...(installerImageBase !== undefined ? { installerImageBase } : {}) };
}

/** Runs the command; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  // Before the arguments are checked: --help alone has no target version.
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${UPGRADE_USAGE}\n`);
    return 0;
  }
  const args = parseUpgradeArgs(argv);
  const context = await loadClusterContext(args.common);
  const facts = args.installerImageBase !== undefined ? { ...context.facts, installerImageBase: args.installerImageBase } : context.facts;
  // A backup meanwhile leaves the node being upgraded alone (ops/operation-marker.ts).
  const marking = new OperationMarking(args.common.projectDir, facts.clusterName, "upgrade");
  const talos = markingTalos(new TalosctlClient({ talosconfigPath: context.talosconfigPath, talosconfigText: context.credentials.talosconfig }), marking);
  const kube = new HttpsKubernetesClient({ access: parseKubeconfig(context.credentials.kubeconfig) });
  const verify = async () => verifyChecks(facts, await observe(facts, { talos, kubernetes: kube }));
  const result = await runUpgrade({
    facts,
    talos,
    kube,
    verify,
    target: args.target,
    dryRun: args.dryRun,
    nodeTimeoutMs: args.nodeTimeoutMs,
    log: (line) => (args.common.json ? process.stderr : process.stdout).write(`${line}\n`),
  }).finally(() => marking.clear());
  if (args.common.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return exitCode(result);
}

export function exitCode(result: UpgradeResult): number {
  return result.outcome === "upgraded" || result.outcome === "planned" ? 0 : EXIT_FAILED;
}

if (require.main === module) runMain("upgrade", () => main(process.argv.slice(2)));
