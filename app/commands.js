/**
 * The project's commands and the entry point each is bundled from
 * (app/run.js runs them). Inside a bundle every module shares the entry's
 * `module`, so an entry's `require.main === module` guard would fire in any
 * entry it imported: no entry imports another (a test checks it).
 */
"use strict";

/** Why a bundle must not hold cdktf: cdktf and cdktn share their global symbols, and a mix misbehaves quietly. */
function refuseCdktf(inputs) {
  const cdktf = inputs.filter((input) => input.startsWith("node_modules/cdktf/"));
  if (cdktf.length > 0) throw new Error(`synth:cdktn: the bundle still holds cdktf (${cdktf[0]}, ...): every cdktf import must resolve to cdktn`);
}

/**
 * command -> its entry point, and: `bundle`, the bundle's name when commands
 * share one (default: the command's); `args`, put before the user's;
 * `alias` and `checkInputs`, for esbuild (./bundle.js).
 */
const COMMANDS = {
  // The cdktf app: `npm run synth`, and `npx cdktf synth|diff|deploy` through cdktf.json.
  synth: { entry: "main.ts" },
  // The same app on CDK Terrain: every cdktf import (the app's, .gen's, @cdktf/provider-null's) resolves to cdktn.
  "synth:cdktn": { entry: "main.ts", alias: { cdktf: "cdktn" }, checkInputs: refuseCdktf },
  "synth:hcl": { entry: "app/synth-hcl.ts" },
  review: { entry: "review/cli.ts" },
  verify: { entry: "ops/cli/verify.ts" },
  drill: { entry: "ops/cli/drill.ts" },
  upgrade: { entry: "ops/cli/upgrade.ts" },
  "host-down": { entry: "ops/cli/host-down.ts" },
  secrets: { entry: "ops/cli/secrets.ts" },
  backup: { entry: "ops/cli/backup.ts" },
  restore: { entry: "ops/cli/restore.ts" },
  docs: { entry: "scripts/render-docs.ts" },
  // The cdktf CLI for one cluster's stack, without HashiCorp's version check and nothing written to $HOME.
  deploy: { entry: "app/cdktf-cli.ts", bundle: "cdktf-cli", args: ["deploy"] },
  diff: { entry: "app/cdktf-cli.ts", bundle: "cdktf-cli", args: ["diff"] },
  destroy: { entry: "app/cdktf-cli.ts", bundle: "cdktf-cli", args: ["destroy"] },
};

module.exports = { COMMANDS };
