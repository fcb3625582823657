/**
 * Secrets never reach the synthesized JSON, logs or snapshots: the Proxmox
 * token comes from the environment at deploy time, and everything derived
 * from the machine secrets is a reference, never a value.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { blocksOf, synthHomelab } from "../support/synth";
import { PROJECT_ROOT } from "../support/project-root";

const root = PROJECT_ROOT;
const FAKE_TOKEN = "terraform@pve!cdktf=5ec7e7ca-fa4e-4a11-b0b0-000000c0ffee";

function filesBelow(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? filesBelow(file) : [file];
  });
}

describe("secrets", () => {
  test("a Proxmox API token in the environment appears nowhere in cdktf.out or the logs", () => {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "secrets-")), "cdktf.out");
    const result = spawnSync(process.execPath, [path.join(root, "app", "run.js"), "synth"], {
      cwd: root,
      env: { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, PROXMOX_VE_API_TOKEN: FAKE_TOKEN, PROXMOX_VE_ENDPOINT: "https://192.168.1.10:8006/" },
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    const files = filesBelow(outdir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      expect(fs.readFileSync(file, "utf8")).not.toContain("5ec7e7ca");
    }
    expect(result.stdout + result.stderr).not.toContain("5ec7e7ca");
  });

  test("every output derived from secrets, machine configuration, talosconfig or kubeconfig is sensitive", () => {
    const { json } = synthHomelab();
    const secretSources = /talos_machine_secrets|talos_machine_configuration|talos_client_configuration|talos_cluster_kubeconfig/;
    const derived = Object.entries(json.output).filter(([, output]) => secretSources.test(JSON.stringify(output.value)));
    // config_contract reads the secrets' talos_version: a version string the schema does not mark sensitive, no key material.
    expect(derived.map(([name]) => name).sort()).toEqual(["config_contract", "kubeconfig", "kubeconfig_node_contexts", "talosconfig"]);
    expect(json.output.config_contract.value).toMatch(/^\$\{talos_machine_secrets\.\w+\.talos_version\}$/);
    for (const [name, output] of derived) if (name !== "config_contract") expect(output.sensitive).toBe(true);
  });

  test("nothing writes kubeconfig or talosconfig to a plain file", () => {
    const { json } = synthHomelab();
    expect(Object.keys(json.resource)).not.toContain("local_file");
    expect(Object.keys(json.resource)).not.toContain("local_sensitive_file");
    expect(JSON.stringify(json.resource.null_resource)).not.toMatch(/talos_config|kubeconfig_raw/);
  });

  test("the first deploy's wait gets the admin credentials only as references, in memory", () => {
    const { json } = synthHomelab();
    const [[, gate]] = blocksOf(json, "null_resource");
    const [{ "local-exec": exec }] = gate.provisioner as { "local-exec": { command: string; environment: Record<string, string> } }[];
    for (const name of ["CA", "CERT", "KEY"]) {
      expect(exec.environment[name]).toMatch(/^\$\{talos_cluster_kubeconfig\.\w+\.kubernetes_client_configuration\.(ca_certificate|client_certificate|client_key)\}$/);
    }
    expect(exec.command).not.toMatch(/node:fs|writeFile|createWriteStream/);
  });

  test("snapshots hold no key material", () => {
    // Every snapshot file and every test (inline snapshots) in the whole suite.
    const snapshots = filesBelow(path.join(PROJECT_ROOT, "__tests__")).filter((file) => /\.test\.ts(\.snap)?$/.test(file));
    expect(snapshots).toContain(path.join(PROJECT_ROOT, "__tests__", "stacks", "__snapshots__", "whole-stack.test.ts.snap"));
    for (const file of snapshots) {
      const text = fs.readFileSync(file, "utf8");
      expect(text).not.toMatch(/-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/);
      // A base64 blob as long as a key or certificate (an Ed25519 PEM body is 64+ characters).
      expect(text).not.toMatch(/[A-Za-z0-9+/]{60,}={0,2}/);
    }
  });
});
