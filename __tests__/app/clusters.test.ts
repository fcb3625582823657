/**
 * One stack per cluster, as `npm run synth` writes them (a child process, as
 * operators run it): the stack and its local state named after the cluster,
 * a folder of clusters, exactly the configured stacks in the output, and the
 * state from before stacks were named after their cluster.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/project-root";

let project: string;
beforeEach(() => {
  // A project folder of its own: the output (cdktf.out) and the local state files beside it.
  project = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-clusters-"));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

function synth(config: string | undefined) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, CDKTF_OUTDIR: path.join(project, "cdktf.out") };
  if (config !== undefined) env.HOMELAB_CONFIG = config;
  return spawnSync(process.execPath, [path.join(PROJECT_ROOT, "app", "run.js"), "synth"], { cwd: PROJECT_ROOT, env, encoding: "utf8" });
}
const stacksIn = () => fs.readdirSync(path.join(project, "cdktf.out", "stacks")).sort();
const stackJson = (id: string) => JSON.parse(fs.readFileSync(path.join(project, "cdktf.out", "stacks", id, "cdk.tf.json"), "utf8"));
const example = (name: string) => path.join(PROJECT_ROOT, "examples", name);

describe("one stack per cluster", () => {
  test("the stack and its local state follow clusterName; the reference homelab keeps homelab", () => {
    expect(synth(example("three-proxmox-hosts.yaml")).status).toBe(0);
    expect(stacksIn()).toEqual(["lab"]);
    expect(stackJson("lab").terraform.backend.local.path).toBe("../../../terraform.lab.tfstate");
    expect(synth(undefined).status).toBe(0);
    expect(stacksIn()).toEqual(["homelab"]);
    expect(stackJson("homelab").terraform.backend.local.path).toBe("../../../terraform.homelab.tfstate");
  });

  test("a folder: one stack per file, each with its own state", () => {
    const result = synth(example("two-clusters"));
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    expect(stacksIn()).toEqual(["lab", "prod"]);
    expect(stackJson("prod").terraform.backend.local.path).toBe("../../../terraform.prod.tfstate");
    expect(stackJson("prod").output.vip.value).toBe("10.0.30.10");
    expect(result.stderr).toContain("warning [stack prod]: All 3 control planes run on Proxmox host pve");
  });

  test("fails, naming both files and writing nothing, when two clusters of a folder collide", () => {
    const folder = path.join(project, "clusters");
    fs.mkdirSync(folder);
    fs.copyFileSync(example("two-clusters/lab.yaml"), path.join(folder, "lab.yaml"));
    fs.writeFileSync(path.join(folder, "also-lab.yml"), fs.readFileSync(example("two-clusters/prod.yaml"), "utf8").replace("clusterName: prod", "clusterName: lab"));
    fs.writeFileSync(path.join(folder, "other.json"), JSON.stringify({ clusterName: "other", vip: "10.0.20.60", network: { cidr: "10.0.20.0/24" }, controlPlanes: [{ name: "o1", ip: "10.0.20.11" }, { name: "o2", ip: "10.0.20.61" }, { name: "o3", ip: "10.0.20.62" }] }));
    const result = synth(folder);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/\/lab\.yaml and \S*also-lab\.yml both name their cluster lab/);
    expect(result.stderr).toMatch(/other\.json \(node o1\) and \S*lab\.yaml \(node lab-cp1\) both use the address 10\.0\.20\.11/);
    expect(result.stderr).toMatch(/other\.json \(node o1\) and \S*lab\.yaml \(node lab-cp1\) both put VM id 1011 on Proxmox host pve/);
    expect(fs.existsSync(path.join(project, "cdktf.out"))).toBe(false);
  });

  test("writes exactly the configured stacks: a stale stack folder and outputs of an earlier synth go, state files stay", () => {
    // GIVEN the output of an earlier configuration, with Terraform's files and a review and HCL of it
    expect(synth(example("two-clusters")).status).toBe(0);
    fs.mkdirSync(path.join(project, "cdktf.out", "stacks", "prod", ".terraform"));
    fs.writeFileSync(path.join(project, "cdktf.out", "stacks", "prod", "terraform.tfstate"), "{}");
    fs.writeFileSync(path.join(project, "cdktf.out", "review.md"), "# old review");
    fs.mkdirSync(path.join(project, "cdktf.out", "hcl"));
    fs.writeFileSync(path.join(project, "terraform.prod.tfstate"), "{}");
    // WHEN another configuration is synthesized
    expect(synth(example("two-clusters/lab.yaml")).status).toBe(0);
    // THEN only its stack is there; prod's state files are untouched
    expect(fs.readdirSync(path.join(project, "cdktf.out", "stacks", "prod"))).toEqual(["terraform.tfstate"]);
    expect(fs.existsSync(path.join(project, "cdktf.out", "stacks", "lab", "cdk.tf.json"))).toBe(true);
    expect(fs.existsSync(path.join(project, "cdktf.out", "review.md"))).toBe(false);
    expect(fs.existsSync(path.join(project, "cdktf.out", "hcl"))).toBe(false);
    expect(fs.existsSync(path.join(project, "terraform.prod.tfstate"))).toBe(true);
  });

  test("a cluster named otherwise beside the old terraform.homelab.tfstate: synth says how to move it, and touches no state", () => {
    fs.writeFileSync(path.join(project, "terraform.homelab.tfstate"), '{"version": 4}');
    const result = synth(example("three-proxmox-hosts.yaml"));
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("warning [stack lab]: terraform.homelab.tfstate in the project folder is the local state of a cluster from before");
    expect(result.stderr).toContain("move it first: mv terraform.homelab.tfstate terraform.lab.tfstate");
    expect(fs.readFileSync(path.join(project, "terraform.homelab.tfstate"), "utf8")).toBe('{"version": 4}');
    expect(fs.existsSync(path.join(project, "terraform.lab.tfstate"))).toBe(false);
  });
});
