/**
 * Runs the cdktf app (main.ts) fast. esbuild bundles it into one CommonJS
 * file, rebuilt only when one of the files that went into it (listed in
 * esbuild's metafile) is newer than the bundle; Node then runs the bundle in
 * this process. Both `npm run synth` and cdktf.json's "app" (so
 * `npx cdktf synth|diff|deploy`) come through here; ts-node would take
 * seconds per run.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, ".build", "main.js");
const metafile = path.join(root, ".build", "meta.json");

function bundleIsCurrent() {
  try {
    const builtAt = fs.statSync(outfile).mtimeMs;
    const { inputs } = JSON.parse(fs.readFileSync(metafile, "utf8"));
    return [__filename, ...Object.keys(inputs).map((input) => path.join(root, input))].every(
      (file) => fs.statSync(file).mtimeMs < builtAt,
    );
  } catch {
    return false; // no bundle yet, or an input was removed
  }
}

if (!bundleIsCurrent()) {
  // Built under a name of its own and renamed into place, so runs that start
  // at the same moment (parallel tests, two terminals) never read half a file.
  const staging = `${outfile}.${process.pid}.tmp`;
  const result = require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    outfile: staging,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    metafile: true,
    logLevel: "warning",
  });
  fs.writeFileSync(`${metafile}.${process.pid}.tmp`, JSON.stringify(result.metafile));
  fs.renameSync(`${metafile}.${process.pid}.tmp`, metafile);
  fs.renameSync(staging, outfile);
}
require(outfile);
