/**
 * A report, not a gate: measures and prints, and fails only when a measured
 * command fails. A slow or busy machine gives slow numbers, never a red CI.
 *
 *   npm run synth              median wall time of N runs after one warm-up,
 *                              and the largest peak memory of those runs;
 *   floor                      the same for `node -e 'require("cdktf")'`,
 *                              measured in the same run, and synth / floor;
 *   npm run synth:cdktn        the same app on CDK Terrain, beside its own
 *                              floor `node -e 'require("cdktn")'`;
 *   npm run verify (no state)  median of N runs in a project folder without
 *                              Terraform state (it answers "deploy first"),
 *                              beside `npm run env` (npm's own start-up,
 *                              measured in the same run): target 2x;
 *   npm test (cold)            one run with a fresh jest cache, beside
 *                              `tsc --noEmit -p .` (its type-check alone,
 *                              cold, in the same run): target 3x.
 *
 * Targets are ratios to a floor measured in the same run, so a busy machine
 * moves both sides; met or missed is information, never a failure.
 *
 * Peak memory is the largest resident set of any one process in the command,
 * as GNU time reports it (`/usr/bin/time -f %M`). The report names the
 * machine: cores, CPU model, node version and the load average at the start.
 * Every temporary folder it makes is removed when it exits.
 *
 * Usage: npm run bench [-- --runs 9]
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
/** npm run verify with no state, as a multiple of npm run env. */
const VERIFY_TARGET_RATIO = 2;
/** npm test (cold), as a multiple of tsc --noEmit (cold). */
const TEST_TARGET_RATIO = 3;
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const GNU_TIME = "/usr/bin/time";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
process.on("exit", () => fs.rmSync(scratch, { recursive: true, force: true }));
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

const load = os.loadavg().map((value) => value.toFixed(2)).join(" ");
const cpus = os.cpus();
console.log(`bench: ${cpus.length} cores, ${cpus[0]?.model.trim() ?? "unknown CPU"}, node ${process.version}, load average at start ${load}`);

if (!fs.existsSync(GNU_TIME)) {
  console.error(`bench: ${GNU_TIME} (GNU time) is needed to measure peak memory; install it (apt-get install time)`);
  process.exit(2);
}

/** Runs a command under GNU time; returns wall seconds and peak RSS in MiB. Exits 1 when the command ends with another code than `expected`. */
function measure(command, args, env = {}, expected = [0]) {
  const report = path.join(scratch, "time.txt");
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ["-f", "%M", "-o", report, command, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!expected.includes(result.status)) {
    process.stderr.write(result.stderr ?? "");
    console.error(`bench: FAIL: ${command} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
    process.exit(1);
  }
  const kib = Number(fs.readFileSync(report, "utf8").trim().split("\n").pop());
  return { seconds, mib: kib / 1024 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Median wall time and largest peak memory of `runs` runs after one warm-up. */
function repeated(command, args, env, expected) {
  measure(command, args, env, expected);
  const all = Array.from({ length: runs }, () => measure(command, args, env, expected));
  return { seconds: median(all.map((run) => run.seconds)), mib: Math.max(...all.map((run) => run.mib)) };
}

const synth = repeated("npm", ["run", "--silent", "synth"], { CDKTF_OUTDIR: path.join(scratch, "cdktf.out") });
const floor = repeated(process.execPath, ["-e", 'require("cdktf")']);
const synthCdktn = repeated("npm", ["run", "--silent", "synth:cdktn"], { CDKTF_OUTDIR: path.join(scratch, "cdktf.out-cdktn") });
const floorCdktn = repeated(process.execPath, ["-e", 'require("cdktn")']);
// verify in a project folder of its own with no state: it must answer "deploy first" (exit 2).
const noState = path.join(scratch, "no-state");
fs.mkdirSync(noState);
const verifyArgs = ["run", "--silent", "verify", "--", "--project", noState];
const verify = repeated("npm", verifyArgs, {}, [2]);
const npmEnv = repeated("npm", ["run", "env"]);
const tsc = measure(process.execPath, [require.resolve("typescript/bin/tsc"), "--noEmit", "-p", ".", "--incremental", "false"]);
const test = measure("npm", ["test", "--", "--cacheDirectory", path.join(scratch, "jest-cache")]);

const row = (what, seconds, mib, note = "") =>
  console.log(`  ${what.padEnd(44)} ${`${seconds.toFixed(2)} s`.padStart(8)} ${`${mib.toFixed(0)} MiB`.padStart(9)}${note ? `   ${note}` : ""}`);
console.log(`  ${"".padEnd(44)} ${"wall".padStart(8)} ${"peak".padStart(9)}`);
row(`npm run synth (median of ${runs})`, synth.seconds, synth.mib, `${(synth.seconds / floor.seconds).toFixed(1)}x the floor`);
row(`floor: node -e 'require("cdktf")'`, floor.seconds, floor.mib);
row(`npm run synth:cdktn (median of ${runs})`, synthCdktn.seconds, synthCdktn.mib, `${(synthCdktn.seconds / floorCdktn.seconds).toFixed(1)}x its floor`);
row(`floor: node -e 'require("cdktn")'`, floorCdktn.seconds, floorCdktn.mib);
const ratio = (value, floorValue, target) => {
  const times = value / floorValue;
  return `${times.toFixed(1)}x, target ${target}x: ${times <= target ? "met" : "missed"} (information, not a gate)`;
};
row(`npm run verify, no state (median of ${runs})`, verify.seconds, verify.mib, ratio(verify.seconds, npmEnv.seconds, VERIFY_TARGET_RATIO));
row(`floor: npm run env (median of ${runs})`, npmEnv.seconds, npmEnv.mib);
row("npm test, cold jest cache", test.seconds, test.mib, ratio(test.seconds, tsc.seconds, TEST_TARGET_RATIO));
row("floor: tsc --noEmit -p . (cold)", tsc.seconds, tsc.mib);

// The fast API failover's figures, when CI's network-namespace test wrote them in this run
// (it needs root, so the bench does not run it itself): reported, never a gate.
const failoverFigures = process.env.FAILOVER_FIGURES_FILE;
if (failoverFigures && fs.existsSync(failoverFigures)) {
  console.log(fs.readFileSync(failoverFigures, "utf8").trimEnd());
}
