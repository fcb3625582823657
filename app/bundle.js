/**
 * Builds one command's esbuild bundle: a single CommonJS file under .build/,
 * rebuilt only when one of the files that went into it (listed in esbuild's
 * metafile) or this launcher is newer than the bundle. Node then loads the
 * bundle instead of transpiling TypeScript at run time (tsx or ts-node
 * would take most of a second per run).
 *
 * `alias` swaps packages at bundle time: `{ cdktf: "cdktn" }` builds the same
 * app, generated bindings and @cdktf/provider-null included, on CDK Terrain.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/**
 * Packages that find files of their own beside their code at run time, so
 * they are loaded from node_modules rather than copied into the bundle.
 */
const EXTERNAL = ["@cdktf/hcl-tools", "esbuild"];

/**
 * @param {object} options
 * @param {string} options.name  the bundle's name under .build/ (one per command and runtime, so two builds never overwrite each other)
 * @param {string} options.entry  the entry point, relative to the project
 * @param {Record<string, string>} [options.alias]  esbuild's alias: package -> package
 * @param {(inputs: string[]) => void} [options.checkInputs]  throws when the bundle is not what it should be
 * @returns {string} the bundle's absolute path
 */
function ensureBundle({ name, entry, alias, checkInputs }) {
  const outfile = path.join(root, ".build", `${name}.js`);
  const metafile = path.join(root, ".build", `${name}.meta.json`);
  const launchers = [__filename, path.join(__dirname, "run.js")];

  const bundleIsCurrent = () => {
    try {
      const builtAt = fs.statSync(outfile).mtimeMs;
      const { inputs } = JSON.parse(fs.readFileSync(metafile, "utf8"));
      return [...launchers, ...Object.keys(inputs).map((input) => path.join(root, input))].every((file) => fs.statSync(file).mtimeMs < builtAt);
    } catch {
      return false; // no bundle yet, or an input was removed
    }
  };
  if (bundleIsCurrent()) return outfile;

  // Built under a name of its own and renamed into place, so runs that start
  // at the same moment (parallel tests, two terminals) never read half a file.
  const staging = `${outfile}.${process.pid}.tmp`;
  const result = require("esbuild").buildSync({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: staging,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external: EXTERNAL,
    metafile: true,
    logLevel: "warning",
    ...(alias ? { alias } : {}),
  });
  try {
    checkInputs?.(Object.keys(result.metafile.inputs));
  } catch (error) {
    fs.rmSync(staging, { force: true });
    throw error;
  }
  fs.writeFileSync(`${metafile}.${process.pid}.tmp`, JSON.stringify(result.metafile));
  fs.renameSync(`${metafile}.${process.pid}.tmp`, metafile);
  fs.renameSync(staging, outfile);
  return outfile;
}

module.exports = { ensureBundle };
