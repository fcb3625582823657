/**
 * The app as operators run it (`npm run synth` = `node app/run.js synth`),
 * in a child process: exit codes, messages, and what lands in the output
 * folder.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/project-root";

const root = PROJECT_ROOT;

function runApp(env: Record<string, string>) {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-out-"));
  fs.rmSync(outdir, { recursive: true });
  const result = spawnSync(process.execPath, [path.join(root, "app", "run.js"), "synth"], {
    cwd: root,
    env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, ...env },
    encoding: "utf8",
  });
  return { ...result, outdir };
}

function writeConfig(text: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "homelab-config-")), "homelab.yaml");
  fs.writeFileSync(file, text);
  return file;
}

describe("the cdktf app", () => {
  test("synthesizes the reference homelab when HOMELAB_CONFIG is unset", () => {
    const result = runApp({});
    // Once, as a warning, naming the stack.
    expect(result.stderr.match(/warning/gi)).toEqual(["warning"]);
    expect(result.stderr).toContain("warning [stack homelab]: All 3 control planes run on Proxmox host pve: losing pve stops the cluster");
    expect(result.status).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(result.outdir, "stacks", "homelab", "cdk.tf.json"), "utf8"));
    expect(Object.keys(json.resource.proxmox_virtual_environment_vm)).toHaveLength(3);
  });

  test("synthesizes the cluster a HOMELAB_CONFIG file describes", () => {
    const file = writeConfig("clusterName: lab\ncontrolPlanes:\n  - { name: a, ip: 192.168.1.221 }\n  - { name: b, ip: 192.168.1.222 }\n  - { name: c, ip: 192.168.1.223 }\n");
    const result = runApp({ HOMELAB_CONFIG: file });
    expect(result.status).toBe(0);
    const text = fs.readFileSync(path.join(result.outdir, "stacks", "lab", "cdk.tf.json"), "utf8");
    expect(text).toContain('"cluster_name": "lab"');
    expect(text).toContain('"192.168.1.223/24"');
  });

  test("with the pg backend, warns when PG_CONN_STR is not set in this shell, and never writes it", () => {
    const config = path.join(root, "examples", "shared-state-pg.yaml");
    const unset = runApp({ HOMELAB_CONFIG: config });
    expect(unset.status).toBe(0);
    expect(unset.stderr).toContain("warning [stack homelab]: backend.type is pg, and PG_CONN_STR is not set in this shell: export it before cdktf deploy or terraform init");
    const set = runApp({ HOMELAB_CONFIG: config, PG_CONN_STR: "postgres://tf_state:s3cret-pw@127.0.0.1:1/tfstate" });
    expect(set.stderr).not.toContain("PG_CONN_STR");
    const text = fs.readFileSync(path.join(set.outdir, "stacks", "homelab", "cdk.tf.json"), "utf8");
    expect(JSON.parse(text).terraform.backend).toEqual({ pg: { schema_name: "homelab" } });
    expect(text).not.toContain("s3cret-pw");
  });

  test("fails with every problem and a non-zero exit code, writing nothing", () => {
    const file = writeConfig("vip: 192.168.1.300\nvm: { cores: 1 }\n");
    const result = runApp({ HOMELAB_CONFIG: file });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`HOMELAB_CONFIG ${file} is not usable:`);
    expect(result.stderr).toContain('vip = "192.168.1.300": not an IPv4 address');
    expect(result.stderr).toContain("vm.cores = 1: Talos needs at least 2 cores");
    expect(fs.existsSync(result.outdir)).toBe(false);
  });

  test("fails clearly when the HOMELAB_CONFIG file does not exist", () => {
    const result = runApp({ HOMELAB_CONFIG: "/nonexistent/homelab.yaml" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("HOMELAB_CONFIG /nonexistent/homelab.yaml is not usable:\n  cannot read the file (ENOENT)");
  });
});
