/**
 * The same app on CDK Terrain (cdktn, the maintained fork of cdktf):
 * `npm run synth:cdktn`. esbuild resolves every `cdktf` import to `cdktn`,
 * the app's and the generated bindings' and @cdktf/provider-null's alike, so
 * the code is unchanged. The build fails if any cdktf file slips into the
 * bundle: both libraries share their global symbols, and a mix would
 * misbehave quietly.
 */
"use strict";
require("./bundle-app").runBundledApp({
  name: "main-cdktn",
  alias: { cdktf: "cdktn" },
  checkInputs: (inputs) => {
    const cdktf = inputs.filter((input) => input.startsWith("node_modules/cdktf/"));
    if (cdktf.length > 0) throw new Error(`synth:cdktn: the bundle still holds cdktf (${cdktf[0]}, ...): every cdktf import must resolve to cdktn`);
  },
});
