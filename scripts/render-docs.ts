/**
 * `npm run docs`: writes the generated parts of README.md (the HOMELAB_CONFIG
 * field table, from domain/cluster-fields.ts). A test fails when they are stale.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { withFieldTable } from "../config/field-table";

const readme = path.resolve(__dirname, "..", "README.md");
const before = fs.readFileSync(readme, "utf8");
const after = withFieldTable(before);
if (after !== before) fs.writeFileSync(readme, after);
console.log(after === before ? "README.md is up to date" : "README.md: field table rewritten");
