/**
 * npm run deploy | diff | destroy: the cdktf CLI for one cluster's stack,
 * with HashiCorp's version check off and no plugin cache under $HOME.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CdktfCliRefusal, cdktfInvocation } from "../../app/cdktf-cli";
import { PROJECT_ROOT } from "../support/project-root";

const input = (argv: string[], stacks = [{ stackId: "lab", local: true }, { stackId: "prod", local: true }], files: string[] = []) => ({
  command: "deploy",
  argv,
  stacks,
  exists: (file: string) => files.includes(file),
  projectDir: "/project",
  env: { PATH: "/usr/bin", PROXMOX_VE_API_TOKEN: "kept" },
});

describe("cdktfInvocation", () => {
  test("runs the project's cdktf CLI on the named stack, passing the rest on, with the version check and plugin cache off", () => {
    const run = cdktfInvocation(input(["prod", "--auto-approve"]));
    expect(run.file).toBe(path.join("/project", "node_modules", ".bin", "cdktf"));
    expect(run.args).toEqual(["deploy", "prod", "--auto-approve"]);
    expect(run.env).toEqual({ PATH: "/usr/bin", PROXMOX_VE_API_TOKEN: "kept", CHECKPOINT_DISABLE: "1", CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1" });
  });

  test("the only stack needs no name; options still pass", () => {
    expect(cdktfInvocation(input(["--auto-approve"], [{ stackId: "homelab", local: true }])).args).toEqual(["deploy", "homelab", "--auto-approve"]);
  });

  test("fails when there are several clusters and none is named, saying which exist", () => {
    expect(() => cdktfInvocation(input([]))).toThrow(new CdktfCliRefusal("there are several clusters (lab, prod): name one with npm run deploy -- NAME"));
  });

  test("fails on a cluster that is not configured", () => {
    expect(() => cdktfInvocation(input(["staging"]))).toThrow(/^no cluster named staging here; the clusters are: lab, prod$/);
  });

  test("fails, until it is moved, on a stack whose state is still terraform.homelab.tfstate", () => {
    const run = () => cdktfInvocation(input(["lab"], [{ stackId: "lab", local: true }], ["terraform.homelab.tfstate"]));
    expect(run).toThrow(/^refused: terraform\.homelab\.tfstate .* mv terraform\.homelab\.tfstate terraform\.lab\.tfstate$/);
    expect(() => cdktfInvocation(input(["lab"], [{ stackId: "lab", local: true }], ["terraform.homelab.tfstate", "terraform.lab.tfstate"]))).not.toThrow();
  });
});

describe("npm run deploy (the bundled command)", () => {
  test("fails in one line, running nothing, when the state from before must be moved first", () => {
    const project = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-deploy-"));
    try {
      fs.writeFileSync(path.join(project, "terraform.homelab.tfstate"), "{}");
      const result = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "app", "run.js"), "deploy"], {
        cwd: project,
        env: { PATH: process.env.PATH, HOME: project, HOMELAB_CONFIG: path.join(PROJECT_ROOT, "examples", "three-proxmox-hosts.yaml") },
        encoding: "utf8",
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^deploy: refused: terraform\.homelab\.tfstate in the project folder .* mv terraform\.homelab\.tfstate terraform\.lab\.tfstate\n$/);
      expect(fs.readdirSync(project)).toEqual(["terraform.homelab.tfstate"]);
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
