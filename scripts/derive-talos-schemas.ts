/**
 * Derives `.gen/talos-config-schemas/talos-<version>.schema.json` from
 * Talos's official machine-config JSON Schemas in ../shared.
 *
 * The official files may not be copied into the project, and the tests must
 * run on a fresh clone without ../shared, so each release's schema is cut
 * down to what the tests validate rendered patches against: the document
 * types this project renders, the definitions they reach, no prose.
 * Output is byte-identical on every run.
 *
 * Usage: tsx scripts/derive-talos-schemas.ts [--shared DIR] [--out DIR]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { trimTalosSchema } from "./trim-talos-schema";
import { argValue, readJson, requireSharedDir } from "./script-io";

/**
 * The machine-config document types domain/talos-patches.ts renders
 * (`$defs` names in Talos's schema). Add one here when a renderer starts
 * emitting a new kind of document.
 */
export const RENDERED_DOCUMENT_TYPES: readonly string[] = [
  "v1alpha1.Config",
  "network.LinkAliasConfigV1Alpha1",
  "network.Layer2VIPConfigV1Alpha1",
  "network.HostnameConfigV1Alpha1",
];

const projectRoot = path.resolve(__dirname, "..");
const SOURCE_FILE = /^talos-(v\d+\.\d+\.\d+)\.schema\.json$/;

function main(): void {
  const sharedDir = requireSharedDir(argValue("--shared"));
  const outDir = path.resolve(argValue("--out") ?? path.join(projectRoot, ".gen"));
  const sourceDir = path.join(sharedDir, "talos-config-schemas");
  const targetDir = path.join(outDir, "talos-config-schemas");

  const versions = fs
    .readdirSync(sourceDir)
    .map((file) => SOURCE_FILE.exec(file)?.[1])
    .filter((version): version is string => version !== undefined)
    .sort();
  if (versions.length === 0) {
    throw new Error(`no talos-v*.schema.json under ${sourceDir}`);
  }

  // Start clean so releases removed from ../shared disappear from .gen/.
  fs.rmSync(targetDir, { recursive: true, force: true });
  fs.mkdirSync(targetDir, { recursive: true });
  for (const version of versions) {
    const file = `talos-${version}.schema.json`;
    const trimmed = trimTalosSchema(readJson(path.join(sourceDir, file)), RENDERED_DOCUMENT_TYPES);
    fs.writeFileSync(path.join(targetDir, file), `${JSON.stringify(trimmed, null, 2)}\n`);
  }
  console.log(`derived ${path.relative(projectRoot, targetDir)} (${versions.join(", ")}) from ${sharedDir}`);
}

// Only when run as a script, so RENDERED_DOCUMENT_TYPES can be imported without side effects.
if (require.main === module) {
  try {
    main();
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
