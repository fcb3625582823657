/**
 * Derives `.gen/talos-config-schemas/talos-<version>.schema.json` from
 * Talos's official machine-config JSON Schemas in ../shared.
 *
 * The official files may not be copied into the project, and the tests and
 * the synth must run on a fresh clone without ../shared, so each release's
 * schema is cut down to what rendered and user patches are validated
 * against: every document type of the release (a user's patch may be any of
 * them), the definitions they reach, no prose. Output is byte-identical on
 * every run.
 *
 * Usage: tsx scripts/derive-talos-schemas.ts [--shared DIR] [--out DIR]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { documentTypesOf, trimTalosSchema } from "./trim-talos-schema";
import { argValue, readJson, requireSharedDir } from "./script-io";

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
    const source = readJson(path.join(sourceDir, file));
    const trimmed = trimTalosSchema(source, documentTypesOf(source));
    fs.writeFileSync(path.join(targetDir, file), `${JSON.stringify(trimmed, null, 2)}\n`);
  }
  console.log(`derived ${path.relative(projectRoot, targetDir)} (${versions.join(", ")}) from ${sharedDir}`);
}

// Only when run as a script, so importing this file has no side effects.
if (require.main === module) {
  try {
    main();
  } catch (error: unknown) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
