/**
 * `npm run verify`: is the deployed cluster what the stack says, and highly
 * available? Prints a table (or --json), writes cdktf.out/ops/verify.md and
 * verify.json, exits 0 only when every check holds (1 when one fails, 2 when
 * the cluster cannot be checked). Needs talosctl on PATH; Kubernetes is asked
 * directly over HTTPS. With PROXMOX_VE_ENDPOINT and PROXMOX_VE_API_TOKEN set
 * (the provider's variables), it also asks the Proxmox API which hosts are
 * online, and names a stack's host that is not, with `npm run host-down`.
 */
import { HttpsKubernetesClient, parseKubeconfig } from "../adapters/kubernetes";
import { ToolMissingError } from "../adapters/process";
import { ProxmoxApiClient, proxmoxAccessFromEnv } from "../adapters/proxmox";
import { synthesizedStacks } from "../adapters/synthesized-stacks";
import { TalosctlClient } from "../adapters/talosctl";
import type { CheckResult } from "../contracts";
import { renderJson, renderText, Report, writeReport } from "../report";
import { observe, operatorCommands, unreachable, verifyChecks } from "../verify";
import { COMMON_USAGE, EXIT_FAILED, OneLineError, loadClusterContext, parseCommandArgs, runMain, startWatchdog } from "./common";

const USAGE = `usage: npm run verify -- ${COMMON_USAGE}`;

/** The report of a verify run. */
export function verifyReport(clusterName: string, checks: readonly CheckResult[]): Report {
  const failed = checks.filter((check) => !check.ok);
  return {
    name: "verify",
    title: `verify: cluster ${clusterName}`,
    columns: ["", "Check", "Seen"],
    rows: checks.map((check) => [check.ok ? "ok" : "FAIL", check.title, check.seen]),
    ok: failed.length === 0,
    summary: failed.length === 0 ? `All ${checks.length} checks hold.` : `${failed.length} of ${checks.length} checks fail: ${failed.map((check) => check.id).join(", ")}.`,
    data: { cluster: clusterName, checks },
  };
}

async function main(): Promise<number> {
  const { common } = parseCommandArgs(process.argv.slice(2));
  if (common.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { waitingFor } = startWatchdog("verify");
  waitingFor("terraform output");
  const context = await loadClusterContext(common);
  const talos = new TalosctlClient({ talosconfigPath: context.talosconfigPath, talosconfigText: context.credentials.talosconfig, readTimeoutMs: 6_000 });
  waitingFor("talosctl");
  try {
    await talos.checkInstalled(3_000);
  } catch (error) {
    throw new OneLineError(error instanceof ToolMissingError ? error.message : `talosctl does not run: ${(error as Error).message}`);
  }
  let kubernetes: HttpsKubernetesClient;
  try {
    kubernetes = new HttpsKubernetesClient({ access: parseKubeconfig(context.credentials.kubeconfig), timeoutMs: 5_000 });
  } catch (error) {
    throw new OneLineError((error as Error).message);
  }
  // The Proxmox hosts only when the provider's variables are set: without them verify says nothing about hosts.
  let proxmox: ProxmoxApiClient | undefined;
  if (process.env.PROXMOX_VE_ENDPOINT && process.env.PROXMOX_VE_API_TOKEN) {
    try {
      proxmox = new ProxmoxApiClient({ access: proxmoxAccessFromEnv(process.env), requestTimeoutMs: 5_000 });
    } catch (error) {
      throw new OneLineError((error as Error).message);
    }
  }
  const several = synthesizedStacks(common.projectDir).length > 1;
  const commands = operatorCommands(several ? context.facts.clusterName : undefined);
  waitingFor(`the cluster (${context.facts.nodes.map((node) => node.ip).join(", ")}; API ${context.facts.clusterEndpoint}${proxmox ? "; the Proxmox API" : ""})`);
  const observations = await observe(context.facts, { talos, kubernetes, proxmox });
  const nothing = unreachable(observations, context.facts, commands);
  if (nothing !== undefined) throw new OneLineError(nothing);
  const report = verifyReport(context.facts.clusterName, verifyChecks(context.facts, observations, commands));
  const written = writeReport(common.projectDir, report);
  process.stdout.write(common.json ? renderJson(report) : `${renderText(report)}Reports: ${written.markdown}, ${written.json}\n`);
  return report.ok ? 0 : EXIT_FAILED;
}

if (require.main === module) runMain("verify", main);
