/**
 * The stack's Terraform state backend, resolved and checked (pure: the
 * stack adds it, stacks/state-backend.ts). `local` is a file in the project
 * folder; `pg` is Terraform's PostgreSQL backend, in one schema per cluster.
 */
import { BACKEND_FIELDS } from "./cluster-fields";
import { MAX_SCHEMA_NAME } from "./limits";
import type { StateBackendProps } from "./control-plane-ha-props";
import type { ValidationProblem } from "./validation";

/** The backend as the stack writes it. */
export type ResolvedStateBackend =
  | { readonly type: "local" }
  | {
      readonly type: "pg";
      readonly schemaName: string;
      /** Where the schema name came from, for messages. */
      readonly schemaNameFrom: "backend.schemaName" | "clusterName";
    };

export function resolveStateBackend(props: StateBackendProps | undefined, clusterName: string): ResolvedStateBackend {
  if ((props?.type ?? BACKEND_FIELDS.type.default) !== "pg") return { type: "local" };
  return props?.schemaName !== undefined
    ? { type: "pg", schemaName: props.schemaName, schemaNameFrom: "backend.schemaName" }
    : { type: "pg", schemaName: clusterName, schemaNameFrom: "clusterName" };
}


/** Every problem of the backend settings; empty when they are fine. */
export function validateStateBackend(props: StateBackendProps | undefined, clusterName: string): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const resolved = resolveStateBackend(props, clusterName);
  if (resolved.type === "local") {
    if (props?.schemaName !== undefined) {
      problems.push({ field: "backend.schemaName", value: props.schemaName, message: "applies only to `backend.type: pg`; set the type to pg, or remove schemaName" });
    }
    return problems;
  }
  const { schemaName, schemaNameFrom } = resolved;
  const origin = schemaNameFrom === "clusterName" ? `the default, from clusterName "${clusterName}"` : undefined;
  const report = (message: string) => problems.push({ field: "backend.schemaName", value: schemaName, message, ...(origin ? { origin } : {}) });
  if (!/^[A-Za-z0-9_-]+$/.test(schemaName)) report("use only letters, digits, `_` and `-` (the name appears in SQL you will type, e.g. for least-privilege grants)");
  if (schemaName.length > MAX_SCHEMA_NAME) report(`is ${schemaName.length} characters; PostgreSQL cuts names at ${MAX_SCHEMA_NAME}, so use a shorter backend.schemaName`);
  if (/^pg_/i.test(schemaName)) report("names starting with pg_ are reserved by PostgreSQL; choose another backend.schemaName");
  return problems;
}
