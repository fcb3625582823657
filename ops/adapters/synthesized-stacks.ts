/**
 * The stacks a synth wrote into the project's cdktf.out: one per configured
 * cluster, each a folder of cdktf.out/stacks holding its cdk.tf.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { keepsLocalState } from "../../domain/cluster-set";

/** The stack ids, sorted; empty when nothing is synthesized there. */
export function synthesizedStacks(projectDir: string): string[] {
  const stacksDir = path.join(projectDir, "cdktf.out", "stacks");
  try {
    return fs
      .readdirSync(stacksDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(stacksDir, entry.name, "cdk.tf.json")))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** Whether a synthesized stack keeps its state in a local file (its backend is local). */
export function stackKeepsLocalState(projectDir: string, stackId: string): boolean {
  try {
    return keepsLocalState(JSON.parse(fs.readFileSync(path.join(projectDir, "cdktf.out", "stacks", stackId, "cdk.tf.json"), "utf8")));
  } catch {
    return false;
  }
}

/** A synthesized stack's cdk.tf.json, parsed; throws one line naming the file when it cannot be read. */
export function readSynthesizedStack(projectDir: string, stackId: string): unknown {
  const file = path.join("cdktf.out", "stacks", stackId, "cdk.tf.json");
  try {
    return JSON.parse(fs.readFileSync(path.join(projectDir, file), "utf8"));
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): run npm run synth`);
  }
}
