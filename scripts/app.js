/**
 * Runs the cdktf app (main.ts) fast: esbuild bundles it into one CommonJS
 * file (about 0.1 s), then Node runs that file in this process. Both
 * `npm run synth` and cdktf.json's "app" (so `npx cdktf synth|diff|deploy`)
 * go through here; ts-node would take seconds.
 */
"use strict";
const path = require("node:path");
const esbuild = require("esbuild");

const root = path.resolve(__dirname, "..");
const outfile = path.join(root, ".build", "main.js");

esbuild.buildSync({
  entryPoints: [path.join(root, "main.ts")],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  logLevel: "warning",
});
require(outfile);
