/**
 * Measures what the README promises and fails when a target is missed:
 *   npm run synth   median wall time <= 0.7 s, peak memory <= 150 MiB
 *   npm test        wall time <= 20 s from a cold jest cache
 * Peak memory is the largest resident set of any process in the run, as GNU
 * time reports it (`/usr/bin/time -f %M`).
 *
 * Usage: npm run bench [-- --runs 9]
 */
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const TARGETS = { synthSeconds: 0.7, synthMiB: 150, testSeconds: 20 };
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 9;
const GNU_TIME = "/usr/bin/time";

if (!fs.existsSync(GNU_TIME)) {
  console.error(`bench: ${GNU_TIME} (GNU time) is needed to measure peak memory; install it (apt-get install time)`);
  process.exit(2);
}

/** Runs a command under GNU time; returns wall seconds and peak RSS in MiB. */
function measure(command, args, env = {}) {
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "time.txt");
  const started = process.hrtime.bigint();
  const result = spawnSync(GNU_TIME, ["-f", "%M", "-o", report, command, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) {
    console.error(result.stderr.toString());
    throw new Error(`${command} ${args.join(" ")} failed with exit code ${result.status}`);
  }
  const kib = Number(fs.readFileSync(report, "utf8").trim().split("\n").pop());
  return { seconds, mib: kib / 1024 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-out-"));
measure("npm", ["run", "--silent", "synth"], { CDKTF_OUTDIR: outdir }); // warm-up: builds the bundle once
const synth = Array.from({ length: runs }, () => measure("npm", ["run", "--silent", "synth"], { CDKTF_OUTDIR: outdir }));
const synthSeconds = median(synth.map((run) => run.seconds));
const synthMiB = Math.max(...synth.map((run) => run.mib));

const jestCache = fs.mkdtempSync(path.join(os.tmpdir(), "bench-jest-cache-"));
const test = measure("npm", ["test", "--", "--cacheDirectory", jestCache]);

const rows = [
  ["npm run synth, median wall time", `${synthSeconds.toFixed(2)} s`, `<= ${TARGETS.synthSeconds} s`, synthSeconds <= TARGETS.synthSeconds],
  ["npm run synth, peak memory", `${synthMiB.toFixed(0)} MiB`, `<= ${TARGETS.synthMiB} MiB`, synthMiB <= TARGETS.synthMiB],
  ["npm test, cold, wall time", `${test.seconds.toFixed(1)} s`, `<= ${TARGETS.testSeconds} s`, test.seconds <= TARGETS.testSeconds],
  ["npm test, cold, peak memory", `${test.mib.toFixed(0)} MiB`, "(reported)", true],
];
console.log(`bench: ${runs} synth runs after one warm-up, on ${os.cpus().length} cores, node ${process.version}`);
for (const [what, measured, target, ok] of rows) {
  console.log(`${ok ? "ok  " : "MISS"}  ${what.padEnd(34)} ${measured.padStart(9)}   target ${target}`);
}
process.exit(rows.every((row) => row[3]) ? 0 : 1);
