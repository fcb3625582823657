/**
 * The stack's state backend: local by default, PostgreSQL (`pg`) on request,
 * with the connection string only ever in PG_CONN_STR.
 */
import { parseHomelabConfig } from "../../config/load-homelab-config";
import { resolveStateBackend, validateStateBackend } from "../../domain";
import { stateBackendChangeWarning } from "../../review/render-changes";
import { renderReview } from "../../review/render-review";
import { TerraformJson } from "../../review/stack-model";
import { problemsOf } from "../support/config-problems";
import { warningsOf } from "../support/review-sections";
import { synthHomelab } from "../support/synth";


describe("the state backend in the synthesized JSON", () => {
  test("local by default: a file in the project folder, as before", () => {
    expect(synthHomelab().json.terraform.backend).toEqual({ local: { path: "../../../terraform.homelab.tfstate" } });
  });

  test("pg: only the schema, named after the cluster; no connection string anywhere in the JSON", () => {
    const { json, text } = synthHomelab({ backend: { type: "pg" }, cluster: { clusterName: "lab" } });
    expect(json.terraform.backend).toEqual({ pg: { schema_name: "lab" } });
    expect(text).not.toMatch(/conn_str|postgres(ql)?:\/\//);
  });

  test("pg with a schema of its own", () => {
    expect(synthHomelab({ backend: { type: "pg", schemaName: "homelab_state" } }).json.terraform.backend).toEqual({ pg: { schema_name: "homelab_state" } });
  });

  test("fails in the stack on a bad schema name, before anything is written", () => {
    expect(() => synthHomelab({ backend: { type: "pg", schemaName: "pg_cluster" } })).toThrow(/invalid state backend:\n {2}backend.schemaName = "pg_cluster": names starting with pg_ are reserved/);
  });
});

describe("resolving and checking the backend (pure)", () => {
  test("the schema name comes from the cluster name unless given, and says so", () => {
    expect(resolveStateBackend(undefined, "homelab")).toEqual({ type: "local" });
    expect(resolveStateBackend({ type: "pg" }, "homelab")).toEqual({ type: "pg", schemaName: "homelab", schemaNameFrom: "clusterName" });
    expect(resolveStateBackend({ type: "pg", schemaName: "s" }, "homelab")).toMatchObject({ schemaName: "s", schemaNameFrom: "backend.schemaName" });
  });

  test.each([
    [{ type: "pg" as const, schemaName: "home lab" }, /use only letters, digits, `_` and `-`/],
    [{ type: "pg" as const, schemaName: 'x"; DROP SCHEMA public; --' }, /use only letters, digits/],
    [{ type: "pg" as const, schemaName: "s".repeat(64) }, /is 64 characters; PostgreSQL cuts names at 63/],
    [{ type: "pg" as const, schemaName: "PG_x" }, /reserved by PostgreSQL/],
    [{ type: "local" as const, schemaName: "homelab" }, /applies only to `backend.type: pg`; set the type to pg, or remove schemaName/],
  ])("fails for %j", (props, message) => {
    const problems = validateStateBackend(props, "homelab");
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(message);
  });

  test("a derived schema name that is too long names where it came from", () => {
    const [problem] = validateStateBackend({ type: "pg" }, "c".repeat(70));
    expect(problem).toMatchObject({ field: "backend.schemaName", origin: `the default, from clusterName "${"c".repeat(70)}"` });
  });
});

describe("the backend in the HOMELAB_CONFIG file", () => {
  test("backend: { type: pg, schemaName } maps onto the stack props", () => {
    expect(parseHomelabConfig("f.yaml", "backend: { type: pg, schemaName: lab_state }").backend).toEqual({ type: "pg", schemaName: "lab_state" });
  });

  test("fails on an unknown backend type, listing the allowed ones", () => {
    expect(problemsOf("backend: { type: s3 }")).toMatch(/backend\.type = "s3": .*local.*pg/);
  });

  test.each([
    ["backend: { type: pg, connStr: 'postgres://tf:pw@db:5432/tfstate' }", "backend.connStr"],
    ["backend: { type: pg, conn_str: x }", "backend.conn_str"],
    ["backend: { type: pg, schemaName: 'postgresql://tf:pw@db/tfstate' }", "backend.schemaName"],
    ["backend: { type: pg, schemaName: 'host=db user=tf password=pw' }", "backend.schemaName"],
    ["PG_CONN_STR: 'postgres://tf:pw@db/tfstate'", "PG_CONN_STR"],
  ])("fails when the file holds a connection string (%s), never echoing it", (text, field) => {
    const message = problemsOf(text);
    expect(message).toContain(`${field} = "***": the PostgreSQL connection string (with its password) never goes in the file: remove it and export PG_CONN_STR`);
    expect(message).not.toContain("pw");
  });

  test("fails on a schemaName with the local backend", () => {
    expect(problemsOf("backend: { schemaName: lab }")).toMatch(/backend\.schemaName = "lab": applies only to `backend\.type: pg`/);
  });
});

describe("the review when the backend changes", () => {
  const review = (base: object, head: object) =>
    renderReview({ head: synthHomelab(head).json as TerraformJson, base: { json: synthHomelab(base).json as TerraformJson, label: "main" } });

  test("warns first that the state must be migrated before the next apply", () => {
    const warnings = warningsOf(review({}, { backend: { type: "pg" } }));
    expect(warnings[0]).toMatch(
      /^- The Terraform state moves from `local \(\.\.\/\.\.\/\.\.\/terraform\.homelab\.tfstate\)` to `pg \(schema homelab\)`\. Before the next apply, move it with `terraform init -migrate-state`.*plans to create the whole cluster again/,
    );
  });

  test("says nothing when the backend stays", () => {
    expect(review({ backend: { type: "pg" } }, { backend: { type: "pg" } })).not.toContain("The Terraform state moves");
    expect(stateBackendChangeWarning("pg (schema a)", "pg (schema b)")).toMatch(/moves from `pg \(schema a\)` to `pg \(schema b\)`/);
  });
});
