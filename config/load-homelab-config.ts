/**
 * Reads the HOMELAB_CONFIG file (JSON or YAML), checks its shape and its
 * rules, and returns the stack props. Every problem is reported at once, with
 * the file, the field, the value and the fix; nothing has been synthesized
 * by then.
 */
import * as fs from "node:fs";
import Ajv, { ErrorObject } from "ajv";
import { Document, isPair, isScalar, isSeq, parseDocument as parseYamlDocument, visit, YAMLParseError } from "yaml";
import { formatProblem, resolveClusterSpec, validateClusterSpec, validateProxmoxEndpoint, validateStateBackend, ValidationProblem } from "../domain";
import { HomelabStackProps } from "../domain";
import { FIELD_KEYWORDS, fileFieldOf, HOMELAB_CONFIG_SCHEMA, HomelabConfigFile, toStackProps } from "./homelab-config-file";
import { findSecrets } from "./find-secrets";

/** A configuration file that cannot be used; `message` lists every problem. */
export class HomelabConfigError extends Error {
  constructor(
    public readonly file: string,
    public readonly problems: readonly string[],
  ) {
    super(`HOMELAB_CONFIG ${file} is not usable:\n  ${problems.join("\n  ")}`);
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
    throw new HomelabConfigError(file, [`cannot read the file (${(error as NodeJS.ErrnoException).code ?? error}); check the path in HOMELAB_CONFIG`]);
  }
  return parseHomelabConfig(file, text);
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
    throw new HomelabConfigError(file, (validateShape.errors ?? []).map((error) => describeSchemaError(error, document)));
  }

  const props = toStackProps(document);
  const spec = resolveClusterSpec(props.cluster);
  const problems: ValidationProblem[] = [
    ...validateClusterSpec(spec).map((problem) => ({ ...problem, field: fileFieldOf(problem.field, document) })),
    ...(props.proxmox?.endpoint !== undefined ? validateProxmoxEndpoint("proxmox.endpoint", props.proxmox.endpoint) : []),
    ...validateStateBackend(props.backend, spec.clusterName),
  ];
  if (problems.length > 0) {
    throw new HomelabConfigError(file, [...new Set(problems.map(formatProblem))]);
  }
  return props;
}

function parseDocument(file: string, text: string): unknown {
  // YAML 1.2 is a superset of JSON, so one parser reads both.
  const document = parseYamlDocument(text, { prettyErrors: true, uniqueKeys: true });
  const [error] = document.errors;
  if (error) {
    const detail = error instanceof YAMLParseError ? error.message.split("\n")[0] : String(error);
    throw new HomelabConfigError(file, [`does not parse as YAML or JSON: ${detail}`]);
  }
  const unclear = numbersNotInDecimal(document);
  if (unclear.length > 0) throw new HomelabConfigError(file, unclear.map(formatProblem));
  return document.toJS() ?? {};
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

function describeSchemaError(error: ErrorObject, document: unknown): string {
  const field = error.instancePath.slice(1).replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".") || "(top level)";
  const value = valueAt(document, error.instancePath);
  switch (error.keyword) {
    case "additionalProperties": {
      const unknown = String(error.params.additionalProperty);
      const known = Object.keys(schemaAt(error.schemaPath) ?? {});
      const suggestion = closest(unknown, known);
      const where = field === "(top level)" ? unknown : `${field}.${unknown}`;
      return `${where}: unknown field${suggestion ? `; did you mean ${suggestion}?` : ""} (known here: ${known.join(", ")})`;
    }
    case "required":
      return `${field === "(top level)" ? "" : `${field}.`}${error.params.missingProperty}: missing; it is required`;
    case "type":
      return `${field} = ${JSON.stringify(value)}: must be ${article(String(error.params.type))}`;
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

/** The known name within edit distance 2 of a misspelt one. */
function closest(name: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
