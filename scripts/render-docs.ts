/**
 * `npm run docs`: writes the generated parts of the docs (the HOMELAB_CONFIG
 * field table in docs/configuration.md, from domain/cluster-fields.ts). A test
 * fails when they are stale. Run as the bundle .build/docs.js, so the project
 * root is one level above this file's folder.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { withFieldTable } from "../config/field-table";

const page = path.join("docs", "configuration.md");
const file = path.resolve(__dirname, "..", page);
const before = fs.readFileSync(file, "utf8");
const after = withFieldTable(before);
if (after !== before) fs.writeFileSync(file, after);
console.log(after === before ? `${page} is up to date` : `${page}: field table rewritten`);
