/**
 * Pure helpers that cut a `terraform providers schema -json` document down to
 * the types this project uses, keeping names and types only (no prose).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Keys that carry documentation text rather than structure. */
const PROSE_KEYS = new Set(["description", "description_kind"]);
/** Keys whose object values are maps from names (attribute, block, type names) to schemas. */
const NAME_MAPS = new Set(["attributes", "block_types", "resource_schemas", "data_source_schemas", "provider_schemas"]);

/**
 * Recursively drops documentation text from schema nodes; names (an attribute
 * may well be called `description`) and type expressions are kept as they
 * are. Keys are sorted so output is stable.
 */
export function withoutProse(value: Json, isNameMap = false): Json {
  if (Array.isArray(value)) return value.map((item) => withoutProse(item));
  if (value === null || typeof value !== "object") return value;
  const result: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    if (!isNameMap && PROSE_KEYS.has(key)) continue;
    if (!isNameMap && key === "type") {
      result[key] = value[key]; // a type expression, e.g. ["object", {"description": "string"}]
      continue;
    }
    result[key] = withoutProse(value[key], !isNameMap && NAME_MAPS.has(key));
  }
  return result;
}

export interface ProviderSchemaSelection {
  readonly address: string;
  readonly resources: readonly string[];
  readonly dataSources: readonly string[];
}

function pick(
  kind: string,
  all: JsonObject | undefined,
  wanted: readonly string[],
  address: string,
): JsonObject {
  const picked: JsonObject = {};
  for (const name of [...wanted].sort()) {
    const schema = all?.[name];
    if (schema === undefined) {
      throw new Error(`${address} has no ${kind} "${name}": fix scripts/provider-types.ts`);
    }
    picked[name] = withoutProse(schema);
  }
  return picked;
}

/**
 * Returns a schema document (same format as the input) that holds only the
 * provider block and the selected resources and data sources, without prose.
 */
export function trimProviderSchema(document: JsonObject, selection: ProviderSchemaSelection): JsonObject {
  const providers = document.provider_schemas as JsonObject | undefined;
  const provider = providers?.[selection.address] as JsonObject | undefined;
  if (!provider) {
    throw new Error(`schema document does not describe ${selection.address}`);
  }
  return {
    format_version: document.format_version ?? "1.0",
    provider_schemas: {
      [selection.address]: {
        provider: withoutProse(provider.provider ?? { version: 0, block: {} }),
        resource_schemas: pick("resource", provider.resource_schemas as JsonObject, selection.resources, selection.address),
        data_source_schemas: pick("data source", provider.data_source_schemas as JsonObject, selection.dataSources, selection.address),
      },
    },
  };
}
