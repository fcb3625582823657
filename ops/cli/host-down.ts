/**
 * `npm run host-down -- <host> [--cluster NAME] [--apply]`: plan (and with
 * --apply, apply) a cluster's stack while one Proxmox host is down. It leaves
 * out what is on that host and what depends on it (ops/host-down-plan.ts),
 * says so, runs `terraform plan -refresh=false -target=... -out=<file>` in the
 * stack folder, checks the saved plan changes nothing on the down host, and
 * with --apply applies exactly that file. docs/host-down.md explains each step.
 *
 * Exit codes: 0 planned (and applied); 1 terraform failed, or the plan would
 * change something on the down host; 2 the command could not run (nothing
 * synthesized, the folder not initialised, an unknown host).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readSynthesizedStack, synthesizedStacks } from "../adapters/synthesized-stacks";
import { pgSchemaOf, runTerraform, terraformShowPlanJson } from "../adapters/terraform";
import { HostDownSelection, StackBlock, changesOnDownHost, hostDownSelection, plannedChanges } from "../host-down-plan";
import { stackDirOf } from "../../domain/stack-outputs";
import { EXIT_FAILED, OneLineError, chosenStack, parseCommandArgs, removePrivateDir, runMain, writePrivateFile } from "./common";

const USAGE = "usage: npm run host-down -- <host> [--cluster NAME] [--apply] [--project DIR]";

/** How the operator names a block: its construct path when cdktf recorded one, else its address. */
const nameOf = (block: StackBlock) => block.constructPath ?? block.address;

/** The command that names this cluster: `--cluster NAME` only when the project has several. */
export function clusterFlag(stackId: string, severalClusters: boolean): string {
  return severalClusters ? ` --cluster ${stackId}` : "";
}

/** What the command prints before it plans: what is left out and why, and what is kept. Pure. */
export function describeSelection(selection: HostDownSelection, stackId: string): string {
  const { host } = selection;
  const width = Math.max(0, ...[...selection.onHost, ...selection.dependents, ...selection.keptOnHealthyHosts].map((block) => nameOf(block).length));
  const line = (block: StackBlock, detail: string) => `  ${nameOf(block).padEnd(width)}  ${detail}`;
  const sorted = <T extends StackBlock>(blocks: readonly T[]) => [...blocks].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  const byAddress = new Map([...selection.onHost, ...selection.dependents].map((block) => [block.address, block]));
  const via = (address: string) => `references ${byAddress.has(address) ? nameOf(byAddress.get(address)!) : address}`;
  const lines = [`host-down: cluster ${stackId}, with Proxmox host ${host} down (the stack's hosts: ${selection.hosts.join(", ")})`, ""];
  lines.push(`Left out, on ${host} (${selection.onHost.length}): its node_name is ${host}; bpg reads and changes it through ${host}`);
  lines.push(...sorted(selection.onHost).map((block) => line(block, block.address)));
  lines.push(`Left out, depends on them (${selection.dependents.length}): -target would pull what they reference back into the plan`);
  lines.push(...(selection.dependents.length === 0 ? ["  (none)"] : sorted(selection.dependents).map((block) => line(block, via(block.references)))));
  if (selection.keptOnHealthyHosts.length > 0) {
    lines.push(`Kept, on a healthy host (${selection.keptOnHealthyHosts.length}): they reference ${host}'s blocks only by the value in the state, and -refresh=false reads nothing through ${host}`);
    lines.push(...sorted(selection.keptOnHealthyHosts).map((block) => line(block, via(block.references))));
  }
  lines.push("", `Planned: ${selection.targets.length} resources, with -refresh=false: nothing is read through ${host} (nor is drift on the other hosts seen).`);
  return `${lines.join("\n")}\n`;
}

/** The last lines: what to run once the host is back. */
export function whenBack(host: string, stackId: string, severalClusters: boolean): string {
  return `When ${host} is back (online in the Proxmox cluster), run a normal \`npm run deploy${severalClusters ? ` -- ${stackId}` : ""}\`: it refreshes everything, ${host}'s VMs and downloads included, and plans whatever this run left out.\n`;
}

async function main(): Promise<number> {
  const { common, values, positionals } = parseCommandArgs(process.argv.slice(2), { apply: { type: "boolean", default: false } });
  if (common.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new OneLineError(`${positionals.length === 0 ? "name the Proxmox host that is down" : `one host only (got ${positionals.join(", ")})`}; ${USAGE}`);
  const [host] = positionals;
  const apply = values.apply === true;

  const stacks = synthesizedStacks(common.projectDir);
  if (stacks.length === 0) throw new OneLineError("nothing is synthesized in cdktf.out/stacks: run npm run synth first (npm run deploy synthesizes and initialises the stack folder)");
  const stackId = chosenStack(common);
  const several = stacks.length > 1;
  let selection: HostDownSelection;
  try {
    selection = hostDownSelection(readSynthesizedStack(common.projectDir, stackId), host, stackId);
  } catch (error) {
    throw new OneLineError((error as Error).message);
  }
  const where = stackDirOf(stackId);
  const stackDir = path.join(common.projectDir, where);
  if (!fs.existsSync(path.join(stackDir, ".terraform"))) {
    throw new OneLineError(`${where} is not initialised (no .terraform folder): run npm run deploy${several ? ` -- ${stackId}` : ""} once (it runs terraform init there before it plans), or terraform init in ${where}`);
  }
  const schema = pgSchemaOf(stackDir);
  if (schema !== undefined && !process.env.PG_CONN_STR) throw new OneLineError(`the stack keeps its state in PostgreSQL (schema ${schema}) and PG_CONN_STR is not set: export it (docs/state.md)`);
  process.stdout.write(describeSelection(selection, stackId));

  // The saved plan holds every planned value, secrets included: a 0600 file in this process's private folder, removed on exit.
  const planFile = writePrivateFile(`host-down-${host}.tfplan`, "");
  const run = { cwd: stackDir };
  const planArgs = ["plan", "-refresh=false", ...selection.targets.map((address) => `-target=${address}`), `-out=${planFile}`];
  process.stdout.write(`\nIn ${where}: terraform plan -refresh=false -target=<each of the ${selection.targets.length}> -out=<a private plan file>\n\n`);
  try {
    const planned = await runTerraform(planArgs, run);
    if (planned !== 0) {
      process.stdout.write(`\nhost-down: terraform plan failed (exit ${planned}); nothing was applied.\n${whenBack(host, stackId, several)}`);
      return EXIT_FAILED;
    }
    // -target pulls the targets' dependencies in (the shared download): none of them may change on the down host.
    const onDownHost = changesOnDownHost(selection, plannedChanges(await terraformShowPlanJson(planFile, run)));
    if (onDownHost.length > 0) {
      process.stdout.write(
        `\nhost-down: the plan would change what is on ${host} or depends on it, and that fails while ${host} is down:\n${onDownHost
          .map((change) => `  ${change.address}: ${change.actions.join(", ")}`)
          .join("\n")}\nNothing was applied. Undo the change that touches them (an image or version change, say) until ${host} is back.\n${whenBack(host, stackId, several)}`,
      );
      return EXIT_FAILED;
    }
    if (!apply) {
      process.stdout.write(`\nhost-down: planned only. To apply this, run again with --apply: npm run host-down -- ${host}${clusterFlag(stackId, several)} --apply\n${whenBack(host, stackId, several)}`);
      return 0;
    }
    process.stdout.write(`\nIn ${where}: terraform apply <the plan file above>\n\n`);
    const applied = await runTerraform(["apply", planFile], run);
    process.stdout.write(applied === 0 ? `\nhost-down: applied the plan above, without ${host}.\n` : `\nhost-down: terraform apply failed (exit ${applied}).\n`);
    process.stdout.write(whenBack(host, stackId, several));
    return applied === 0 ? 0 : EXIT_FAILED;
  } finally {
    fs.rmSync(planFile, { force: true });
    removePrivateDir();
  }
}

if (require.main === module) runMain("host-down", main);
