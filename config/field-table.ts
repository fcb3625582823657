/**
 * The table of HOMELAB_CONFIG fields in docs/configuration.md, rendered from
 * the one definition of the fields (`domain/cluster-fields.ts`). `npm run docs`
 * writes it into that page; a test fails when the page's copy is stale.
 */
import { KindGuard, TSchema } from "@sinclair/typebox";
import { BACKEND_FIELDS, CLUSTER_FIELDS, CONNECTION_FIELDS, FieldDoc, NodeFieldDoc } from "../domain";

/** The lines of docs/configuration.md between these markers are generated. */
export const FIELD_TABLE_MARKERS = { start: "<!-- fields:start (npm run docs) -->", end: "<!-- fields:end -->" } as const;

type Documented = TSchema & Partial<FieldDoc> & Partial<NodeFieldDoc>;

export function renderFieldTable(): string {
  const rows: string[][] = [];
  for (const schema of Object.values(CLUSTER_FIELDS) as Documented[]) {
    rows.push([code(schema.file!), typeOf(schema), defaultOf(schema), schema.description ?? ""]);
    // A list of nodes (controlPlanes, workers): one row per node field, named after the cluster field it falls back to.
    if (schema.type === "array" && schema.items?.type === "object") {
      for (const [key, node] of Object.entries(schema.items.properties as Record<string, Documented>)) {
        const inherited = node.inherits ? (CLUSTER_FIELDS[node.inherits as keyof typeof CLUSTER_FIELDS] as Documented).file : undefined;
        const required = !KindGuard.IsOptional(node);
        rows.push([code(`${schema.file}[].${node.fileKey ?? key}`), typeOf(node), required ? "required" : inherited ? code(inherited) : (node.defaultText ?? ""), node.description ?? ""]);
      }
    }
  }
  for (const schema of [...Object.values(CONNECTION_FIELDS), ...Object.values(BACKEND_FIELDS)] as Documented[]) {
    rows.push([code(schema.file!), typeOf(schema), defaultOf(schema), schema.description ?? ""]);
  }
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  return [
    "| Field | Type | Default | What it is |",
    "| --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row.map(escape).join(" | ")} |`),
  ].join("\n");
}

function typeOf(schema: TSchema): string {
  // One of several forms (a Talos patch: a mapping or a file path).
  if (Array.isArray(schema.anyOf)) return schema.anyOf.map(typeOf).join(" or ");
  if (Array.isArray(schema.enum)) return schema.enum.map((value: unknown) => code(String(value))).join(" or ");
  switch (schema.type) {
    case "string":
      return "text";
    case "integer":
      return "whole number";
    case "boolean":
      return "true or false";
    case "array":
      if (schema.items?.type !== "object") return `list of ${typeOf(schema.items).replace(/^text$/, "texts")}`;
      // A list of nodes has their names; any other list of objects says its keys (`?`: optional).
      if (schema.items.properties?.name) return "list of nodes";
      return `list of \`{ ${Object.entries(schema.items.properties as Record<string, TSchema>).map(([key, item]) => `${key}${KindGuard.IsOptional(item) ? "?" : ""}`).join(", ")} }\``;
    case "object":
      // A map (labels, registry mirrors): TypeBox writes the values' schema under patternProperties.
      if (schema.patternProperties) return `map of text to ${Object.values(schema.patternProperties as Record<string, TSchema>).map(typeOf).join(" or ").replace(/^text$/, "text")}`;
      return "mapping";
    default:
      return String(schema.type);
  }
}

function defaultOf(schema: Documented): string {
  if (schema.default === undefined) return schema.defaultText ?? "";
  if (Array.isArray(schema.default) && schema.default.length > 0 && schema.default.every((item) => typeof item === "object")) {
    return (schema.default as { name: string; ip: string }[]).map((node) => `${node.name} (${node.ip})`).join(", ");
  }
  if (schema.default !== null && typeof schema.default === "object" && !Array.isArray(schema.default)) return code(JSON.stringify(schema.default));
  return code(Array.isArray(schema.default) ? `[${schema.default.join(", ")}]` : String(schema.default));
}

function code(text: string): string {
  return `\`${text}\``;
}

/** The page's text with its field table replaced by the current rendering. */
export function withFieldTable(page: string): string {
  const { start, end } = FIELD_TABLE_MARKERS;
  const from = page.indexOf(start);
  const to = page.indexOf(end);
  if (from < 0 || to < from) throw new Error(`docs/configuration.md has no ${start} ... ${end} section for the field table`);
  return `${page.slice(0, from + start.length)}\n${renderFieldTable()}\n${page.slice(to)}`;
}
