/**
 * Every `npm run` command of the project starts here:
 *
 *   node app/run.js <command> [arguments...]
 *
 * It makes sure the command's esbuild bundle is current (./bundle.js) and
 * runs it as the main module, so the command sees its own arguments in
 * process.argv and its `require.main === module` guard holds, exactly as if
 * it had been started directly. cdktf.json's "app" is `node app/run.js synth`.
 */
"use strict";
const Module = require("node:module");
const { ensureBundle } = require("./bundle");
const { COMMANDS } = require("./commands");

const [command] = process.argv.splice(2, 1);
const options = COMMANDS[command];
if (options === undefined) {
  console.error(`app/run.js: unknown command ${JSON.stringify(command ?? "")}; one of: ${Object.keys(COMMANDS).join(", ")}`);
  process.exit(2);
}
// Replaces this launcher as process.argv[1] and runs the bundle as the main module (as ts-node's launcher does).
const { bundle, args = [], ...build } = options;
process.argv[1] = ensureBundle({ name: bundle ?? command.replace(":", "-"), ...build });
process.argv.splice(2, 0, ...args);
Module.runMain();
