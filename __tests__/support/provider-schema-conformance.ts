/**
 * Offline schema conformance of synthesized Terraform JSON (`cdk.tf.json`):
 * the checks `terraform validate` makes of names and value types against the
 * provider schemas, without a terraform binary or provider plugins (the
 * registry is unreachable here, STYLE.md rule 13). The schemas are the trimmed
 * `terraform providers schema -json` documents in `.gen/schemas/`.
 *
 * Deliberately out of scope: expressions (any string holding `${...}` or
 * `%{...}` is accepted wherever a value is expected, its references are not
 * resolved), the bodies of meta-arguments (provisioners, lifecycle, ...) and
 * the providers' own validators (allowed values, ranges, conflicts).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A Terraform type expression: "string", ["list", "string"], ["object", {...}], ... */
type TypeExpression = string | [string, ...unknown[]];

interface Attribute {
  readonly type?: TypeExpression;
  readonly nested_type?: NestedType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}
interface NestedType {
  readonly nesting_mode: "single" | "list" | "set" | "map";
  readonly attributes: Record<string, Attribute>;
  readonly min_items?: number;
  readonly max_items?: number;
}
interface Block {
  readonly attributes?: Record<string, Attribute>;
  readonly block_types?: Record<string, BlockType>;
}
interface BlockType {
  readonly nesting_mode: "single" | "group" | "list" | "set" | "map";
  readonly min_items?: number;
  readonly max_items?: number;
  readonly block: Block;
}
interface ProviderSchema {
  readonly provider: { readonly block: Block };
  readonly resource_schemas?: Record<string, { readonly block: Block }>;
  readonly data_source_schemas?: Record<string, { readonly block: Block }>;
}
interface SchemaDocument {
  readonly provider_schemas: Record<string, ProviderSchema>;
}

type JsonObject = Record<string, unknown>;
/** Records one problem at an attribute path ("" = the whole configuration). */
type Report = (at: string, message: string) => void;

/** Terraform meta-arguments of resources and data sources; "//" is cdktf's metadata comment. */
const META_ARGUMENTS = new Set(["//", "depends_on", "count", "for_each", "provider", "lifecycle", "provisioner", "connection"]);
/** Meta-arguments of provider configurations (`version` is deprecated but still accepted). */
const PROVIDER_META_ARGUMENTS = new Set(["//", "alias", "version"]);
/** Inside nested blocks only the JSON-syntax comment key is special. */
const COMMENT_ONLY = new Set(["//"]);

/** The trimmed provider schemas committed in `.gen/schemas/` (never /work/shared: tests run on a fresh clone). */
export function loadTrimmedProviderSchemas(): object[] {
  const dir = path.resolve(__dirname, "..", "..", ".gen", "schemas");
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".json"))
    .sort()
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as object);
}

/**
 * Every place where `synthesized` (cdktf's Terraform JSON) does not fit the
 * provider schemas; an empty array means it conforms. Each message starts with
 * the Terraform address and the attribute path.
 */
export function checkAgainstProviderSchemas(synthesized: object, schemaDocuments: object[]): string[] {
  const providers = (schemaDocuments as SchemaDocument[]).flatMap((document) => Object.entries(document.provider_schemas ?? {}));
  const resourceSchemas = new Map(providers.flatMap(([, schema]) => Object.entries(schema.resource_schemas ?? {})));
  const dataSchemas = new Map(providers.flatMap(([, schema]) => Object.entries(schema.data_source_schemas ?? {})));
  const config = synthesized as JsonObject;
  const problems: string[] = [];
  const reporter =
    (address: string): Report =>
    (at, message) =>
      problems.push(at ? `${address}: ${at}: ${message}` : `${address}: ${message}`);

  const sections = [
    { blocks: config.resource, prefix: "", schemas: resourceSchemas, what: "resource type" },
    { blocks: config.data, prefix: "data.", schemas: dataSchemas, what: "data source type" },
    // Data sources scoped to a `check` block are checked like any other.
    ...entries(config.check).map(([check, body]) => ({
      blocks: isObject(body) ? body.data : undefined,
      prefix: `check.${check}.data.`,
      schemas: dataSchemas,
      what: "data source type",
    })),
  ];
  for (const { blocks, prefix, schemas, what } of sections) {
    for (const [type, instances] of entries(blocks)) {
      const schema = schemas.get(type);
      for (const [name, body] of entries(instances)) {
        const report = reporter(`${prefix}${type}.${name}`);
        if (!schema) report("", `unknown ${what} "${type}": no provider schema defines it`);
        else asList(body).forEach((one) => checkBody(one, schema.block, META_ARGUMENTS, "", report));
      }
    }
  }

  // cdktf writes `provider: { <local name>: [ {...config} ] }`; the local name is the
  // last segment of the provider address (registry.terraform.io/bpg/proxmox -> proxmox).
  for (const [name, configurations] of entries(config.provider)) {
    const schema = providers.find(([address]) => address.endsWith(`/${name}`))?.[1];
    asList(configurations).forEach((body, index) => {
      const alias = isObject(body) && typeof body.alias === "string" ? body.alias : undefined;
      const report = reporter(`provider.${name}${alias ? `.${alias}` : index > 0 ? `[${index}]` : ""}`);
      if (!schema) report("", `unknown provider "${name}": no provider schema address ends with /${name}`);
      else checkBody(body, schema.provider.block, PROVIDER_META_ARGUMENTS, "", report);
    });
  }
  return problems;
}

/** Arguments and nested blocks of one block body (a resource, a provider, or a nested block). */
function checkBody(body: unknown, block: Block, ignored: ReadonlySet<string>, at: string, report: Report): void {
  if (!isObject(body)) {
    report(at, `expected a block body (JSON object), got ${describe(body)}`);
    return;
  }
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  const hasBlocks = Object.keys(blockTypes).length > 0;
  const dynamicBlocks = hasBlocks && isObject(body.dynamic) ? body.dynamic : {};

  for (const [key, value] of Object.entries(body)) {
    if (ignored.has(key)) continue;
    const attribute = attributes[key];
    const blockType = blockTypes[key];
    if (attribute) checkAttribute(value, attribute, join(at, key), report);
    else if (blockType) checkBlocks(value, blockType, join(at, key), report);
    else if (key === "dynamic" && hasBlocks && isObject(value)) checkDynamicBlocks(dynamicBlocks, blockTypes, join(at, key), report);
    else report(join(at, key), `unsupported argument or block: the schema has no "${key}" here`);
  }

  // Core accepts an explicit null for a required argument; the providers' SDKs do not.
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute.required && (body[name] === undefined || body[name] === null)) {
      report(join(at, name), "required argument is missing (or null)");
    }
  }
  for (const [name, blockType] of Object.entries(blockTypes)) {
    // Blocks generated by a dynamic block have a count known only at plan time.
    if (body[name] === undefined && !(name in dynamicBlocks)) countBlocks(0, blockType, join(at, name), report);
  }
}

function checkAttribute(value: unknown, attribute: Attribute, at: string, report: Report): void {
  if (attribute.computed && !attribute.optional && !attribute.required) {
    // The provider decides its value. Terraform core lets it through; the providers' SDKs reject it.
    if (value !== null) report(at, "computed-only attribute cannot be set in configuration");
    return;
  }
  if (value === null || isExpression(value)) return;
  if (attribute.nested_type) checkNestedType(value, attribute.nested_type, at, report);
  else checkType(value, attribute.type ?? "dynamic", at, report);
}

/** Attributes with `nested_type` (protocol 6 providers, e.g. siderolabs/talos): objects of attributes. */
function checkNestedType(value: unknown, nested: NestedType, at: string, report: Report): void {
  const object = { attributes: nested.attributes };
  const checkElement = (element: unknown, elementAt: string) => {
    if (element !== null && !isExpression(element)) checkBody(element, object, new Set(), elementAt, report);
  };
  if (nested.nesting_mode === "single") return checkElement(value, at);
  if (nested.nesting_mode === "map") {
    if (!isObject(value)) return report(at, `expected a map of objects, got ${describe(value)}`);
    return Object.entries(value).forEach(([key, element]) => checkElement(element, `${at}["${key}"]`));
  }
  if (!Array.isArray(value)) return report(at, `expected a ${nested.nesting_mode} of objects, got ${describe(value)}`);
  countItems(value.length, nested.min_items, nested.max_items, "elements", at, report);
  value.forEach((element, index) => checkElement(element, `${at}[${index}]`));
}

/** Blocks: JSON syntax writes one block as an object and several as an array; cdktf uses both. */
function checkBlocks(value: unknown, blockType: BlockType, at: string, report: Report): void {
  if (value === null) return countBlocks(0, blockType, at, report);
  if (isExpression(value)) return report(at, "a block cannot be set from an expression; use a dynamic block");
  if (blockType.nesting_mode === "map") {
    if (!isObject(value)) return report(at, `expected blocks keyed by label (JSON object), got ${describe(value)}`);
    for (const [label, bodies] of Object.entries(value)) {
      asList(bodies).forEach((body) => checkBody(body, blockType.block, COMMENT_ONLY, `${at}["${label}"]`, report));
    }
    return;
  }
  const bodies = Array.isArray(value) ? value : [value];
  countBlocks(bodies.length, blockType, at, report);
  bodies.forEach((body, index) => checkBody(body, blockType.block, COMMENT_ONLY, Array.isArray(value) ? `${at}[${index}]` : at, report));
}

/** `dynamic: { <block type>: { for_each, iterator, content } }`, as cdktf writes TerraformDynamicBlock. */
function checkDynamicBlocks(dynamic: JsonObject, blockTypes: Record<string, BlockType>, at: string, report: Report): void {
  for (const [name, generators] of Object.entries(dynamic)) {
    const blockType = blockTypes[name];
    if (!blockType) {
      report(join(at, name), `unsupported block type: the schema has no "${name}" block here`);
      continue;
    }
    for (const generator of asList(generators)) {
      if (!isObject(generator)) report(join(at, name), `expected a dynamic block (JSON object), got ${describe(generator)}`);
      else checkBody(generator.content ?? {}, blockType.block, COMMENT_ONLY, join(at, `${name}.content`), report);
    }
  }
}

function countBlocks(count: number, blockType: BlockType, at: string, report: Report): void {
  const single = blockType.nesting_mode === "single" || blockType.nesting_mode === "group";
  countItems(count, blockType.min_items, single ? 1 : blockType.max_items, "blocks", at, report);
}

function countItems(count: number, min: number | undefined, max: number | undefined, what: string, at: string, report: Report): void {
  if (min && count < min) report(at, `too few ${what}: ${count}, at least ${min} required`);
  // max_items 0 (or absent) means unlimited in the schema JSON.
  if (max && count > max) report(at, `too many ${what}: ${count}, at most ${max} allowed`);
}

/** A value against a type expression, with the conversions Terraform makes implicitly. */
function checkType(value: unknown, type: TypeExpression, at: string, report: Report): void {
  if (value === null || isExpression(value)) return;
  const mismatch = (expected: string) => report(at, `expected ${expected}, got ${describe(value)}`);
  if (typeof type === "string") {
    switch (type) {
      case "dynamic":
        return;
      case "string": // numbers and bools convert to strings
        if (!["string", "number", "boolean"].includes(typeof value)) mismatch("a string");
        return;
      case "number":
        if (typeof value !== "number" && !(typeof value === "string" && NUMERIC.test(value))) mismatch("a number");
        return;
      case "bool":
        if (typeof value !== "boolean" && !(typeof value === "string" && ["true", "false", "1", "0"].includes(value))) mismatch("a bool");
        return;
      default:
        return report(at, `schema has an unsupported primitive type "${type}"`);
    }
  }
  const [kind, element, optionalKeys] = type;
  if (kind === "list" || kind === "set") {
    if (!Array.isArray(value)) return mismatch(`a ${kind} (JSON array)`);
    return value.forEach((item, index) => checkType(item, element as TypeExpression, `${at}[${index}]`, report));
  }
  if (kind === "tuple") {
    const elements = element as TypeExpression[];
    if (!Array.isArray(value) || value.length !== elements.length) return mismatch(`a tuple of ${elements.length} elements`);
    return value.forEach((item, index) => checkType(item, elements[index], `${at}[${index}]`, report));
  }
  if (kind === "map") {
    if (!isObject(value)) return mismatch("a map (JSON object)");
    return Object.entries(value).forEach(([key, item]) => checkType(item, element as TypeExpression, `${at}["${key}"]`, report));
  }
  if (kind === "object") {
    if (!isObject(value)) return mismatch("an object");
    // JSON syntax has no defaults: every key of the object type must be written (null when unused).
    const keyTypes = element as Record<string, TypeExpression>;
    const optional = new Set((optionalKeys as string[] | undefined) ?? []);
    for (const [key, keyType] of Object.entries(keyTypes)) {
      if (key in value) checkType(value[key], keyType, join(at, key), report);
      else if (!optional.has(key)) report(at, `missing key "${key}": an object of this type needs all of its keys (null when unused)`);
    }
    // Terraform silently drops unknown keys here; a dropped key is almost always a typo, so report it.
    for (const key of Object.keys(value)) {
      if (!(key in keyTypes)) report(join(at, key), `unexpected key: the object type has no "${key}"`);
    }
    return;
  }
  report(at, `schema has an unsupported type ${JSON.stringify(type)}`);
}

/** What Terraform's string-to-number conversion accepts. */
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A JSON-syntax string holding an interpolation or directive (`$${` and `%%{` are escapes). */
function isExpression(value: unknown): boolean {
  return typeof value === "string" && /[$%]\{/.test(value.replace(/\$\$\{|%%\{/g, ""));
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function entries(value: unknown): [string, unknown][] {
  return isObject(value) ? Object.entries(value) : [];
}

/** JSON syntax allows an array wherever one body may appear. */
function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function join(at: string, key: string): string {
  return at ? `${at}.${key}` : key;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "an array";
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${JSON.stringify(value)}`;
}
