/**
 * Talos's machine-config JSON schema of each contract (derived into
 * .gen/talos-config-schemas by scripts/derive-talos-schemas.ts), compiled
 * once, for tests that check rendered patches against it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020, { ValidateFunction } from "ajv/dist/2020";
import { parseAllDocuments } from "yaml";
import { TalosRelease } from "../../domain/talos-versions";
import { PROJECT_ROOT } from "./project-root";

const SCHEMA_DIR = path.join(PROJECT_ROOT, ".gen", "talos-config-schemas");
const validators = new Map<string, ValidateFunction>();

function validatorFor(release: TalosRelease): ValidateFunction {
  const cached = validators.get(release.schemaVersion);
  if (cached) return cached;
  const file = path.join(SCHEMA_DIR, `talos-${release.schemaVersion}.schema.json`);
  // Talos marks one URL field `format: uri`; check it rather than let ajv warn that it ignores it.
  const ajv = new Ajv2020({ allErrors: true, strict: false, formats: { uri: (text: string) => URL.canParse(text) } });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")));
  validators.set(release.schemaVersion, validate);
  return validate;
}

/** Every schema violation of one config document, one line each (empty when it is valid). */
export function talosSchemaProblems(release: TalosRelease, document: unknown): string[] {
  const validate = validatorFor(release);
  if (validate(document)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)} (${error.schemaPath})`);
}

/** A rendered patch, which must be exactly one YAML document. */
export function parseTalosPatch(text: string): Record<string, unknown> {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 1) throw new Error(`a patch must be one YAML document:\n${text}`);
  return documents[0].toJS() as Record<string, unknown>;
}
