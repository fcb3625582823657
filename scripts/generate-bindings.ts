/**
 * Generates `.gen/` offline from the real provider schemas in ../shared.
 *
 * This is the code path `cdktf get` takes (cdktf's TerraformProviderGenerator),
 * fed from schema files instead of `terraform providers schema -json`, because
 * the Terraform registry is unreachable here. With registry access,
 * `cdktf get` is the upgrade path (see docs/development.md).
 *
 * Writes .gen/providers/<name>/ (bindings), .gen/schemas/<name>.json (the
 * trimmed schema the tests check synthesized JSON against), and the
 * versions.json / constraints.json bookkeeping `cdktf get` keeps.
 *
 * Usage: tsx scripts/generate-bindings.ts [--shared DIR] [--out DIR]
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CodeMaker, TerraformProviderGenerator } from "@cdktf/provider-generator";
import { ConstructsMakerTarget, Language, TerraformProviderConstraint } from "@cdktf/commons";
import { USED_PROVIDER_TYPES } from "./provider-types";
import { trimProviderSchema } from "./trim-provider-schema";
import { argValue, readJson, requireSharedDir } from "./script-io";

const projectRoot = path.resolve(__dirname, "..");

async function main(): Promise<void> {
  const sharedDir = requireSharedDir(argValue("--shared"));
  const outDir = path.resolve(argValue("--out") ?? path.join(projectRoot, ".gen"));
  const cdktfJson = readJson(path.join(projectRoot, "cdktf.json")) as { terraformProviders: string[] };
  const constraints = cdktfJson.terraformProviders.map((item) => new TerraformProviderConstraint(item));

  // Start clean so types dropped from the list disappear from .gen/.
  for (const generated of ["providers", "schemas", "versions.json", "constraints.json"]) {
    fs.rmSync(path.join(outDir, generated), { recursive: true, force: true });
  }

  const code = new CodeMaker();
  const versions: Record<string, string> = {};
  for (const used of USED_PROVIDER_TYPES) {
    const address = `registry.terraform.io/${used.source}`;
    const constraint = constraints.find((candidate) => candidate.fqn === used.source);
    if (!used.prebuilt && !constraint?.version) {
      throw new Error(`cdktf.json pins no version of ${used.source}; add "${used.source}@<version>" to terraformProviders`);
    }
    const schemaFile = used.schemaFile ?? `provider-schemas/${used.source.replace("/", "-")}-${constraint!.version}.json`;
    const trimmed = trimProviderSchema(readJson(path.join(sharedDir, schemaFile)), { address, ...used });
    const name = used.source.split("/")[1];
    code.openFile(`schemas/${name}.json`);
    code.line(JSON.stringify(trimmed, null, 2));
    code.closeFile(`schemas/${name}.json`);
    if (used.prebuilt || !constraint) continue;

    const generator = new TerraformProviderGenerator(code, { ...trimmed, provider_versions: { [address]: constraint.version } } as never);
    generator.generate(ConstructsMakerTarget.from(constraint, Language.TYPESCRIPT) as never);
    versions[address] = constraint.version!;
  }

  // The bookkeeping files `cdktf get` writes, so it sees these bindings as current.
  writeJsonFile(code, "versions.json", versions);
  writeJsonFile(code, "constraints.json", {
    cdktf: (readJson(require.resolve("cdktf/package.json")) as { version: string }).version,
    providers: Object.fromEntries(constraints.map((constraint) => [constraint.fqn, constraint.version])),
  });
  await code.save(outDir);
  console.log(`generated ${path.relative(projectRoot, outDir) || "."} from ${sharedDir}`);
}

function writeJsonFile(code: CodeMaker, file: string, value: unknown): void {
  code.openFile(file);
  code.line(JSON.stringify(value, null, 2));
  code.closeFile(file);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
