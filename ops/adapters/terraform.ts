/**
 * `terraform output -json` in the stack's folder, with a deadline. The text
 * holds the credentials: it stays in memory and goes to parseStackOutputs.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { NoStateError, stackDirOf } from "../../domain/stack-outputs";
import { ProcessFailedError, ToolMissingError, runProcess } from "./process";

export interface TerraformOutputProps {
  /** The project folder (holding cdktf.out). */
  readonly projectDir: string;
  /** The stack whose outputs to read (its folder is cdktf.out/stacks/<stackId>). */
  readonly stackId: string;
  /** @default "terraform" (found on PATH) */
  readonly executable?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
  /** terraform's environment (PG_CONN_STR for a pg backend). @default process.env */
  readonly env?: NodeJS.ProcessEnv;
}

/** The text `terraform output -json` prints in cdktf.out/stacks/<stack>; NoStateError when the folder or its state is missing. */
export async function terraformOutputJson(props: TerraformOutputProps): Promise<string> {
  const where = stackDirOf(props.stackId);
  const stackDir = path.join(props.projectDir, where);
  const noState = () => new NoStateError(`no Terraform state in ${where}: deploy first, or give --talosconfig and --kubeconfig`);
  if (!fs.existsSync(stackDir)) throw noState();
  const env = props.env ?? process.env;
  const schema = pgSchemaOf(stackDir);
  const inPostgres = `the stack keeps its state in PostgreSQL (schema ${schema})`;
  if (schema !== undefined && !env.PG_CONN_STR) {
    throw new NoStateError(`${inPostgres} and PG_CONN_STR is not set: export it (docs/state.md), or give --talosconfig and --kubeconfig`);
  }
  const result = await runProcess(props.executable ?? "terraform", ["output", "-json", "-no-color"], {
    cwd: stackDir,
    timeoutMs: props.timeoutMs ?? 10_000,
    label: "terraform output -json",
    // No prompts; no colour; no call to HashiCorp's version-check service.
    env: terraformEnv(env),
  });
  if (result.code !== 0) {
    // An uninitialised folder or an unreadable backend: both mean "no state here" to the operator.
    if (/backend|init|no state|not initialized|Required plugins/i.test(result.stderr)) {
      if (schema === undefined) throw noState();
      const said = result.stderr.split("\n").find((line) => /\S/.test(line) && !/^\s*│?\s*$/.test(line))?.replace(/^[│\s]+/, "") ?? "";
      throw new NoStateError(`${inPostgres}, which terraform could not read: run \`terraform init\` in ${where} with PG_CONN_STR set${said ? ` (terraform: ${said.slice(0, 160)})` : ""}`);
    }
    throw new ProcessFailedError("terraform output -json", { ...result, stdout: "" });
  }
  return result.stdout;
}

/** The pg backend's schema of the synthesized stack, or undefined for any other backend (or no readable JSON). */
export function pgSchemaOf(stackDir: string): string | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as { terraform?: { backend?: { pg?: { schema_name?: unknown } } } };
    const pg = json.terraform?.backend?.pg;
    return pg === undefined ? undefined : typeof pg.schema_name === "string" ? pg.schema_name : "terraform_remote_state";
  } catch {
    return undefined;
  }
}

/** terraform's environment for the commands: no prompts, no HashiCorp version check (offline it only prints an error). */
export function terraformEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
}

export interface TerraformRunProps {
  /** The stack folder terraform runs in. */
  readonly cwd: string;
  /** @default "terraform" (found on PATH) */
  readonly executable?: string;
  /** @default process.env (with terraformEnv's additions) */
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs `terraform <args>` in the stack folder with its output going straight
 * to this process's (a plan or an apply takes as long as it takes: no
 * deadline); resolves with the exit code. A missing binary is a ToolMissingError.
 */
export function runTerraform(args: readonly string[], props: TerraformRunProps): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(props.executable ?? "terraform", args, { cwd: props.cwd, env: terraformEnv(props.env), stdio: ["inherit", "inherit", "inherit"] });
    child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new ToolMissingError("terraform") : error));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** `terraform show -json <plan file>`: the saved plan as JSON (it holds the planned values: keep it in memory, never print it). */
export async function terraformShowPlanJson(planFile: string, props: TerraformRunProps & { readonly timeoutMs?: number }): Promise<string> {
  const result = await runProcess(props.executable ?? "terraform", ["show", "-json", planFile], {
    cwd: props.cwd,
    timeoutMs: props.timeoutMs ?? 60_000,
    label: "terraform show -json",
    env: terraformEnv(props.env),
  });
  if (result.code !== 0) throw new ProcessFailedError("terraform show -json", { ...result, stdout: "" });
  return result.stdout;
}

/**
 * `terraform state pull` in the stack folder: the state's JSON (local or pg
 * alike; empty when there is none yet). It holds every secret of the
 * cluster: keep it in memory, never print it. A folder terraform cannot read
 * the state from (not initialised, no PG_CONN_STR) is a NoStateError saying what to run.
 */
export async function terraformStatePull(props: TerraformRunProps & { readonly timeoutMs?: number; /** How messages name the folder. @default cwd */ readonly where?: string }): Promise<string> {
  const where = props.where ?? props.cwd;
  const env = props.env ?? process.env;
  const schema = pgSchemaOf(props.cwd);
  if (schema !== undefined && !env.PG_CONN_STR) throw new NoStateError(`the stack keeps its state in PostgreSQL (schema ${schema}) and PG_CONN_STR is not set: export it (docs/state.md)`);
  const result = await runProcess(props.executable ?? "terraform", ["state", "pull"], {
    cwd: props.cwd,
    timeoutMs: props.timeoutMs ?? 60_000,
    label: "terraform state pull",
    env: terraformEnv(env),
  });
  if (result.code !== 0) {
    if (/backend|init|not initialized|Required plugins/i.test(result.stderr)) {
      throw new NoStateError(`terraform cannot read the state from ${where} (not initialised?): run \`terraform init\` there${schema !== undefined ? " with PG_CONN_STR set" : ""}, or npm run diff (it initialises the folder and only plans)`);
    }
    throw new ProcessFailedError("terraform state pull", { ...result, stdout: "" });
  }
  return result.stdout;
}
