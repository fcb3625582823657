/**
 * `terraform output -json` for the operator commands (ops/adapters/terraform.ts),
 * with the fake terraform of the CLI tests: what an operator is told when
 * the state cannot be read, local and in PostgreSQL.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { terraformOutputJson } from "../../../ops/adapters/terraform";
import { NoStateError } from "../../../domain/stack-outputs";
import { writeFakeTools } from "../../support/fake-tools";

function project(backend: object): { dir: string; terraform: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-terraform-"));
  const stack = path.join(dir, "cdktf.out", "stacks", "homelab");
  fs.mkdirSync(stack, { recursive: true });
  fs.writeFileSync(path.join(stack, "cdk.tf.json"), JSON.stringify({ terraform: { backend } }));
  writeFakeTools(path.join(dir, "bin"), ["terraform"]);
  return { dir, terraform: path.join(dir, "bin", "terraform") };
}

describe("terraform output -json", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));
  const make = (backend: object) => {
    const p = project(backend);
    dirs.push(p.dir);
    return p;
  };

  test("prints the outputs when terraform can read the state", async () => {
    const { dir, terraform } = make({ local: { path: "x" } });
    fs.writeFileSync(path.join(dir, "out.json"), '{"vip": {"value": "192.0.2.10"}}');
    expect(await terraformOutputJson({ projectDir: dir, stackId: "homelab", executable: terraform, env: { FAKE_TF_OUTPUT: path.join(dir, "out.json") } })).toBe('{"vip": {"value": "192.0.2.10"}}');
  });

  test("a local backend that was never initialised: no state, deploy first", async () => {
    const { dir, terraform } = make({ local: { path: "x" } });
    await expect(terraformOutputJson({ projectDir: dir, stackId: "homelab", executable: terraform, env: {} })).rejects.toThrow(new NoStateError("no Terraform state in cdktf.out/stacks/homelab: deploy first, or give --talosconfig and --kubeconfig"));
  });

  test("a pg backend without PG_CONN_STR says so, without running terraform", async () => {
    const { dir } = make({ pg: { schema_name: "homelab" } });
    const attempt = terraformOutputJson({ projectDir: dir, stackId: "homelab", executable: path.join(dir, "no-such-terraform"), env: {} });
    await expect(attempt).rejects.toBeInstanceOf(NoStateError);
    await expect(attempt).rejects.toThrow(
      "the stack keeps its state in PostgreSQL (schema homelab) and PG_CONN_STR is not set: export it (docs/state.md), or give --talosconfig and --kubeconfig",
    );
  });

  test("a pg backend terraform cannot read: run terraform init with PG_CONN_STR set, and what terraform said", async () => {
    const { dir, terraform } = make({ pg: { schema_name: "lab" } });
    await expect(terraformOutputJson({ projectDir: dir, stackId: "homelab", executable: terraform, env: { PG_CONN_STR: "postgres://127.0.0.1:1/x" } })).rejects.toThrow(
      'the stack keeps its state in PostgreSQL (schema lab), which terraform could not read: run `terraform init` in cdktf.out/stacks/homelab with PG_CONN_STR set (terraform: Error: Backend initialization required, please run "terraform init")',
    );
  });
});
