/**
 * The cdktf app on CDK for Terraform (cdktf): `npm run synth`, and cdktf.json's
 * "app" (so `npx cdktf synth|diff|deploy`). See ./bundle-app.js.
 */
"use strict";
require("./bundle-app").runBundledApp({ name: "main" });
