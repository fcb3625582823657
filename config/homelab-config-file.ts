/**
 * The HOMELAB_CONFIG file: its nested layout, derived from the one definition
 * of the fields (`domain/cluster-fields.ts`, each with its `file` path),
 * as a JSON Schema (checked with ajv) and as the mapping onto the stack's
 * props, both ways. Every field is optional; a missing one takes the
 * reference homelab's value.
 */
import { KindGuard, TSchema, Type } from "@sinclair/typebox";
import { BACKEND_FIELDS, CLUSTER_FIELDS, CONNECTION_FIELDS, ControlPlaneHaProps, FieldDoc, NodeFieldDoc } from "../domain";
import { HomelabStackProps } from "../domain";

type Fields = Readonly<Record<string, TSchema>>;

/** Keywords of ours on the field schemas; ajv is told they are annotations. */
export const FIELD_KEYWORDS = ["file", "defaultText", "inherits", "fileKey"] as const;

/** The file's sections: a field at `network.bridge` goes under a `network` object. */
function nest(fields: Fields): TSchema {
  const root: Record<string, unknown> = {};
  for (const schema of Object.values(fields)) {
    const path = (schema as TSchema & FieldDoc).file.split(".");
    let node = root;
    for (const section of path.slice(0, -1)) node = (node[section] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]] = asFileNodes(schema);
  }
  const toSchema = (node: Record<string, unknown>): TSchema =>
    Type.Object(
      Object.fromEntries(Object.entries(node).map(([key, value]) => [key, Type.Optional(isSchema(value) ? value : toSchema(value as Record<string, unknown>))])),
      { additionalProperties: false },
    );
  return toSchema(root);
}

/** The node fields of a list of nodes, by prop key. */
function nodeFieldsOf(schema: TSchema): Record<string, TSchema & NodeFieldDoc> | undefined {
  return schema.type === "array" && schema.items?.type === "object" ? (schema.items.properties as Record<string, TSchema & NodeFieldDoc>) : undefined;
}

/** A node field's key in the file. */
function fileKeyOf(key: string, field: NodeFieldDoc | undefined): string {
  return field?.fileKey ?? key;
}

/** A list of nodes as the file writes it: each node field under its file key (`diskGib`, not `diskSizeGib`). */
function asFileNodes(schema: TSchema): TSchema {
  const fields = nodeFieldsOf(schema);
  if (!fields) return schema;
  const rename = (key: string) => fileKeyOf(key, fields[key]);
  const items = schema.items as TSchema;
  return {
    ...schema,
    items: {
      ...items,
      properties: Object.fromEntries(Object.entries(fields).map(([key, field]) => [rename(key), field])),
      ...(Array.isArray(items.required) ? { required: (items.required as string[]).map(rename) } : {}),
    },
  };
}

/** The nodes of a file's list under their prop keys. */
function fromFileNodes(schema: TSchema, value: unknown): unknown {
  const fields = nodeFieldsOf(schema);
  if (!fields || !Array.isArray(value)) return value;
  const propKeyOf = new Map(Object.entries(fields).map(([key, field]) => [fileKeyOf(key, field), key]));
  return value.map((node) =>
    node !== null && typeof node === "object" ? Object.fromEntries(Object.entries(node).map(([key, item]) => [propKeyOf.get(key) ?? key, item])) : node,
  );
}

/** A field's schema (TypeBox marks each with its Kind), not a section of the file: a section may hold a field named `type`. */
const isSchema = (value: unknown): value is TSchema => KindGuard.IsKind(value);

/** JSON Schema of the file: types, known fields and required node fields; the rules live in domain/validation.ts. */
export const HOMELAB_CONFIG_SCHEMA = nest({ ...CLUSTER_FIELDS, ...CONNECTION_FIELDS, ...prefixed("backend", BACKEND_FIELDS) });

/** Fields whose prop names repeat another group's (`type`), keyed apart for the file schema; their `file` paths stay as defined. */
function prefixed(group: string, fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).map(([key, schema]) => [`${group}.${key}`, schema]));
}

/** What a parsed, shape-checked file holds. */
export type HomelabConfigFile = Record<string, unknown>;

function valueAt(document: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], document);
}

/** Maps the file's nested layout onto the construct's flat props and the stack's connection props. */
export function toStackProps(file: HomelabConfigFile): HomelabStackProps {
  const pick = (fields: Fields) =>
    Object.fromEntries(
      Object.entries(fields)
        .map(([prop, schema]) => [prop, fromFileNodes(schema, valueAt(file, (schema as TSchema & FieldDoc).file))])
        .filter(([, value]) => value !== undefined),
    );
  return { cluster: pick(CLUSTER_FIELDS) as ControlPlaneHaProps, proxmox: pick(CONNECTION_FIELDS), backend: pick(BACKEND_FIELDS) };
}

/**
 * Where a construct prop lives in the file, so problems name the field the
 * operator wrote (`diskSizeGib` -> `vm.diskGib`). A per-node value the node
 * does not set is named after the cluster-wide field it falls back to.
 */
export function fileFieldOf(propField: string, file: HomelabConfigFile): string {
  const node = /^(controlPlanes|workers)\[(\d+)\]\.(\w+)$/.exec(propField);
  if (node) {
    const [, list, index, key] = node;
    // The list's own node fields: a worker falls back to `workerVm`, a control plane to `vm`.
    const nodeFields = (CLUSTER_FIELDS[list as "controlPlanes" | "workers"].items as TSchema).properties as Record<string, TSchema & NodeFieldDoc>;
    const inherits = nodeFields[key]?.inherits;
    const fileKey = fileKeyOf(key, nodeFields[key]);
    const given = (valueAt(file, CLUSTER_FIELDS[list as "controlPlanes" | "workers"].file) as Record<string, unknown>[] | undefined)?.[Number(index)]?.[fileKey];
    return given === undefined && inherits ? fileFieldOf(inherits, file) : `${list}[${index}].${fileKey}`;
  }
  const [, head, rest] = /^([A-Za-z]+)(.*)$/.exec(propField) ?? [undefined, propField, ""];
  const schema = CLUSTER_FIELDS[head as keyof typeof CLUSTER_FIELDS] as (TSchema & FieldDoc) | undefined;
  return schema ? `${schema.file}${rest}` : propField;
}
