/**
 * `npm run host-down -- <host>` end to end: the CLI as a child process with a
 * fake `terraform` first on PATH (it logs its argv and talks to nothing), in
 * a project holding the stack of examples/proxmox-cluster-ha.yaml.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadHomelabConfig } from "../../../config/load-homelab-config";
import { hostDownSelection } from "../../../ops/host-down-plan";
import { fakeTerraformCalls, writeFakeTerraform } from "../../support/fake-terraform";
import { PROJECT_ROOT } from "../../support/project-root";
import { runOpsCli } from "../../support/run-ops-cli";
import { synthHomelab } from "../../support/synth";

const suiteTmp = fs.mkdtempSync(path.join(os.tmpdir(), "ops-host-down-tmp-"));
const stack = synthHomelab(loadHomelabConfig(`${PROJECT_ROOT}/examples/proxmox-cluster-ha.yaml`));
const pve1Down = hostDownSelection(stack.json, "pve1", "lab");

/** A project with cluster lab synthesized (and, unless told, initialised) and the fake terraform. */
function project(options: { initialised?: boolean; env?: Record<string, string> } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-host-down-"));
  const stackDir = path.join(dir, "cdktf.out", "stacks", "lab");
  fs.mkdirSync(stackDir, { recursive: true });
  fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), stack.text);
  if (options.initialised !== false) fs.mkdirSync(path.join(stackDir, ".terraform"));
  writeFakeTerraform(path.join(dir, "bin"));
  const log = path.join(dir, "terraform.log");
  const env = { PATH: path.join(dir, "bin"), FAKE_TF_LOG: log, ...options.env };
  return { dir, stackDir, env, calls: () => fakeTerraformCalls(log) };
}

const runHostDown = (dir: string, env: NodeJS.ProcessEnv, args: string[]) => runOpsCli("host-down", dir, suiteTmp, env, args, 60_000);
const leftOverPlans = () => fs.readdirSync(suiteTmp).filter((name) => name.startsWith("homelab-ops-"));

describe("npm run host-down", () => {
  test.concurrent("plans without the host: -refresh=false, every healthy resource as a -target, a saved plan checked, nothing applied", async () => {
    const p = project();
    try {
      const run = await runHostDown(p.dir, p.env, ["pve1"]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      // THEN terraform planned in the stack folder, with the version check off, then showed the saved plan
      const [plan, show, ...rest] = p.calls();
      expect(rest).toEqual([]);
      const planFile = plan.args[plan.args.length - 1].replace(/^-out=/, "");
      expect(plan).toEqual({ cwd: fs.realpathSync(p.stackDir), checkpointDisable: "1", args: ["plan", "-refresh=false", ...pve1Down.targets.map((address) => `-target=${address}`), `-out=${planFile}`] });
      expect(pve1Down.targets.length).toBeGreaterThan(10);
      expect(show.args).toEqual(["show", "-json", planFile]);
      expect(fs.existsSync(planFile)).toBe(false);
      // and said what it left out, grouped, and what to run when the host is back
      expect(run.stdout).toMatch(/^host-down: cluster lab, with Proxmox host pve1 down \(the stack's hosts: pve1, pve2, pve3\)\n/);
      expect(run.stdout).toMatch(/Left out, on pve1 \(3\): its node_name is pve1.*\n {2}proxmox_\w*download_file\.ControlPlane_Image_Download-pve1_\w+ +proxmox_\w*download_file\./);
      expect(run.stdout).toMatch(/Left out, depends on them \(\d+\):.*\n(.*\n)*? {2}talos_machine_bootstrap\.ControlPlane_Bootstrap_\w+ +references talos_machine_configuration_apply\.ControlPlane_Nodes_cp1_ConfigApply_/);
      expect(run.stdout).toMatch(/Kept, on a healthy host \(3\): .*-refresh=false reads nothing through pve1\n/);
      expect(run.stdout).toContain(`Planned: ${pve1Down.targets.length} resources, with -refresh=false`);
      expect(run.stdout).toContain("host-down: planned only. To apply this, run again with --apply: npm run host-down -- pve1 --apply\n");
      expect(run.stdout).toMatch(/When pve1 is back \(online in the Proxmox cluster\), run a normal `npm run deploy`: it refreshes everything.*\n$/);
    } finally {
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test.concurrent("with --apply, applies exactly the saved plan file, then removes it", async () => {
    const p = project();
    try {
      const run = await runHostDown(p.dir, p.env, ["pve2", "--cluster", "lab", "--apply"]);
      expect(run.code).toBe(0);
      const [plan, show, apply, ...rest] = p.calls();
      expect(rest).toEqual([]);
      const planFile = plan.args[plan.args.length - 1].replace(/^-out=/, "");
      expect(plan.args).toEqual(["plan", "-refresh=false", ...hostDownSelection(stack.json, "pve2", "lab").targets.map((address) => `-target=${address}`), `-out=${planFile}`]);
      expect(show.args).toEqual(["show", "-json", planFile]);
      expect(apply).toEqual({ cwd: fs.realpathSync(p.stackDir), checkpointDisable: "1", args: ["apply", planFile], planFilePresent: true });
      expect(fs.existsSync(planFile)).toBe(false);
      expect(run.stdout).toContain("Apply complete!");
      expect(run.stdout).toMatch(/host-down: applied the plan above, without pve2\.\nWhen pve2 is back/);
    } finally {
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test.concurrent("fails, applying nothing, when the saved plan would change the down host's download (pulled in by -target)", async () => {
    const download = pve1Down.onHost.find((block) => /download_file\./.test(block.address))!.address;
    const showFile = path.join(fs.mkdtempSync(path.join(suiteTmp, "show-")), "plan.json");
    fs.writeFileSync(showFile, JSON.stringify({ resource_changes: [{ address: download, change: { actions: ["create"] } }, { address: pve1Down.targets[0], change: { actions: ["update"] } }] }));
    const p = project({ env: { FAKE_TF_SHOW: showFile } });
    try {
      const run = await runHostDown(p.dir, p.env, ["pve1", "--apply"]);
      expect(run.code).toBe(1);
      expect(p.calls().map((call) => call.args[0])).toEqual(["plan", "show"]);
      expect(run.stdout).toContain(`host-down: the plan would change what is on pve1 or depends on it, and that fails while pve1 is down:\n  ${download}: create\nNothing was applied.`);
    } finally {
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test.concurrent("fails, applying nothing, when terraform plan fails", async () => {
    const p = project({ env: { FAKE_TF_PLAN_CODE: "1" } });
    try {
      const run = await runHostDown(p.dir, p.env, ["pve1", "--apply"]);
      expect(run.code).toBe(1);
      expect(p.calls().map((call) => call.args[0])).toEqual(["plan"]);
      expect(run.stdout).toContain("host-down: terraform plan failed (exit 1); nothing was applied.");
    } finally {
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test.concurrent("fails in one line on a host the stack does not use, listing its hosts, before running terraform", async () => {
    const p = project();
    try {
      const run = await runHostDown(p.dir, p.env, ["pve9"]);
      expect([run.code, run.stderr, run.stdout]).toEqual([2, "host-down: no Proxmox host named pve9 in the stack lab; its hosts are: pve1, pve2, pve3\n", ""]);
      expect(p.calls()).toEqual([]);
    } finally {
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test.concurrent("fails in one line when the stack folder is not initialised, saying what to run", async () => {
    const p = project({ initialised: false });
    try {
      const run = await runHostDown(p.dir, p.env, ["pve1"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "host-down: cdktf.out/stacks/lab is not initialised (no .terraform folder): run npm run deploy once (it runs terraform init there before it plans), or terraform init in cdktf.out/stacks/lab\n",
      );
      expect(p.calls()).toEqual([]);
    } finally {
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test.concurrent("fails in one line when nothing is synthesized, or no host is named", async () => {
    const p = project();
    try {
      const noHost = await runHostDown(p.dir, p.env, []);
      expect([noHost.code, noHost.stderr]).toEqual([2, "host-down: name the Proxmox host that is down; usage: npm run host-down -- <host> [--cluster NAME] [--apply] [--project DIR]\n"]);
      fs.rmSync(path.join(p.dir, "cdktf.out"), { recursive: true });
      const nothing = await runHostDown(p.dir, p.env, ["pve1"]);
      expect([nothing.code, nothing.stderr]).toEqual([2, "host-down: nothing is synthesized in cdktf.out/stacks: run npm run synth first (npm run deploy synthesizes and initialises the stack folder)\n"]);
    } finally {
      fs.rmSync(p.dir, { recursive: true, force: true });
    }
  });

  test("leaves no plan file behind", () => {
    // Runs after the concurrent ones above have finished.
    expect(leftOverPlans()).toEqual([]);
  });
});
