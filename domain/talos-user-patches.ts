/**
 * The user's free-form Talos patches (`talos.patches`, `talos.controlPlanePatches`,
 * `talos.workerPatches`, a node's `patches`): read into documents, checked,
 * and rendered as the stack renders its own (one YAML document a patch). Pure.
 *
 * Each document is checked against Talos's config JSON schema of the
 * cluster's contract (the `$defs` entry of its kind; the v1alpha1 document
 * has none), and refused when it sets a field the stack owns
 * (talos-owned-paths.ts) or holds `${` or `%{`, which Terraform would
 * evaluate. The schema is compiled only when a cluster has patches.
 */
import Ajv2020, { ErrorObject, ValidateFunction } from "ajv/dist/2020";
import { Static } from "@sinclair/typebox";
import { LineCounter, isScalar, parseAllDocuments, stringify } from "yaml";
import { TalosPatchSchema } from "./cluster-fields";
import { ClusterSpec } from "./cluster-spec";
import { TalosConfigSchema, talosConfigSchema } from "./talos-config-schemas";
import { editDistance } from "./closest-names";
import { ownedPathsIn } from "./talos-owned-paths";
import { PATCH_DIRECTIVE, ownedFieldDeletedBy, patchDirectives, withoutPatchDirectives } from "./talos-patch-directives";
import { TalosRelease, talosRelease } from "./talos-versions";
import { ValidationProblem } from "./validation-problem";

/** One patch as given: a mapping (one document), or YAML text (one or more documents separated by `---`). */
export type TalosPatch = Static<typeof TalosPatchSchema>;

/** The main config document's `$defs` name; it is the one without `kind`. */
const V1ALPHA1_CONFIG = "v1alpha1.Config";

/** The documents of a patch (empty YAML documents left out), or why its text is not YAML. */
export function patchDocuments(patch: TalosPatch): { readonly documents: unknown[] } | { readonly error: string } {
  if (typeof patch !== "string") return { documents: [patch] };
  const documents: unknown[] = [];
  const lineCounter = new LineCounter();
  for (const [index, document] of parseAllDocuments(patch, { prettyErrors: false, uniqueKeys: true, lineCounter }).entries()) {
    const [error] = document.errors;
    if (error) {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { error: `document ${index + 1} is not valid YAML at line ${line}, column ${col}: ${error.message}` };
    }
    // An empty document (nothing between two `---`) is no patch.
    const empty = document.contents === null || (isScalar(document.contents) && document.contents.value === null && !document.contents.source);
    if (!empty) documents.push(document.toJS());
  }
  return documents.length > 0 ? { documents } : { error: "holds no YAML document" };
}

/**
 * The patches as the talos provider takes them: one YAML document each, in
 * the order given (a text patch's documents in their order). The patches
 * must have passed {@link talosPatchProblems}.
 */
export function renderUserPatches(patches: readonly TalosPatch[] | undefined): string[] {
  return (patches ?? []).flatMap((patch) => {
    const read = patchDocuments(patch);
    if ("error" in read) throw new Error(`a Talos patch that was not validated: ${read.error}`);
    // The same form as the stack's own patches (talos-patches.ts): no line folding, no YAML anchors.
    return read.documents.map((document) => stringify(document, { lineWidth: 0, aliasDuplicateObjects: false }));
  });
}

/** Every patch of the cluster with the prop field that holds it (`workerPatches[1]`, `controlPlanes[0].patches[2]`). */
export function patchesOf(spec: ClusterSpec): { readonly field: string; readonly patch: TalosPatch }[] {
  const list = (field: string, patches: readonly TalosPatch[] | undefined) => (patches ?? []).map((patch, index) => ({ field: `${field}[${index}]`, patch }));
  return [
    ...list("talosPatches", spec.talosPatches),
    ...list("controlPlanePatches", spec.controlPlanePatches),
    ...list("workerPatches", spec.workerPatches),
    ...spec.nodes.flatMap((node, index) => list(`controlPlanes[${index}].patches`, node.patches)),
    ...spec.workers.flatMap((node, index) => list(`workers[${index}].patches`, node.patches)),
  ];
}

/** Where a text patch came from when it is not the field itself (the file a config file named), by the patch's prop field. */
export type PatchSource = (field: string) => string | undefined;

const TERRAFORM_TEMPLATE = /[$%]\{/;

/**
 * Every problem of the cluster's patches: YAML that does not parse, a
 * document that is no mapping, an unknown kind, a field the stack owns,
 * `${` or `%{`, and whatever Talos's schema of the contract refuses (unknown
 * fields, wrong types, values out of their set). Each names the patch's
 * field, where it came from (`sourceOf`), the document (1 for the first) and
 * the path inside it.
 */
export function talosPatchProblems(spec: ClusterSpec, sourceOf: PatchSource = () => undefined): ValidationProblem[] {
  const patches = patchesOf(spec);
  if (patches.length === 0) return [];
  const release = talosRelease(spec.configContract);
  const problems: ValidationProblem[] = [];
  for (const { field, patch } of patches) {
    const source = sourceOf(field);
    const read = patchDocuments(patch);
    if ("error" in read) {
      problems.push({ field, value: source ?? patch, message: `${source ?? "the YAML text"}: ${read.error}; a patch is one Talos config document, or several separated by ---` });
      continue;
    }
    read.documents.forEach((document, index) => {
      const origin = (path: string) => [source, `document ${index + 1}`, ...(path ? [`at ${path}`] : [])].filter(Boolean).join(", ");
      const report = (path: string, value: unknown, message: string) => problems.push({ field, value: shown(value), origin: origin(path), message });
      documentProblems(document, release, report);
    });
  }
  return problems;
}

type Report = (path: string, value: unknown, message: string) => void;

function documentProblems(document: unknown, release: TalosRelease | undefined, report: Report): void {
  if (document === null || typeof document !== "object" || Array.isArray(document)) {
    report("", document, "a patch document is a mapping of Talos config fields (the v1alpha1 document, or one with apiVersion and kind)");
    return;
  }
  forEachString(document, "", (path, text, isKey) => {
    if (TERRAFORM_TEMPLATE.test(text)) {
      report(path, text, `${isKey ? "a key that contains" : "contains"} "\${" or "%{", which Terraform would evaluate as an expression; Talos patches take plain text, remove it`);
    }
  });
  const kind = (document as Record<string, unknown>).kind;
  const documentKind = kind === undefined ? "v1alpha1" : String(kind);
  for (const directive of patchDirectives(document)) {
    const at = directive.path ? `${directive.path}.${PATCH_DIRECTIVE}` : PATCH_DIRECTIVE;
    if (directive.value !== "delete") {
      report(at, directive.value, "Talos's patches know one directive, `$patch: delete` (it deletes the mapping it stands in)");
      continue;
    }
    const owned = ownedFieldDeletedBy(documentKind, directive.path);
    if (owned) report(at, "delete", `deletes ${owned.path ? `${owned.path}, a field` : `the ${documentKind} document, which holds fields`} the stack sets: ${owned.instead}`);
  }
  const owned = ownedPathsIn(documentKind, document);
  for (const hit of owned) {
    report(hit.path, hit.owned.secret ? "(a secret, not shown)" : hit.value, `${hit.path ? "a field" : `a ${documentKind} document`} the stack sets: ${hit.owned.instead}`);
  }
  if (owned.some((hit) => hit.path === "") || !release) return; // a whole document owned, or no contract to check against (reported as the contract's problem)

  const schema = compiledSchema(release);
  const definition = kind === undefined ? V1ALPHA1_CONFIG : schema.kinds.get(String(kind));
  if (definition === undefined) {
    report("kind", kind, `not a document kind of Talos ${release.minor} (contract v${release.minor}); its kinds: ${[...schema.kinds.keys()].sort().join(", ")}`);
    return;
  }
  const validate = schema.validator(definition);
  if (validate(withoutPatchDirectives(document))) return;
  const ownedPaths = owned.map((hit) => hit.path);
  const errors = validate.errors ?? [];
  const seen = new Set<string>();
  for (const error of errors) {
    // anyOf/oneOf failures repeat what their branches said, when they said anything.
    if ((error.keyword === "anyOf" || error.keyword === "oneOf") && errors.some((other) => other !== error && other.instancePath.startsWith(error.instancePath))) continue;
    const { path, message, value } = describeSchemaError(error, release);
    if (ownedPaths.some((ownedPath) => path === ownedPath || path.startsWith(`${ownedPath}.`) || path.startsWith(`${ownedPath}[`))) continue;
    if (seen.has(`${path}\n${message}`)) continue;
    seen.add(`${path}\n${message}`);
    report(path, value, message);
  }
}

/** Calls `visit` with every string of a document, keys included, and its path. */
function forEachString(node: unknown, path: string, visit: (path: string, text: string, isKey: boolean) => void): void {
  if (typeof node === "string") visit(path, node, false);
  else if (Array.isArray(node)) node.forEach((item, index) => forEachString(item, `${path}[${index}]`, visit));
  else if (node !== null && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      visit(at, key, true);
      forEachString(value, at, visit);
    }
  }
}

interface CompiledSchema {
  /** The `$defs` name of each document kind. */
  readonly kinds: ReadonlyMap<string, string>;
  readonly validator: (definition: string) => ValidateFunction;
}

const compiled = new Map<string, CompiledSchema>();

/** The release's schema, loaded and compiled on first use (only clusters with patches get here). */
function compiledSchema(release: TalosRelease): CompiledSchema {
  const cached = compiled.get(release.schemaVersion);
  if (cached) return cached;
  const schema = talosConfigSchema(release.schemaVersion);
  if (!schema) throw new Error(`no Talos config schema for ${release.schemaVersion} in .gen/talos-config-schemas; run npm run generate`);
  // Talos marks one URL field `format: uri`; check it rather than let ajv warn that it ignores the format.
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: false, formats: { uri: (text: string) => URL.canParse(text) } });
  ajv.addSchema(schema as object);
  const validators = new Map<string, ValidateFunction>();
  const result: CompiledSchema = {
    kinds: kindsOf(schema),
    validator: (definition) => {
      let validate = validators.get(definition);
      if (!validate) {
        validate = ajv.getSchema(`${schema.$id}#/$defs/${definition}`)!;
        validators.set(definition, validate);
      }
      return validate;
    },
  };
  compiled.set(release.schemaVersion, result);
  return result;
}

function kindsOf(schema: TalosConfigSchema): Map<string, string> {
  const kinds = new Map<string, string>();
  for (const { $ref } of schema.oneOf) {
    const name = decodeURIComponent($ref.replace(/^#\/\$defs\//, ""));
    const kind = schema.$defs[name]?.properties?.kind?.enum?.[0];
    if (typeof kind === "string") kinds.set(kind, name);
  }
  return kinds;
}

/** `machine.network.interfaces[0].vip` of ajv's `/machine/network/interfaces/0/vip`. */
function dottedPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

/** The path, the value (ajv's `data`, as it runs verbose) and the reason of one schema error. */
function describeSchemaError(error: ErrorObject, release: TalosRelease): { readonly path: string; readonly message: string; readonly value: unknown } {
  const path = dottedPath(error.instancePath);
  const value: unknown = error.data;
  const talos = `Talos ${release.minor}`;
  switch (error.keyword) {
    case "additionalProperties": {
      const unknown = String(error.params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const suggestion = known.find((name) => editDistance(name.toLowerCase(), unknown.toLowerCase()) <= 2);
      const hint = suggestion ? `; did you mean ${suggestion}?` : known.length > 0 && known.length <= 15 ? ` (known here: ${known.join(", ")})` : "";
      const given = (error.data as Record<string, unknown> | undefined)?.[unknown];
      return { path: path ? `${path}.${unknown}` : unknown, value: given, message: `unknown field: ${talos}'s config schema has no such field here${hint}` };
    }
    case "type":
      return { path, value, message: `wrong type: ${talos}'s config schema wants ${String(error.params.type).split(",").map(typeName).join(" or ")} here` };
    case "enum":
      return { path, value, message: `must be one of ${(error.params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(", ")} (${talos}'s config schema)` };
    case "required":
      return { path: path ? `${path}.${error.params.missingProperty}` : String(error.params.missingProperty), value: undefined, message: `missing; ${talos}'s config schema requires it` };
    default:
      return { path, value, message: `${error.message ?? "invalid"} (${talos}'s config schema)` };
  }
}

function typeName(type: string): string {
  return ({ object: "a mapping", array: "a list", string: "text", integer: "a whole number", number: "a number", boolean: "true or false", null: "null" } as Record<string, string>)[type] ?? type;
}

/** A value as a problem shows it: scalars as they are, a mapping or list by what it is. */
function shown(value: unknown): unknown {
  if (Array.isArray(value)) return `(a list of ${value.length})`;
  if (value !== null && typeof value === "object") return "(a mapping)";
  return value;
}
