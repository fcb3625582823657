/**
 * The GitHub Actions workflow passes actionlint (the real linter, compiled to
 * WebAssembly and installed from npm, so no network at test time), pins every
 * action by commit, and asks for no more permissions than it needs.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../support/project-root";

const root = PROJECT_ROOT;
const ACTIONLINT = path.join(root, "node_modules", "@tktco", "node-actionlint", "bin", "node-actionlint.js");
const WORKFLOW = path.join(root, ".github", "workflows", "pr.yml");

/** Runs actionlint on .github/workflows/ below `dir`. */
function actionlint(dir: string): Promise<{ status: number; stdout: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [ACTIONLINT], { cwd: dir, encoding: "utf8" }, (error, stdout) => resolve({ status: error ? Number(error.code ?? 1) : 0, stdout })),
  );
}

interface WorkflowStep {
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly env?: Record<string, string>;
}

describe("GitHub Actions workflows", () => {
  // Both linter runs (each compiles actionlint's WebAssembly) go at once.
  test.concurrent("pass actionlint", async () => {
    const result = await actionlint(root);
    expect(result.stdout).toContain("All workflow files passed lint checks");
    expect(result.status).toBe(0);
  });

  test.concurrent("actionlint catches a broken workflow (the check has teeth)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-"));
    fs.mkdirSync(path.join(dir, ".github", "workflows"), { recursive: true });
    const broken = fs.readFileSync(WORKFLOW, "utf8").replace("runs-on: ubuntu-latest", "runs_on: ubuntu-latest").replace("if: env.PROXMOX_VE_ENDPOINT == ''", "if: secrets.PROXMOX_VE_ENDPOINT == ''");
    fs.writeFileSync(path.join(dir, ".github", "workflows", "pr.yml"), broken);
    const result = await actionlint(dir);
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('"runs-on" section is missing in job "review"');
    expect(result.stdout).toContain('context "secrets" is not allowed here');
  });

  const workflow = parse(fs.readFileSync(WORKFLOW, "utf8"));
  const steps = Object.values(workflow.jobs as Record<string, { steps: WorkflowStep[] }>).flatMap((job) => job.steps);

  test("pin every action to a full commit SHA", () => {
    const uses = steps.map((step) => step.uses).filter((value): value is string => value !== undefined);
    expect(uses.length).toBeGreaterThan(0);
    for (const action of uses) expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  test("grant no permissions by default and only what the job needs", () => {
    expect(workflow.permissions).toEqual({});
    expect(workflow.jobs.review.permissions).toEqual({ contents: "read", "pull-requests": "write" });
  });

  test("install from the lockfile, type-check, test and review in that order", () => {
    const runs = steps.map((step) => step.run ?? "").filter(Boolean);
    const order = ["npm ci", "npx tsc -p .", "npm test", 'npm run review -- --base "$BASE_SHA" ${HOMELAB_CLUSTER:+--cluster "$HOMELAB_CLUSTER"}'].map((command) => runs.findIndex((run) => run.trim() === command));
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test("plan only with both the Proxmox and the PG_CONN_STR secrets, the connection string in the plan step alone", () => {
    const plan = steps.find((step) => step.name === "Plan against Proxmox and the shared state")!;
    const noPlan = steps.find((step) => step.name === "No plan without the Proxmox and state secrets")!;
    expect(plan.if).toBe("env.PROXMOX_VE_ENDPOINT != '' && env.HAS_PG_CONN_STR == 'true'");
    expect(noPlan.if).toBe("env.PROXMOX_VE_ENDPOINT == '' || env.HAS_PG_CONN_STR != 'true'");
    expect(workflow.jobs.review.env.HAS_PG_CONN_STR).toBe("${{ secrets.PG_CONN_STR != '' }}");
    const withConnStr = steps.filter((step) => Object.values(step.env ?? {}).some((value) => value.includes("secrets.PG_CONN_STR")));
    expect(withConnStr).toEqual([plan]);
    // A stack whose state is local would plan the whole cluster anew: the step refuses it.
    expect(plan.run).toContain("jq -e '.terraform.backend.pg' cdk.tf.json");
    expect(plan.run).toContain("-lock=false");
  });
});
