/**
 * Reads the HOMELAB_CONFIG file (JSON or YAML), checks its shape and its
 * rules, and returns the stack props. Every problem is reported at once, with
 * the file, the field as the file names it, the value (credentials masked)
 * and the fix; nothing has been synthesized by then.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { ErrorObject } from "ajv";
import { Document, isPair, isScalar, isSeq, LineCounter, parseDocument as parseYamlDocument, visit } from "yaml";
import { formatProblem, problemFormatter, resolveClusterSpec, validateClusterSpec, validateProxmoxEndpoint, validateStateBackend } from "../domain";
import { HomelabStackProps, ValidationProblem } from "../domain";
import { maskUrlCredentials } from "../domain/url-credentials";
import { nearestWithin } from "../domain/closest-names";
import { FIELD_KEYWORDS, fileFieldOf, HOMELAB_CONFIG_SCHEMA, HomelabConfigFile, toStackProps } from "./homelab-config-file";
import { findSecrets } from "./find-secrets";
import { withTalosPatchFiles } from "./talos-patch-files";
import { withCniManifestFiles } from "./cni-manifest-files";
import { capRepeated } from "./repeated-problems";
import { describeYamlError } from "./yaml-errors";

/**
 * A configuration file that cannot be used; `message` lists every problem.
 * `problems` are the lines as printed: credentials masked, each line once, and
 * at most ten of one kind, then "and N more like it".
 */
export class HomelabConfigError extends Error {
  public readonly problems: readonly string[];

  constructor(
    public readonly file: string,
    problems: readonly string[],
  ) {
    const printed = capRepeated([...new Set(problems.map(maskUrlCredentials))]);
    super(`HOMELAB_CONFIG ${file} is not usable:\n  ${printed.map((problem) => problem.replace(/\n/g, "\n  ")).join("\n  ")}`);
    this.problems = printed;
    this.name = "HomelabConfigError";
  }
}

export function loadHomelabConfig(file: string): HomelabStackProps {
  if (file.trim() === "") {
    // An empty variable is a mistake (a typo in a script, an unset CI secret), not a request for the reference homelab.
    throw new HomelabConfigError('""', ["HOMELAB_CONFIG is set but empty; name a YAML or JSON file, or unset it (`unset HOMELAB_CONFIG`) for the reference homelab"]);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new HomelabConfigError(file, [unreadable(file, error as NodeJS.ErrnoException)]);
  }
  return parseHomelabConfig(file, text);
}

/** Why the file cannot be read, with the path as given and as resolved. */
function unreadable(file: string, error: NodeJS.ErrnoException): string {
  const absolute = path.resolve(file);
  const where = path.isAbsolute(file) ? absolute : `${file} resolves to ${absolute}`;
  const head = `cannot read the file (${error.code ?? error.message})`;
  switch (error.code) {
    case "ENOENT": {
      if (path.isAbsolute(file)) return `${head}: ${absolute} does not exist; check the path in HOMELAB_CONFIG`;
      // npm runs scripts in the project folder, whatever folder it was started in.
      const started = process.env.INIT_CWD !== undefined && path.resolve(process.env.INIT_CWD) !== process.cwd() ? `, not ${path.resolve(process.env.INIT_CWD)} where npm was started` : "";
      return `${head}: ${where}, which does not exist; a relative path is read from ${process.cwd()}${started}, so check the path or give an absolute one`;
    }
    case "EACCES":
    case "EPERM":
      return `${head}: ${where}, which this user may not read; check its permissions`;
    case "EISDIR":
      return `${head}: ${where}, which is a folder; name a YAML or JSON file`;
    default:
      return `${head}: ${where}: ${error.message}`;
  }
}

/** The pure part of {@link loadHomelabConfig}: text in, props or an error out. */
export function parseHomelabConfig(file: string, text: string): HomelabStackProps {
  const document = parseDocument(file, text);

  // Tokens and passwords have no place in a file that may be committed: refuse before anything else.
  const secrets = findSecrets(document);
  if (secrets.length > 0) throw new HomelabConfigError(file, secrets.map(formatProblem));

  const ajv = new Ajv({ allErrors: true, strict: true });
  // The field definitions carry annotations of their own (file path, default in words).
  ajv.addVocabulary([...FIELD_KEYWORDS]);
  const validateShape = ajv.compile<HomelabConfigFile>(HOMELAB_CONFIG_SCHEMA);
  if (!validateShape(document)) {
    throw new HomelabConfigError(file, withoutAnyOfBranches(validateShape.errors ?? []).map((error) => describeSchemaError(error, document)));
  }

  // talos.cniManifests names files: the props carry their text.
  const read = withCniManifestFiles(file, toStackProps(document));
  if ("problems" in read) throw new HomelabConfigError(file, read.problems);
  const { props } = read;
  // Talos patches given as paths: the props carry the files' YAML, the messages name the files.
  const patchFiles = withTalosPatchFiles(file, props);
  if ("problems" in patchFiles) throw new HomelabConfigError(file, patchFiles.problems);
  const spec = resolveClusterSpec(patchFiles.props.cluster);
  // The rules speak of the props (`networkCidr`); the file's reader gets the file's names (`network.cidr`), in the text too.
  const asInFile = problemFormatter((field) => fileFieldOf(field, document));
  const problems = [
    ...validateClusterSpec(spec, { patchSource: patchFiles.patchSource }).map(asInFile),
    ...(props.proxmox?.endpoint !== undefined ? validateProxmoxEndpoint("proxmox.endpoint", props.proxmox.endpoint) : []).map(formatProblem),
    ...validateStateBackend(props.backend, spec.clusterName).map(formatProblem),
  ];
  if (problems.length > 0) throw new HomelabConfigError(file, problems);
  return patchFiles.props;
}

/** What to do with a file that sets nothing. */
const NO_SETTINGS =
  "the file has no settings (it is empty or holds only comments); for the reference homelab, unset HOMELAB_CONFIG (`unset HOMELAB_CONFIG`); " +
  "otherwise write the fields that differ from it, e.g. `clusterName: lab` (every field: docs/configuration.md), or `{}` to take every default";

function parseDocument(file: string, text: string): unknown {
  // YAML 1.2 is a superset of JSON, so one parser reads both.
  const lineCounter = new LineCounter();
  const document = parseYamlDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const [error, ...more] = document.errors;
  // The first error only: the ones after it usually follow from it.
  if (error) throw new HomelabConfigError(file, [describeYamlError(error, text, lineCounter, more.length)]);
  // Nothing but comments (or nothing at all) is a slip, not a request for the reference homelab: that is HOMELAB_CONFIG unset.
  if (document.contents === null || (isScalar(document.contents) && document.contents.value === null)) throw new HomelabConfigError(file, [NO_SETTINGS]);
  const unclear = numbersNotInDecimal(document);
  if (unclear.length > 0) throw new HomelabConfigError(file, unclear.map(formatProblem));
  return document.toJS();
}

/**
 * YAML reads `0x100` as 256, `0o17` as 15 and `1e3` as 1000; a VM id or a size
 * written that way is almost always a slip, so only plain decimal is taken.
 */
function numbersNotInDecimal(document: Document): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  visit(document, {
    Scalar(_key, node, ancestors) {
      if (typeof node.value !== "number" || /^-?(0|[1-9]\d*)(\.\d+)?$/.test(node.source ?? String(node.value))) return;
      problems.push({
        field: fieldPathOf(ancestors, node),
        value: node.source,
        message: `YAML reads this as ${node.value}; write numbers in plain decimal${Number.isInteger(node.value) ? ` (${node.value})` : ""}, or quote it if it is text`,
      });
    },
  });
  return problems;
}

/** `controlPlanes[1].vmId` for a node reached through these YAML ancestors. */
function fieldPathOf(ancestors: readonly unknown[], node: unknown): string {
  const chain = [...ancestors, node];
  let field = "";
  chain.forEach((item, index) => {
    const child = chain[index + 1];
    if (isSeq(item) && child !== undefined) field += `[${item.items.indexOf(child as never)}]`;
    if (isPair(item) && child === item.value) {
      const key = String(isScalar(item.key) ? item.key.value : item.key);
      field += field ? `.${key}` : key;
    }
  });
  return field || "(top level)";
}

/**
 * A value that fits none of a field's forms (a Talos patch: a mapping or a
 * path) fails each branch and the `anyOf`: one problem is enough, the
 * `anyOf` itself, listing the types of the branches.
 */
function withoutAnyOfBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((error) => error.keyword === "anyOf");
  const branchOf = (error: ErrorObject) => anyOfs.find((anyOf) => anyOf !== error && error.instancePath === anyOf.instancePath && error.schemaPath.startsWith(`${anyOf.schemaPath}/`));
  return errors
    .filter((error) => !branchOf(error))
    .map((error) => {
      if (error.keyword !== "anyOf") return error;
      const types = errors.filter((branch) => branch.keyword === "type" && branchOf(branch) === error).map((branch) => String(branch.params.type));
      return types.length > 0 ? { ...error, keyword: "type", params: { type: types.join(",") } } : error;
    });
}

function describeSchemaError(error: ErrorObject, document: unknown): string {
  const field = error.instancePath.slice(1).replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".") || "(top level)";
  const value = valueAt(document, error.instancePath);
  switch (error.keyword) {
    case "additionalProperties": {
      const unknown = String(error.params.additionalProperty);
      const known = Object.keys(schemaAt(error.schemaPath) ?? {});
      const suggestion = nearestWithin(unknown, known, 2);
      const where = field === "(top level)" ? unknown : `${field}.${unknown}`;
      return `${where}: unknown field${suggestion ? `; did you mean ${suggestion}?` : ""} (known here: ${known.join(", ")})`;
    }
    case "required":
      return `${field === "(top level)" ? "" : `${field}.`}${error.params.missingProperty}: missing; it is required`;
    case "type":
      return `${field} = ${JSON.stringify(value)}: must be ${String(error.params.type).split(",").map(article).join(" or ")}`;
    case "enum":
      return `${field} = ${JSON.stringify(value)}: must be one of ${(error.params.allowedValues as unknown[]).join(", ")}`;
    default:
      return `${field} = ${JSON.stringify(value)}: ${error.message}`;
  }
}

function article(type: string): string {
  return { integer: "a whole number", string: "a string", boolean: "true or false", array: "a list", object: "a mapping" }[type] ?? type;
}

function valueAt(document: unknown, pointer: string): unknown {
  return pointer
    .split("/")
    .slice(1)
    .reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined), document);
}

/** The `properties` of the schema node an additionalProperties error points at. */
function schemaAt(schemaPath: string): Record<string, unknown> | undefined {
  const parts = schemaPath.replace(/^#\//, "").split("/").slice(0, -1);
  const node = parts.reduce<unknown>((current, key) => (current as Record<string, unknown>)?.[key], HOMELAB_CONFIG_SCHEMA);
  return (node as { properties?: Record<string, unknown> })?.properties;
}

