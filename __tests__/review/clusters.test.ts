/** npm run review with several clusters, and with a state left from before stacks were named after their cluster. */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/project-root";

let project: string;
beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-review-clusters-"));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

const review = (config: string, ...args: string[]) =>
  spawnSync(process.execPath, [path.join(PROJECT_ROOT, "app", "run.js"), "review", "--", ...args], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH, TMPDIR: os.tmpdir(), HOMELAB_CONFIG: path.join(PROJECT_ROOT, "examples", config), CDKTF_OUTDIR: path.join(project, "cdktf.out") },
    encoding: "utf8",
  });

describe("npm run review, several clusters", () => {
  test("reviews the cluster --cluster names", () => {
    const result = review("two-clusters", "--cluster", "prod");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^# Control plane review: `prod`/m);
    expect(result.stdout).toContain("10.0.30.10");
  });

  test("fails without --cluster, naming the clusters", () => {
    const result = review("two-clusters");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("review: this checkout: there are several clusters (lab, prod): name one with --cluster NAME (the review compares one cluster's stack)\n");
  });

  test("fails, until it is moved, when the cluster's state is still terraform.homelab.tfstate", () => {
    fs.writeFileSync(path.join(project, "terraform.homelab.tfstate"), "{}");
    const result = review("three-proxmox-hosts.yaml");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^review: refused: terraform\.homelab\.tfstate in the project folder .* mv terraform\.homelab\.tfstate terraform\.lab\.tfstate\n$/);
  });
});
