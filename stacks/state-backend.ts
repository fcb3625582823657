/**
 * The stack's Terraform state backend: `local` (a file in the project
 * folder, the default) or `pg` (Terraform's PostgreSQL backend: shared
 * state with locking). The connection string never appears in the
 * configuration or in the synthesized JSON: Terraform's pg backend reads
 * PG_CONN_STR itself, so the JSON holds only `schema_name`.
 */
import { LocalBackend, PgBackend, PgBackendConfig, TerraformStack } from "cdktf";
import { ResolvedStateBackend, localStateFileOf } from "../domain";

/**
 * Adds the backend to the stack. The local state file sits in the project
 * folder (outside cdktf.out, which every synth replaces), at a relative path
 * so the JSON is the same on every machine.
 */
export function addStateBackend(stack: TerraformStack, stackId: string, backend: ResolvedStateBackend): void {
  if (backend.type === "local") {
    // Relative to cdktf.out/stacks/<id>, where Terraform runs: <project>/terraform.<id>.tfstate.
    new LocalBackend(stack, { path: `../../../${localStateFileOf(stackId)}` });
    return;
  }
  // cdktf's type makes connStr required; left out, Terraform reads PG_CONN_STR
  // (an empty string would too, but would put `"conn_str": ""` in the JSON).
  new PgBackend(stack, { schemaName: backend.schemaName } as PgBackendConfig);
}
