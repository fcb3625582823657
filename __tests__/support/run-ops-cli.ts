/**
 * Runs an operator command (ops/cli/<name>.ts) as a child process, as
 * `npm run <name>` would, and collects what it printed. Its environment is
 * only what the test gives (PATH with the fake tools) plus TMPDIR, where tsx's
 * cache and the command's private credentials folder land.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export function runOpsCli(name: "verify" | "drill", project: string, tmpdir: string, env: NodeJS.ProcessEnv, args: readonly string[], killAfterMs: number): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, "ops", "cli", `${name}.ts`), "--project", project, ...args], {
      cwd: root,
      env: { PATH: env.PATH, TMPDIR: tmpdir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("close", (code) => {
      clearTimeout(killer);
      resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started });
    });
  });
}
