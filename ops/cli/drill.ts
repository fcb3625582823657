/**
 * `npm run drill -- --mode graceful|crash [--node NAME] [--trials N] [--yes]`
 * takes a control plane down trial by trial and measures the real failover
 * window of the VIP the kubeconfig's server names (the fast VIP with the fast
 * API failover, Talos's VIP otherwise; the plan and the report say which)
 * (ops/drill.ts); reports go to cdktf.out/ops/drill.md and
 * .json. Exit 0 only when every trial ran and was as expected; 1 when refused,
 * declined, stopped or not as expected; 2 when it cannot run; 130 when
 * interrupted (after starting again any VM it had powered off).
 *
 * `npm run drill -- --measure-only --endpoint https://HOST:PORT --seconds N [--json]`
 * only probes an endpoint and prints every outage window it saw; writes
 * drill-measure.md and drill-measure.json under cdktf.out/ops/ (or --out).
 * Exit 0 when the probing ran, 2 when it could not. A window is not a
 * failure there: measuring is all that mode does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HttpsKubernetesClient, parseKubeconfig } from "../adapters/kubernetes";
import { ToolMissingError } from "../adapters/process";
import { ProxmoxApiClient, proxmoxAccessFromEnv } from "../adapters/proxmox";
import { TalosctlClient } from "../adapters/talosctl";
import { OperationMarking, markingProxmox, markingTalos } from "../operation-marker";
import type { ProxmoxClient } from "../contracts";
import { DrillResult, runDrill } from "../drill";
import { MEASURE_ONLY_USAGE, measureReport, parseMeasureArgs, parseEndpoint, renderMarkdown, renderTable, UsageError } from "../drill-measure";
import { measuredVipOf, type DrillMode } from "../drill-plan";
import { drillReport } from "../drill-report";
import { probeEndpoint, startProbeSession } from "../probe";
import { renderJson, renderText, writeReport } from "../report";
import { Observations, observe, unreachable, verifyChecks } from "../verify";
import { COMMON_USAGE, CommonArgs, EXIT_FAILED, OneLineError, confirmOnTerminal, loadClusterContext, onFirstInterrupt, parseCommandArgs, runMain, startWatchdog } from "./common";

export const DRILL_MODES_USAGE = `usage: npm run drill -- --mode graceful|crash [--node NAME] [--trials N] [--yes] ${COMMON_USAGE}   (or --measure-only, see --measure-only --help)`;

/** An interrupted drill's exit code, as a shell reports Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

export interface DrillIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: DrillIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** `--measure-only`: probes and reports; resolves to the exit code. */
export async function runMeasureOnly(argv: readonly string[], io: DrillIo = processIo): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(`${MEASURE_ONLY_USAGE}\n`);
    return 0;
  }
  let args;
  try {
    args = parseMeasureArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(error.message + "\n");
    return 2;
  }
  try {
    const ca = args.caFile === undefined ? undefined : fs.readFileSync(args.caFile);
    // On stderr, so that --json keeps stdout to the report; the netns test waits for this line.
    io.stderr(`drill: probing ${args.endpoint} every ${args.intervalMs} ms for ${args.seconds} s\n`);
    const run = await probeEndpoint({ host: args.host, port: args.port, seconds: args.seconds, intervalMs: args.intervalMs, deadlineMs: args.deadlineMs, ca });
    const report = measureReport(args, run);
    fs.mkdirSync(args.outDir, { recursive: true });
    fs.writeFileSync(path.join(args.outDir, "drill-measure.json"), JSON.stringify(report, null, 2) + "\n");
    fs.writeFileSync(path.join(args.outDir, "drill-measure.md"), renderMarkdown(report));
    io.stdout(args.json ? JSON.stringify(report, null, 2) + "\n" : renderTable(report));
    return 0;
  } catch (error) {
    io.stderr(`drill: ${(error as Error).message}\n`);
    return 2;
  }
}

export interface DrillModeArgs {
  readonly common: CommonArgs;
  readonly mode: DrillMode;
  readonly node?: string;
  readonly trials: number;
  readonly yes: boolean;
}

/** Parses the graceful and crash modes' command line; a bad argument is a one-line OneLineError (exit 2). */
export function parseDrillModeArgs(argv: readonly string[]): DrillModeArgs {
  const { common, values, positionals } = parseCommandArgs(argv, {
    mode: { type: "string" },
    node: { type: "string" },
    trials: { type: "string" },
    yes: { type: "boolean", default: false },
  });
  if (positionals.length > 0) throw new OneLineError(`unexpected argument "${positionals[0]}"; ${DRILL_MODES_USAGE}`);
  const mode = values.mode as string | undefined;
  if (!common.help && mode !== "graceful" && mode !== "crash") {
    throw new OneLineError(`${mode === undefined ? "--mode is required" : `--mode "${mode}" is not a mode`}: use --mode graceful (talosctl reboot) or --mode crash (power off through the Proxmox API); ${DRILL_MODES_USAGE}`);
  }
  const trialsText = (values.trials as string | undefined) ?? "1";
  if (!/^[1-9]\d*$/.test(trialsText) || Number(trialsText) > 20) throw new OneLineError(`--trials "${trialsText}": a whole number of trials from 1 to 20`);
  return { common, mode: (mode ?? "graceful") as DrillMode, node: values.node as string | undefined, trials: Number(trialsText), yes: values.yes === true };
}

/** The graceful and crash modes; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const args = parseDrillModeArgs(argv);
  if (args.common.help) {
    process.stdout.write(`${DRILL_MODES_USAGE}\n`);
    return 0;
  }
  const out = args.common.json ? process.stderr : process.stdout;
  const log = (line: string) => out.write(`${line}\n`);
  // Before anything else: crash mode cannot start without the Proxmox API.
  let proxmox: ProxmoxClient | undefined;
  if (args.mode === "crash") {
    try {
      proxmox = new ProxmoxApiClient({ access: proxmoxAccessFromEnv(process.env), requestTimeoutMs: 5_000 });
    } catch (error) {
      throw new OneLineError((error as Error).message);
    }
  }
  const watchdog = startWatchdog("drill");
  watchdog.waitingFor("terraform output");
  const context = await loadClusterContext(args.common);
  const { facts } = context;
  // A backup meanwhile leaves the node the drill takes down alone (ops/operation-marker.ts).
  const marking = new OperationMarking(args.common.projectDir, facts.clusterName, "drill");
  const talos = markingTalos(new TalosctlClient({ talosconfigPath: context.talosconfigPath, talosconfigText: context.credentials.talosconfig, readTimeoutMs: 6_000, actionTimeoutMs: 30_000 }), marking);
  watchdog.waitingFor("talosctl");
  try {
    await talos.checkInstalled(3_000);
  } catch (error) {
    throw new OneLineError(error instanceof ToolMissingError ? error.message : `talosctl does not run: ${(error as Error).message}`);
  }
  let access;
  try {
    access = parseKubeconfig(context.credentials.kubeconfig);
  } catch (error) {
    throw new OneLineError((error as Error).message);
  }
  const kube = new HttpsKubernetesClient({ access, timeoutMs: 5_000 });
  // The address clients use: the kubeconfig's server (the fast VIP when the stack has one).
  const measured = measuredVipOf(facts, access.server);
  const { host, port } = parseEndpoint(access.server);
  watchdog.waitingFor(`the cluster (${facts.nodes.map((node) => node.ip).join(", ")}; API ${access.server})`);

  // A cluster that answers nothing is one line and exit 2, as for verify; the first look is also the first pre-check.
  let firstLook: Observations | undefined = await observe(facts, { talos, kubernetes: kube });
  const nothing = unreachable(firstLook);
  if (nothing !== undefined) throw new OneLineError(nothing);
  watchdog.cancel(); // the cluster answered: the drill itself takes minutes
  const verify = async () => {
    const observations = firstLook ?? (await observe(facts, { talos, kubernetes: kube }));
    firstLook = undefined;
    const unanswered = unreachable(observations);
    if (unanswered !== undefined) throw new Error(unanswered);
    return verifyChecks(facts, observations);
  };
  const abort = new AbortController();
  onFirstInterrupt(() => {
    process.stderr.write("drill: interrupted: ending the trial (a VM powered off is started again first); Ctrl-C again quits at once\n");
    abort.abort();
  });
  const result = await runDrill({
    facts,
    talos,
    kube,
    proxmox: proxmox && markingProxmox(proxmox, facts.nodes, marking),
    verify,
    mode: args.mode,
    trials: args.trials,
    node: args.node,
    measured,
    // The cluster CA from the kubeconfig: every probe's handshake is verified against it.
    startProbe: () => startProbeSession({ host, port, ca: access.ca }),
    confirm: async (prompt) => args.yes || confirmOnTerminal(prompt, / Continue\? \[y\/N\]$/),
    log,
    signal: abort.signal,
  }).finally(() => marking.clear());
  const report = drillReport(facts.clusterName, result);
  const written = writeReport(args.common.projectDir, report);
  process.stdout.write(args.common.json ? renderJson(report) : `\n${renderText(report)}Reports: ${written.markdown}, ${written.json}\n`);
  return exitCode(result);
}

export function exitCode(result: DrillResult): number {
  if (result.outcome === "interrupted") return EXIT_INTERRUPTED;
  return result.outcome === "completed" && result.summary?.asExpected === true ? 0 : EXIT_FAILED;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.includes("--measure-only")) runMeasureOnly(argv).then((code) => (process.exitCode = code));
  else runMain("drill", () => main(argv));
}
