/**
 * The 15-second rule of the operator commands (ops/cli/common.ts): whatever
 * is still running, past its deadline the watchdog prints one line naming
 * what the command was waiting for and exits 2; once the cluster has
 * answered it is cancelled. Run in child processes with a 1 s deadline
 * standing for the commands' 14 s, and work that never ends.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { PROJECT_ROOT } from "../../support/project-root";

const common = path.resolve(PROJECT_ROOT, "ops", "cli", "common.ts");

/** Runs the script with ops/cli/common.ts, bundled as the commands are (no TypeScript loader in the child). */
function run(script: string): Promise<{ code: number | null; stderr: string }> {
  const [bundle] = buildSync({ stdin: { contents: script, resolveDir: PROJECT_ROOT, loader: "ts" }, bundle: true, platform: "node", format: "cjs", write: false, logLevel: "error" }).outputFiles;
  return new Promise((resolve) => {
    // A file, not `node -e`: a bundle can outgrow what one command-line argument may hold (E2BIG).
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "watchdog-")), "script.js");
    fs.writeFileSync(file, bundle.text);
    const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, TMPDIR: os.tmpdir() }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(killer);
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
      resolve({ code, stderr });
    });
  });
}

describe("the watchdog behind the 15-second rule", () => {
  test.concurrent("past its deadline: one line naming what was awaited, exit 2, though work is still running", async () => {
    const result = await run(
      `import { startWatchdog } from ${JSON.stringify(common)};
       const watchdog = startWatchdog("verify", 1);
       watchdog.waitingFor("the cluster (127.0.0.11)");
       setInterval(() => undefined, 1000); // work that never ends`,
    );
    expect(result).toEqual({ code: 2, stderr: "verify: no answer from the cluster (127.0.0.11) within 1 s: is the cluster reachable from here?\n" });
  });

  test.concurrent("cancelled once the cluster answered: the command runs on and ends by itself", async () => {
    const result = await run(
      `import { startWatchdog } from ${JSON.stringify(common)};
       const watchdog = startWatchdog("drill", 1);
       watchdog.cancel();
       setTimeout(() => process.exit(0), 1500); // longer than the deadline`,
    );
    expect(result).toEqual({ code: 0, stderr: "" });
  });
});
