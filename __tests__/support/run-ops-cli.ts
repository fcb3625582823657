/**
 * Runs an operator command as a child process, exactly as `npm run <name>`
 * does (`node app/run.js <name>`: its esbuild bundle), and collects what it
 * printed. Its environment is only what the test gives (PATH with the fake
 * tools) plus TMPDIR, where the command's private credentials folder lands.
 *
 * No wall-clock bound is asserted on a run: a loaded machine starts node
 * slowly. A command that hangs ends in the kill after `killAfterMs`
 * (code -1, never the 2 a test expects); the 15-second rule itself is the
 * watchdog's, tested in ops-watchdog.test.ts.
 */
import { spawn } from "node:child_process";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runOpsCli(name: "verify" | "drill" | "host-down" | "secrets" | "backup" | "restore", project: string, tmpdir: string, env: NodeJS.ProcessEnv, args: readonly string[], killAfterMs: number): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(root, "app", "run.js"), name, "--project", project, ...args], {
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
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}
