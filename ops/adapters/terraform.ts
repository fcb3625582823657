/**
 * `terraform output -json` in the stack's folder, with a deadline. The text
 * holds the credentials: it stays in memory and goes to parseStackOutputs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { NoStateError, STACK_DIR } from "../stack-facts";
import { ProcessFailedError, runProcess } from "./process";

export interface TerraformOutputProps {
  /** The project folder (holding cdktf.out). */
  readonly projectDir: string;
  /** @default "terraform" (found on PATH) */
  readonly executable?: string;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

/** The text `terraform output -json` prints in cdktf.out/stacks/homelab; NoStateError when the folder or its state is missing. */
export async function terraformOutputJson(props: TerraformOutputProps): Promise<string> {
  const stackDir = path.join(props.projectDir, STACK_DIR);
  if (!fs.existsSync(stackDir)) throw new NoStateError();
  const result = await runProcess(props.executable ?? "terraform", ["output", "-json", "-no-color"], {
    cwd: stackDir,
    timeoutMs: props.timeoutMs ?? 10_000,
    label: "terraform output -json",
    // No prompts; no colour.
    env: { ...process.env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" },
  });
  if (result.code !== 0) {
    // An uninitialised folder or an unreadable backend: both mean "no state here" to the operator.
    if (/backend|init|no state|not initialized|Required plugins/i.test(result.stderr)) throw new NoStateError();
    throw new ProcessFailedError("terraform output -json", { ...result, stdout: "" });
  }
  return result.stdout;
}
