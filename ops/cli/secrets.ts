/**
 * `npm run secrets -- export --out FILE [--force]` and
 * `npm run secrets -- adopt FILE [--contract vX.Y]` (both take
 * `--cluster NAME` and `--project DIR`): the cluster's machine secrets out of
 * its Terraform state as a Talos secrets bundle, and a bundle into a new
 * state by the talos provider's own `terraform import`, with the cluster's
 * config contract pinned rather than the import's v1.3. docs/security.md,
 * "Holding the cluster's secrets yourself", explains both.
 *
 * Exit codes: 0 done; 1 refused (the file exists, the state already holds
 * machine secrets, the contract is unknown or not pinned, the bundle is not
 * valid) or terraform import failed; 2 the command could not run (nothing
 * synthesized, the stack folder not initialised, no terraform).
 * No secret value is ever printed.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { readSynthesizedStack, synthesizedStacks } from "../adapters/synthesized-stacks";
import { runTerraform, terraformStatePull } from "../adapters/terraform";
import {
  MachineSecrets,
  StackSecretsFacts,
  bundleHeader,
  contractProblem,
  parseSecretsBundle,
  renderSecretsBundle,
  stackSecretsFacts,
  stateSecrets,
} from "../secrets-bundle";
import { NoStateError, stackDirOf } from "../../domain/stack-outputs";
import { EXIT_FAILED, OneLineError, chosenStack, parseCommandArgs, runMain } from "./common";

const USAGE = [
  "usage: npm run secrets -- export --out FILE [--force] [--cluster NAME] [--project DIR]",
  "       npm run secrets -- adopt FILE [--contract vX.Y] [--cluster NAME] [--project DIR]",
].join("\n");

/** What the bundle gives whoever holds it: printed with every export. */
export const EXPORT_WARNING = `WARNING: this file is the cluster's whole PKI. Whoever holds it has
  - full admin of the Talos API on every node (the OS CA key signs an admin talosconfig),
  - cluster-admin on Kubernetes and every Secret in etcd (the Kubernetes and etcd CA keys, the key that encrypts Secrets at rest),
  - every node's identity: it makes machine configurations that join the cluster as a control plane or a worker (the trustd and bootstrap tokens).
Keep it offline or encrypted (age, sops, a password manager, an offline medium), never in git, and remove stray copies.
`;

interface Stack {
  readonly stackId: string;
  readonly where: string;
  readonly stackDir: string;
  readonly facts: StackSecretsFacts;
}

function chooseStack(projectDir: string, cluster: string | undefined): Stack {
  if (synthesizedStacks(projectDir).length === 0) throw new OneLineError("nothing is synthesized in cdktf.out/stacks: run npm run synth first");
  let stackId: string;
  try {
    stackId = chosenStack({ projectDir, cluster, json: false, help: false });
  } catch (error) {
    throw new OneLineError((error as Error).message);
  }
  const where = stackDirOf(stackId);
  try {
    return { stackId, where, stackDir: path.join(projectDir, where), facts: stackSecretsFacts(readSynthesizedStack(projectDir, stackId)) };
  } catch (error) {
    throw new OneLineError(`${where}: ${(error as Error).message}`);
  }
}

async function pullState(stack: Stack): Promise<string> {
  try {
    return await terraformStatePull({ cwd: stack.stackDir, where: stack.where });
  } catch (error) {
    throw new OneLineError((error as Error).message, error instanceof NoStateError ? 2 : EXIT_FAILED);
  }
}

/** Where to pin configContract, as the operator's HOMELAB_CONFIG names it. */
export function configFileHint(stackId: string, homelabConfig: string | undefined, isFolder: boolean): string {
  if (homelabConfig === undefined) return "a configuration file (the reference homelab has none: write one holding just that line, and set HOMELAB_CONFIG to it)";
  return isFolder ? `cluster ${stackId}'s file in ${homelabConfig}` : homelabConfig;
}

function hint(stackId: string): string {
  const config = process.env.HOMELAB_CONFIG;
  let folder = false;
  try {
    folder = config !== undefined && fs.statSync(config).isDirectory();
  } catch {
    // a missing path: named as given
  }
  return configFileHint(stackId, config, folder);
}

async function exportSecrets(projectDir: string, cluster: string | undefined, out: string | undefined, force: boolean): Promise<number> {
  if (out === undefined || out === "") throw new OneLineError(`export needs --out FILE; ${USAGE}`);
  const file = path.resolve(out);
  if (fs.existsSync(file) && !force) throw new OneLineError(`${out} exists: it is not overwritten (give --force to replace it)`, EXIT_FAILED);
  const stack = chooseStack(projectDir, cluster);
  const found = stateSecrets(await pullState(stack), stack.facts.address);
  if (found.atAddress === undefined) {
    const elsewhere = found.addresses.length > 0 ? ` (it holds ${found.addresses.join(", ")}: the stack and the state disagree)` : " (nothing deployed yet?)";
    throw new OneLineError(`the state of ${stack.where} holds no machine secrets at ${stack.facts.address}${elsewhere}`, EXIT_FAILED);
  }
  // The contract the stack generates the configuration for with this state: the pinned one, else the state's.
  const contract = stack.facts.pinnedContract ?? found.atAddress.talosVersion;
  if (contract === undefined) throw new OneLineError(`the state's ${stack.facts.address} has no talos_version and configContract is not pinned: the cluster's contract is unknown`, EXIT_FAILED);
  let text: string;
  try {
    text = renderSecretsBundle(found.atAddress.secrets, bundleHeader(stack.stackId, contract));
  } catch (error) {
    throw new OneLineError(`${stack.facts.address} in the state: ${(error as Error).message}`, EXIT_FAILED);
  }
  writePrivate(file, text, force);
  const from = stack.facts.pinnedContract !== undefined ? "configContract pins it" : "the machine secrets' talos_version in the state";
  process.stdout.write(`secrets: wrote the machine secrets of cluster ${stack.stackId} to ${out} (mode 0600): a Talos secrets bundle, with the cluster's config contract ${contract} (${from}) on its second line for adopt.\n`);
  if (stack.facts.pinnedContract === undefined && contractProblem(contract) !== undefined) {
    process.stdout.write(`Note: ${contract} is not a contract this project renders patches for (v1.3 and v1.2 are what terraform import writes): check it before adopting this file.\n`);
  }
  if (!path.relative(projectDir, file).startsWith("..")) process.stdout.write(`Note: ${out} is inside the project folder: move it out, so that it never lands in git.\n`);
  process.stdout.write(EXPORT_WARNING);
  return 0;
}

/** Writes `text` to `file` with mode 0600: a new file only (O_EXCL), or with `replace` a private temporary renamed over it. */
function writePrivate(file: string, text: string, replace: boolean): void {
  const target = replace ? path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`) : file;
  let fd: number;
  try {
    fd = fs.openSync(target, "wx", 0o600);
  } catch (error) {
    throw new OneLineError(`cannot create ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, (error as NodeJS.ErrnoException).code === "EEXIST" ? EXIT_FAILED : 2);
  }
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (replace) fs.renameSync(target, file);
}

/** The contract adopt pins, or why it cannot: pure. */
export function adoptContract(given: { readonly flag?: string; readonly comment?: string; readonly pinned?: string }, file: string, stack: { readonly stackId: string; readonly where: string }, configHint: string): { contract: string } | { problem: string } {
  const { flag, comment, pinned } = given;
  if (flag !== undefined && comment !== undefined && flag !== comment) {
    return { problem: `--contract ${flag}, but ${file} says configContract: ${comment} (the contract export found): give the one the cluster uses, and correct the other` };
  }
  const contract = flag ?? comment ?? pinned;
  if (contract === undefined) {
    return {
      problem:
        `which config contract does the cluster use? The import writes talos_version v1.3 into the state, and this stack would read it as the contract. ` +
        `Give --contract vX.Y: the Talos minor the cluster's configuration was first generated for (for a cluster made with talosctl: the --talos-version of talosctl gen config, or that talosctl's own version); or pin configContract in the configuration`,
    };
  }
  const invalid = contractProblem(contract);
  if (invalid !== undefined) return { problem: `the contract ${invalid}` };
  const source = flag !== undefined ? "--contract" : comment !== undefined ? `${file}'s configContract comment` : "the configuration";
  if (pinned === undefined) {
    return {
      problem:
        `${stack.where} reads its config contract from the machine secrets' talos_version in the state (configContract is not set), and the import writes v1.3 there. ` +
        `Pin the cluster's contract (${contract}, from ${source}) first: add the line\n    configContract: ${contract}\n  to ${configHint}, run npm run synth, then run this again`,
    };
  }
  if (pinned !== contract) {
    return { problem: `the configuration pins configContract: ${pinned}, but the cluster's contract is ${contract} (from ${source}): set configContract: ${contract} in ${configHint}, run npm run synth, then run this again` };
  }
  return { contract };
}

async function adoptSecrets(projectDir: string, cluster: string | undefined, file: string | undefined, flag: string | undefined): Promise<number> {
  if (file === undefined) throw new OneLineError(`adopt needs the bundle FILE; ${USAGE}`);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new OneLineError(`${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const stack = chooseStack(projectDir, cluster);
  if (!fs.existsSync(path.join(stack.stackDir, ".terraform"))) {
    throw new OneLineError(
      `${stack.where} is not initialised (no .terraform folder): run terraform init there, or npm run diff (it initialises and only plans). Not npm run deploy: on a state without machine secrets it would create new ones`,
    );
  }
  const problems: string[] = [];
  let bundle: ReturnType<typeof parseSecretsBundle> | undefined;
  try {
    bundle = parseSecretsBundle(text);
  } catch (error) {
    problems.push(...(error as Error).message.split("\n").map((problem) => `${file}: ${problem}`));
  }
  const choice = adoptContract({ flag, comment: bundle?.contract, pinned: stack.facts.pinnedContract }, file, stack, hint(stack.stackId));
  if ("problem" in choice) problems.push(choice.problem);
  const before = stateSecrets(await pullState(stack), stack.facts.address);
  if (before.addresses.length > 0) {
    problems.push(`the state of ${stack.where} already holds machine secrets (${before.addresses.join(", ")}): adopt only fills a new state. To keep a copy of those, npm run secrets -- export --out FILE`);
  }
  if (problems.length > 0) throw new OneLineError(`refused, nothing imported:\n- ${problems.join("\n- ")}`, EXIT_FAILED);

  const absolute = path.resolve(file);
  process.stdout.write(`In ${stack.where}: terraform import ${stack.facts.address} ${absolute}\n\n`);
  const imported = await runTerraform(["import", "-input=false", stack.facts.address, absolute], { cwd: stack.stackDir });
  if (imported !== 0) {
    process.stdout.write(`\nsecrets: terraform import failed (exit ${imported}).\n`);
    return EXIT_FAILED;
  }
  // The provider's own reading of the file, checked against ours: the state must hold exactly the bundle.
  const after = stateSecrets(await pullState(stack), stack.facts.address).atAddress;
  const differ = after === undefined ? ["all"] : differingFields(after.secrets, bundle!.secrets);
  if (differ.length > 0) throw new OneLineError(`after the import the state's ${stack.facts.address} does not hold ${file}'s secrets (${differ.join(", ")}): check the state before deploying`, EXIT_FAILED);
  const written = after!.talosVersion ?? "none";
  const contract = (choice as { contract: string }).contract;
  process.stdout.write(
    [
      "",
      `secrets: adopted ${file} into the state of cluster ${stack.stackId} as ${stack.facts.address}.`,
      `The import wrote talos_version ${written} into the state (the provider always writes v1.3, or v1.2 for an AES-CBC bundle); the stack ignores it, because configContract pins ${contract}, the cluster's contract. Keep configContract: ${contract} in the configuration for the life of this cluster.`,
      `Next: npm run diff${synthesizedStacks(projectDir).length > 1 ? ` -- ${stack.stackId}` : ""}. The machine secrets are in the state and are not created again; everything else of the stack (the VMs among it) is not in this state yet: if they exist in Proxmox, import them before a deploy (docs/security.md).`,
      "",
    ].join("\n"),
  );
  return 0;
}

/** The bundle fields whose values differ between two sets of machine secrets: names only. */
function differingFields(a: MachineSecrets, b: MachineSecrets): string[] {
  const lines = (secrets: MachineSecrets) => {
    try {
      return renderSecretsBundle(secrets).split("\n");
    } catch {
      return ["invalid"];
    }
  };
  const left = lines(a);
  const right = lines(b);
  const names = new Set<string>();
  for (let index = 0; index < Math.max(left.length, right.length); index++) {
    if (left[index] !== right[index]) names.add((left[index] ?? right[index] ?? "").split(":")[0].trim() || "?");
  }
  return [...names];
}

async function main(): Promise<number> {
  const { common, values, positionals } = parseCommandArgs(process.argv.slice(2), {
    out: { type: "string" },
    force: { type: "boolean", default: false },
    contract: { type: "string" },
  });
  if (common.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [subcommand, ...rest] = positionals;
  if (subcommand === "export") {
    if (rest.length > 0) throw new OneLineError(`export takes no FILE argument (got ${rest.join(" ")}): give --out FILE`);
    if (values.contract !== undefined) throw new OneLineError("--contract is adopt's: export takes the contract from the stack and its state");
    return exportSecrets(common.projectDir, common.cluster, values.out as string | undefined, values.force === true);
  }
  if (subcommand === "adopt") {
    if (rest.length > 1) throw new OneLineError(`adopt takes one FILE (got ${rest.join(", ")})`);
    if (values.out !== undefined || values.force === true) throw new OneLineError("--out and --force are export's");
    return adoptSecrets(common.projectDir, common.cluster, rest[0], values.contract as string | undefined);
  }
  throw new OneLineError(`${subcommand === undefined ? "say export or adopt" : `unknown subcommand ${subcommand}`}\n${USAGE}`);
}

if (require.main === module) runMain("secrets", main);
