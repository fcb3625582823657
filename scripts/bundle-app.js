/**
 * Runs the cdktf app (main.ts) fast, on the CDK runtime of the caller's
 * choice. esbuild bundles it into one CommonJS file, rebuilt only when one of
 * the files that went into it (listed in esbuild's metafile) is newer than
 * the bundle; Node then runs the bundle in this process. ts-node would take
 * seconds per run.
 *
 * `alias` swaps packages at bundle time: `{ cdktf: "cdktn" }` builds the same
 * app, generated bindings and @cdktf/provider-null included, on CDK Terrain.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.resolve(__dirname, "..");

/**
 * @param {object} options
 * @param {string} options.name  the bundle's name under .build/ (one per runtime, so two builds never overwrite each other)
 * @param {Record<string, string>} [options.alias]  esbuild's alias: package -> package
 * @param {(inputs: string[]) => void} [options.checkInputs]  throws when the bundle is not what it should be
 */
function runBundledApp({ name, alias, checkInputs }) {
  const outfile = path.join(root, ".build", `${name}.js`);
  const metafile = path.join(root, ".build", `${name}.meta.json`);
  const sources = [__filename, require.main.filename];

  const bundleIsCurrent = () => {
    try {
      const builtAt = fs.statSync(outfile).mtimeMs;
      const { inputs } = JSON.parse(fs.readFileSync(metafile, "utf8"));
      return [...sources, ...Object.keys(inputs).map((input) => path.join(root, input))].every((file) => fs.statSync(file).mtimeMs < builtAt);
    } catch {
      return false; // no bundle yet, or an input was removed
    }
  };

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
  }
  require(outfile);
}

module.exports = { runBundledApp };
