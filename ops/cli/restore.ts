/**
 * `npm run restore -- --from FILE [--yes] [--dry-run] [--force]
 * [--recover-skip-hash-check]` (and the common flags): Talos's disaster
 * recovery from a snapshot or a disaster copy (ops/restore.ts). Checks the
 * file against the metadata `npm run backup` wrote beside it, refuses while
 * etcd has quorum (unless --force) or when a node is of machine type init,
 * prints the plan, asks once (or takes --yes), runs each step with a wait,
 * then verify. Writes cdktf.out/ops/restore.md and .json.
 *
 * Exit codes: 0 restored and every verify check holds, or planned
 * (--dry-run); 1 refused, declined, stopped part-way, or restored with a
 * verify check failing (the report says which); 2 the command could not run
 * (a bad argument, no state, no talosctl, cluster unreachable, no terminal to
 * ask on without --yes).
 */
import * as path from "node:path";
import { HttpsKubernetesClient, parseKubeconfig } from "../adapters/kubernetes";
import { ToolMissingError } from "../adapters/process";
import { synthesizedStacks } from "../adapters/synthesized-stacks";
import { TalosctlClient } from "../adapters/talosctl";
import { Report, renderJson, renderText, writeReport } from "../report";
import { RestoreResult, checkSnapshotFile, runRestore } from "../restore";
import { observe, verifyChecks } from "../verify";
import { COMMON_USAGE, EXIT_FAILED, OneLineError, confirmOnTerminal, loadClusterContext, parseCommandArgs, runMain, startWatchdog } from "./common";

export const RESTORE_USAGE = `usage: npm run restore -- --from FILE [--yes] [--dry-run] [--force] [--recover-skip-hash-check] ${COMMON_USAGE}`;

/** The report of a restore run: the control planes as found, each step, and verify's checks after it. */
export function restoreReport(clusterName: string, file: string, result: RestoreResult): Report {
  const found = result.controlPlanes.map((s) => [
    "",
    `found ${s.node.name} (${s.node.ip})`,
    `${s.etcd.ok ? `etcd ${s.etcd.value.state}, health ${s.etcd.value.health}` : `no answer (${s.etcd.error})`}; machine type ${s.machineType.ok ? s.machineType.value : "unknown"}`,
  ]);
  const steps = result.steps.map((s) => [s.ok ? "ok" : "FAIL", s.step, s.seen]);
  const checks = (result.checks ?? []).map((c) => [c.ok ? "ok" : "FAIL", `verify: ${c.title}`, c.seen]);
  const ok = result.outcome === "planned" || (result.outcome === "restored" && result.steps.every((s) => s.ok));
  const summary = {
    refused: `Refused, nothing was changed: ${result.problems.join(" | ")}`,
    planned: `Planned only (--dry-run): wipe ${result.plan?.wipe.map((n) => n.name).join(", ")}; recover on ${result.plan?.recover?.name}.`,
    declined: "Not confirmed: nothing was changed.",
    restored: `Restored from ${file}${ok ? "; verify holds." : `; verify: ${result.steps[result.steps.length - 1]?.seen}.`}`,
    stopped: `Stopped at "${result.steps[result.steps.length - 1]?.step}": ${result.steps[result.steps.length - 1]?.seen}.`,
  }[result.outcome];
  return {
    name: "restore",
    title: `restore: cluster ${clusterName} from ${path.basename(file)}`,
    columns: ["", "Step", "Seen"],
    rows: [...found, ...steps, ...checks],
    ok,
    summary,
    data: {
      cluster: clusterName,
      from: file,
      outcome: result.outcome,
      problems: result.problems,
      plan: result.plan && { ...result.plan, wipe: result.plan.wipe.map((n) => n.name), recover: result.plan.recover?.name, down: result.plan.down.map((n) => n.name), healthy: result.plan.healthy.map((n) => n.name) },
      steps: result.steps,
      checks: result.checks,
    },
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const { common, values, positionals } = parseCommandArgs(argv, {
    from: { type: "string" },
    yes: { type: "boolean", default: false },
    "dry-run": { type: "boolean", default: false },
    force: { type: "boolean", default: false },
    "recover-skip-hash-check": { type: "boolean", default: false },
  });
  if (common.help) {
    process.stdout.write(`${RESTORE_USAGE}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new OneLineError(`unexpected argument "${positionals[0]}"; ${RESTORE_USAGE}`);
  const from = values.from as string | undefined;
  if (from === undefined) throw new OneLineError(`--from FILE is required (a snapshot npm run backup took); ${RESTORE_USAGE}`);
  const fromPath = path.resolve(process.cwd(), from);
  const checked = await checkSnapshotFile(fromPath, values["recover-skip-hash-check"] === true);
  if (checked.file === undefined) throw new OneLineError(`refused, nothing was changed: ${checked.problems.join("; ")}`, EXIT_FAILED);
  const watchdog = startWatchdog("restore");
  watchdog.waitingFor("terraform output");
  const context = await loadClusterContext(common);
  const { facts } = context;
  const talos = new TalosctlClient({ talosconfigPath: context.talosconfigPath, talosconfigText: context.credentials.talosconfig, readTimeoutMs: 6_000, actionTimeoutMs: 60_000 });
  watchdog.waitingFor("talosctl");
  try {
    await talos.checkInstalled(3_000);
  } catch (error) {
    throw new OneLineError(error instanceof ToolMissingError ? error.message : `talosctl does not run: ${(error as Error).message}`);
  }
  let kube: HttpsKubernetesClient;
  try {
    kube = new HttpsKubernetesClient({ access: parseKubeconfig(context.credentials.kubeconfig), timeoutMs: 5_000 });
  } catch (error) {
    throw new OneLineError((error as Error).message);
  }
  // The first reads answer within their 6 s deadline; the restore itself takes minutes.
  watchdog.cancel();
  const several = synthesizedStacks(common.projectDir).length > 1;
  const out = common.json ? process.stderr : process.stdout;
  const result = await runRestore({
    facts,
    talos,
    kube,
    snapshot: checked.file,
    force: values.force === true,
    dryRun: values["dry-run"] === true,
    confirm: async (prompt) => values.yes === true || confirmOnTerminal(prompt, /\? \[y\/N\]$/),
    verify: async () => verifyChecks(facts, await observe(facts, { talos, kubernetes: kube })),
    log: (line) => out.write(`${line}\n`),
    command: `npm run restore -- --from ${from}${several ? ` --cluster ${facts.clusterName}` : ""}`,
  });
  if (result.outcome === "refused" && result.controlPlanes.every((s) => !s.etcd.ok && !s.machineType.ok)) {
    throw new OneLineError(`cluster unreachable: ${result.controlPlanes.map((s) => `${s.node.name}: ${s.etcd.ok ? "" : s.etcd.error}`).join("; ")}`);
  }
  const report = restoreReport(facts.clusterName, fromPath, result);
  const written = writeReport(common.projectDir, report);
  process.stdout.write(common.json ? renderJson(report) : `\n${renderText(report)}Reports: ${written.markdown}, ${written.json}\n`);
  return report.ok ? 0 : EXIT_FAILED;
}

if (require.main === module) runMain("restore", () => main(process.argv.slice(2)));
