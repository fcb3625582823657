/**
 * `npm run secrets -- export|adopt` end to end: the CLI as a child process
 * with a fake `terraform` first on PATH (it logs its argv, serves a state
 * file to `state pull`, and stands in for the provider's import), in a
 * project holding the reference homelab's stack, or the same with
 * configContract pinned. The real import, with real local state, is proven
 * in CI (.ci/ci-secrets-roundtrip.sh).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadHomelabConfig } from "../../../config/load-homelab-config";
import { bundleHeader, renderSecretsBundle, stackSecretsFacts } from "../../../ops/secrets-bundle";
import { fakeTerraformCalls, writeFakeTerraform } from "../../support/fake-terraform";
import { FIXTURE_VALUES, SECRETS_FIXTURE, stateWithSecrets } from "../../support/secrets-state-fixture";
import { PROJECT_ROOT } from "../../support/project-root";
import { runOpsCli } from "../../support/run-ops-cli";
import { synthHomelab } from "../../support/synth";

const suiteTmp = fs.mkdtempSync(path.join(os.tmpdir(), "ops-secrets-tmp-"));
const unpinned = synthHomelab();
const pinned = synthHomelab({ cluster: { configContract: "v1.13" } });
const address = stackSecretsFacts(unpinned.json).address;
const name = address.split(".")[1];

/** A project with the homelab stack synthesized (initialised unless told), the fake terraform, and optionally a state. */
function project(options: { stack?: typeof unpinned; initialised?: boolean; state?: string } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-secrets-"));
  const stackDir = path.join(dir, "cdktf.out", "stacks", "homelab");
  fs.mkdirSync(stackDir, { recursive: true });
  fs.writeFileSync(path.join(stackDir, "cdk.tf.json"), (options.stack ?? unpinned).text);
  if (options.initialised !== false) fs.mkdirSync(path.join(stackDir, ".terraform"));
  writeFakeTerraform(path.join(dir, "bin"));
  const log = path.join(dir, "terraform.log");
  const state = path.join(dir, "state.json");
  if (options.state !== undefined) fs.writeFileSync(state, options.state);
  const env: Record<string, string> = { PATH: path.join(dir, "bin"), FAKE_TF_LOG: log, FAKE_TF_STATE: state };
  return { dir, stackDir, env, state, calls: () => fakeTerraformCalls(log), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

const runSecrets = (dir: string, env: NodeJS.ProcessEnv, args: string[]) => runOpsCli("secrets", dir, suiteTmp, env, args, 60_000);
const printsNoSecret = (run: { stdout: string; stderr: string }) => {
  for (const value of FIXTURE_VALUES) expect(run.stdout + run.stderr).not.toContain(value);
};

afterAll(() => fs.rmSync(suiteTmp, { recursive: true, force: true }));

describe("npm run secrets -- export", () => {
  test.concurrent("writes the state's machine secrets as a Talos secrets bundle, mode 0600, with the contract, and warns what it unlocks", async () => {
    const p = project({ state: stateWithSecrets(name, SECRETS_FIXTURE, "v1.11") });
    try {
      const out = path.join(p.dir, "secrets.yaml");
      const run = await runSecrets(p.dir, p.env, ["export", "--out", out]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      // THEN terraform pulled the state in the stack folder, with the version check off, and nothing else
      expect(p.calls()).toEqual([{ cwd: fs.realpathSync(p.stackDir), checkpointDisable: "1", args: ["state", "pull"] }]);
      // and the file is the bundle, with the contract of the state (configContract unset), readable by its owner only
      expect(fs.readFileSync(out, "utf8")).toBe(renderSecretsBundle(SECRETS_FIXTURE, bundleHeader("homelab", "v1.11")));
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      expect(run.stdout).toContain(`secrets: wrote the machine secrets of cluster homelab to ${out} (mode 0600): a Talos secrets bundle, with the cluster's config contract v1.11 (the machine secrets' talos_version in the state)`);
      expect(run.stdout).toMatch(/WARNING: this file is the cluster's whole PKI\. Whoever holds it has\n {2}- full admin of the Talos API on every node.*\n {2}- cluster-admin on Kubernetes and every Secret in etcd.*\n {2}- every node's identity.*\nKeep it offline or encrypted/);
      // a file in the project folder could be committed
      expect(run.stdout).toContain(`Note: ${out} is inside the project folder: move it out, so that it never lands in git.`);
      printsNoSecret(run);
    } finally {
      p.remove();
    }
  });

  test.concurrent("with configContract pinned, notes the pinned contract, not the state's", async () => {
    const p = project({ stack: pinned, state: stateWithSecrets(name, SECRETS_FIXTURE, "v1.3") });
    try {
      const out = path.join(p.dir, "secrets.yaml");
      const run = await runSecrets(p.dir, p.env, ["export", "--out", out]);
      expect(run.code).toBe(0);
      expect(fs.readFileSync(out, "utf8").split("\n")[1]).toBe("# configContract: v1.13");
      expect(run.stdout).toContain("config contract v1.13 (configContract pins it)");
    } finally {
      p.remove();
    }
  });

  test.concurrent("fails on an existing file without reading the state; --force replaces it, mode 0600", async () => {
    const p = project({ state: stateWithSecrets(name, SECRETS_FIXTURE, "v1.13") });
    try {
      const out = path.join(p.dir, "secrets.yaml");
      fs.writeFileSync(out, "old\n", { mode: 0o644 });
      const refused = await runSecrets(p.dir, p.env, ["export", "--out", out]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(`secrets: ${out} exists: it is not overwritten (give --force to replace it)\n`);
      expect(p.calls()).toEqual([]);
      expect(fs.readFileSync(out, "utf8")).toBe("old\n");

      const forced = await runSecrets(p.dir, p.env, ["export", "--out", out, "--force"]);
      expect(forced.code).toBe(0);
      expect(fs.readFileSync(out, "utf8")).toContain("# configContract: v1.13\ncluster:\n");
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      expect(fs.readdirSync(p.dir).filter((file) => file.endsWith(".tmp"))).toEqual([]);
    } finally {
      p.remove();
    }
  });

  test.concurrent("fails when the state holds no machine secrets, and writes nothing", async () => {
    const p = project();
    try {
      const out = path.join(p.dir, "secrets.yaml");
      const run = await runSecrets(p.dir, p.env, ["export", "--out", out]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`secrets: the state of cdktf.out/stacks/homelab holds no machine secrets at ${address} (nothing deployed yet?)\n`);
      expect(fs.existsSync(out)).toBe(false);
    } finally {
      p.remove();
    }
  });

  test.concurrent("fails on a stand-in's placeholders (both encryption secrets) naming the fields, writing nothing", async () => {
    const both = { ...SECRETS_FIXTURE, secrets: { ...SECRETS_FIXTURE.secrets, aescbc_encryption_secret: "aesc+test/secret/0123456789abcdefABCDEF012=" } };
    const p = project({ state: stateWithSecrets(name, both, "v1.13") });
    try {
      const out = path.join(p.dir, "secrets.yaml");
      const run = await runSecrets(p.dir, p.env, ["export", "--out", out]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^secrets: talos_machine_secrets\.\w+ in the state: the machine secrets do not make a Talos secrets bundle: both of secrets\.aescbcencryptionsecret and/);
      expect(fs.existsSync(out)).toBe(false);
      printsNoSecret(run);
    } finally {
      p.remove();
    }
  });
});

describe("npm run secrets with the state in PostgreSQL", () => {
  const pg = synthHomelab(loadHomelabConfig(`${PROJECT_ROOT}/examples/shared-state-pg.yaml`));

  test.concurrent("fails without PG_CONN_STR before running terraform; with it, pulls the state as for a local one", async () => {
    const p = project({ stack: pg, state: stateWithSecrets(name, SECRETS_FIXTURE, "v1.13") });
    try {
      const out = path.join(p.dir, "secrets.yaml");
      const refused = await runSecrets(p.dir, p.env, ["export", "--out", out]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe("secrets: the stack keeps its state in PostgreSQL (schema homelab) and PG_CONN_STR is not set: export it (docs/state.md)\n");
      expect(p.calls()).toEqual([]);
      const run = await runSecrets(p.dir, { ...p.env, PG_CONN_STR: "postgres://127.0.0.1:9/none" }, ["export", "--out", out]);
      expect(run.code).toBe(0);
      expect(p.calls().map((call) => call.args)).toEqual([["state", "pull"]]);
    } finally {
      p.remove();
    }
  });
});

describe("npm run secrets -- adopt", () => {
  const bundleFile = (dir: string, header = bundleHeader("homelab", "v1.13")) => {
    const file = path.join(dir, "bundle.yaml");
    fs.writeFileSync(file, renderSecretsBundle(SECRETS_FIXTURE, header), { mode: 0o600 });
    return file;
  };

  test.concurrent("with configContract pinned: imports the bundle at the stack's address by terraform import, checks the state holds it, says what comes next", async () => {
    const p = project({ stack: pinned });
    try {
      const file = bundleFile(p.dir);
      // the provider's import, as the fake stands in for it
      const imported = path.join(p.dir, "imported.json");
      fs.writeFileSync(imported, stateWithSecrets(name, SECRETS_FIXTURE, "v1.3"));
      const run = await runSecrets(p.dir, { ...p.env, FAKE_TF_IMPORTED: imported }, ["adopt", file]);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      const stackDir = fs.realpathSync(p.stackDir);
      expect(p.calls().map((call) => [call.cwd, call.checkpointDisable, call.args])).toEqual([
        [stackDir, "1", ["state", "pull"]],
        [stackDir, "1", ["import", "-input=false", address, file]],
        [stackDir, "1", ["state", "pull"]],
      ]);
      expect(run.stdout).toContain(`secrets: adopted ${file} into the state of cluster homelab as ${address}.`);
      expect(run.stdout).toContain("The import wrote talos_version v1.3 into the state");
      expect(run.stdout).toContain("the stack ignores it, because configContract pins v1.13, the cluster's contract. Keep configContract: v1.13 in the configuration");
      expect(run.stdout).toMatch(/Next: npm run diff\. The machine secrets are in the state and are not created again/);
      printsNoSecret(run);
    } finally {
      p.remove();
    }
  });

  test.concurrent("fails, importing nothing, while the configuration does not pin the contract: says the line to add and where", async () => {
    const p = project();
    try {
      const file = bundleFile(p.dir);
      const config = path.join(p.dir, "lab.yaml");
      const run = await runSecrets(p.dir, { ...p.env, HOMELAB_CONFIG: config }, ["adopt", file]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        `secrets: refused, nothing imported:\n  - cdktf.out/stacks/homelab reads its config contract from the machine secrets' talos_version in the state (configContract is not set), and the import writes v1.3 there. ` +
          `Pin the cluster's contract (v1.13, from ${file}'s configContract comment) first: add the line\n      configContract: v1.13\n    to ${config}, run npm run synth, then run this again\n`,
      );
      expect(p.calls().map((call) => call.args[0])).toEqual(["state"]);
    } finally {
      p.remove();
    }
  });

  test.concurrent("fails on a bundle talosctl wrote (no contract) without --contract; every problem at once", async () => {
    const p = project({ state: stateWithSecrets(name, SECRETS_FIXTURE, "v1.13") });
    try {
      const file = bundleFile(p.dir, "");
      const run = await runSecrets(p.dir, p.env, ["adopt", file]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^secrets: refused, nothing imported:\n {2}- which config contract does the cluster use\? .*Give --contract vX\.Y/);
      expect(run.stderr).toContain(`  - the state of cdktf.out/stacks/homelab already holds machine secrets (${address}): adopt only fills a new state.`);
      expect(p.calls().some((call) => call.args[0] === "import")).toBe(false);
      printsNoSecret(run);
    } finally {
      p.remove();
    }
  });

  test.concurrent("fails on an uninitialised stack folder, saying not to deploy first", async () => {
    const p = project({ stack: pinned, initialised: false });
    try {
      const run = await runSecrets(p.dir, p.env, ["adopt", bundleFile(p.dir)]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe(
        "secrets: cdktf.out/stacks/homelab is not initialised (no .terraform folder): run terraform init there, or npm run diff (it initialises and only plans). Not npm run deploy: on a state without machine secrets it would create new ones\n",
      );
      expect(p.calls()).toEqual([]);
    } finally {
      p.remove();
    }
  });

  test.concurrent("a failed import is exit 1, and says so", async () => {
    const p = project({ stack: pinned });
    try {
      const run = await runSecrets(p.dir, { ...p.env, FAKE_TF_IMPORT_CODE: "1" }, ["adopt", bundleFile(p.dir), "--contract", "v1.13"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("secrets: terraform import failed (exit 1).");
    } finally {
      p.remove();
    }
  });
});
