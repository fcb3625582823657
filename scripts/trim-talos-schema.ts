/**
 * Pure helpers that cut Talos's machine-config JSON Schema (draft 2020-12)
 * down to a list of document types (every one of the release, for .gen/): only the definitions
 * those documents reach, and no prose. The result is small enough to commit
 * under .gen/ and still validates exactly what the full schema validates for
 * those documents.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The only dialect the keyword tables below are written for. */
export const DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

/** Keywords that carry documentation text rather than structure. */
const PROSE_KEYWORDS = new Set(["description", "markdownDescription", "x-intellij-html-description", "title"]);
/** Keywords whose value is a map from names (properties, patterns, definitions) to schemas. */
const SCHEMA_MAP_KEYWORDS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
/** Keywords whose value is one schema, or (prefixItems and the combinators) a list of schemas. */
const SCHEMA_KEYWORDS = new Set([
  "additionalProperties",
  "unevaluatedProperties",
  "propertyNames",
  "items",
  "prefixItems",
  "contains",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
  "allOf",
  "anyOf",
  "oneOf",
]);

/** Copies a JSON value with object keys sorted, so output does not depend on input key order. */
export function sortedKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const result: JsonObject = {};
  for (const key of Object.keys(value).sort()) result[key] = sortedKeys(value[key]);
  return result;
}

/**
 * Copies a schema without prose keywords, with sorted keys, and reports every
 * `$ref` it holds to `onRef`.
 *
 * It walks the schema keyword by keyword rather than dropping every key named
 * `description`: inside `properties` and friends the keys are property names
 * (a config field may well be called `title`), and values of `enum`, `const`,
 * `default` or `examples` are data, so both are kept as they are.
 */
export function withoutProse(schema: Json, onRef: (ref: string) => void = () => {}): Json {
  if (Array.isArray(schema) || schema === null || typeof schema !== "object") {
    return schema; // boolean schemas (`additionalProperties: false`) and anything unexpected pass through
  }
  const result: JsonObject = {};
  for (const key of Object.keys(schema).sort()) {
    const value = schema[key];
    if (PROSE_KEYWORDS.has(key)) continue;
    if (key === "$ref" && typeof value === "string") onRef(value);
    if (SCHEMA_MAP_KEYWORDS.has(key) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      const map: JsonObject = {};
      for (const name of Object.keys(value).sort()) map[name] = withoutProse(value[name], onRef);
      result[key] = map;
    } else if (SCHEMA_KEYWORDS.has(key)) {
      result[key] = Array.isArray(value) ? value.map((item) => withoutProse(item, onRef)) : withoutProse(value, onRef);
    } else {
      result[key] = sortedKeys(value);
    }
  }
  return result;
}

/** The definition name a local `#/$defs/<name>` reference points at; other references are not supported. */
export function localDefName(ref: string): string {
  const match = /^#\/\$defs\/([^/]+)$/.exec(ref);
  if (!match) {
    throw new Error(`unsupported $ref "${ref}": only local "#/$defs/<name>" references can be followed`);
  }
  // JSON Pointer escapes (RFC 6901), after the URI fragment's percent-decoding.
  return decodeURIComponent(match[1]).replace(/~1/g, "/").replace(/~0/g, "~");
}

/** Every document type (`$defs` name) of a Talos config schema, in the order of its root `oneOf`. */
export function documentTypesOf(source: JsonObject): string[] {
  const oneOf = source.oneOf;
  if (!Array.isArray(oneOf)) throw new Error("expected a Talos config schema: a root with $defs and a oneOf of document types");
  return oneOf.map((entry) => localDefName(String((entry as JsonObject | null)?.$ref)));
}

/**
 * Returns a schema with the source's `$schema` and `$id`, a `oneOf` of the
 * wanted document types this release has (in the source's order), and the
 * `$defs` those documents reach through `$ref`, all without prose.
 *
 * Document types the release lacks are skipped (Talos 1.11 predates the
 * network documents); a release with none of them is an error.
 */
export function trimTalosSchema(source: JsonObject, documentTypes: readonly string[]): JsonObject {
  if (source.$schema !== DRAFT_2020_12) {
    throw new Error(`expected a ${DRAFT_2020_12} schema, got $schema ${JSON.stringify(source.$schema)}`);
  }
  const defs = source.$defs as JsonObject | undefined;
  const sourceOneOf = source.oneOf;
  if (!defs || !Array.isArray(sourceOneOf)) {
    throw new Error("expected a Talos config schema: a root with $defs and a oneOf of document types");
  }
  const wanted = new Set(documentTypes);
  const oneOf = sourceOneOf.filter((entry) => {
    const ref = (entry as JsonObject | null)?.$ref;
    return typeof ref === "string" && wanted.has(localDefName(ref));
  });
  if (oneOf.length === 0) {
    throw new Error(`the schema ${String(source.$id)} has none of the document types ${documentTypes.join(", ")}`);
  }

  // Breadth-first over $ref from the documents; every definition is trimmed once.
  const trimmedDefs: JsonObject = {};
  const queue = oneOf.map((entry) => localDefName((entry as JsonObject).$ref as string));
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (name in trimmedDefs) continue;
    if (!(name in defs)) throw new Error(`the schema ${String(source.$id)} refers to a missing definition "${name}"`);
    trimmedDefs[name] = withoutProse(defs[name], (ref) => queue.push(localDefName(ref)));
  }

  // Root keys in reading order (identifiers, documents, definitions); everything below is sorted.
  return {
    $schema: source.$schema,
    $id: source.$id,
    oneOf: oneOf.map((entry) => withoutProse(entry)),
    $defs: sortedKeys(trimmedDefs),
  };
}
