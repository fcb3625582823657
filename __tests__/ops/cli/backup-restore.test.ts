/**
 * `npm run backup` and `npm run restore` end to end: the CLIs as child
 * processes with fake `talosctl` and `terraform` first on PATH, answering as
 * the simulated cluster stands; talosctl's arguments are asserted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TalosctlClient } from "../../../ops/adapters/talosctl";
import { runOpsCli } from "../../support/run-ops-cli";
import { mintPki } from "../../support/ops-api";
import { kubeconfigYaml, terraformOutput } from "../../support/cluster-fixture";
import { TalosScript, writeFakeTools, writeTalosAnswers } from "../../support/fake-tools";
import { SimulatedCluster } from "../../support/simulated-cluster";
import { talosctlAnswers } from "../../support/simulated-talos";

const suiteTmp = fs.mkdtempSync(path.join(os.tmpdir(), "ops-backup-cli-tmp-"));
const minted = mintPki();
const projects: string[] = [];
afterAll(() => [suiteTmp, ...projects].forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** talosctl etcd snapshot as its source does it: FILE.part, renamed, then the two lines. */
const SNAPSHOT_SH = `for a; do f="$a"; done
printf '{"simulatedEtcd":true,"revision":4193,"hash":true}' > "$f.part" && mv "$f.part" "$f"
printf 'etcd snapshot saved to "%s" (52 bytes)\\nsnapshot info: hash c25fd181, revision 4193, total keys 1287, total size 52\\n' "$f"
`;
/** talosctl cp: the tar extracted into the folder, nothing printed. */
const COPY_SH = `for a; do d="$a"; done
mkdir -p "$d" && printf '{"simulatedEtcd":true,"revision":4200,"hash":false}' > "$d/db"
`;

async function project(sim: SimulatedCluster, extra: TalosScript = {}) {
  const pki = await minted;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-backup-cli-"));
  projects.push(dir);
  fs.mkdirSync(path.join(dir, "cdktf.out", "stacks", "homelab"), { recursive: true });
  fs.writeFileSync(path.join(dir, "cdktf.out", "stacks", "homelab", "cdk.tf.json"), "{}\n");
  writeFakeTools(path.join(dir, "bin"));
  writeTalosAnswers(path.join(dir, "talos"), { ...talosctlAnswers(sim), ...extra });
  fs.writeFileSync(path.join(dir, "tf.json"), terraformOutput({ kubeconfig: kubeconfigYaml("https://127.0.0.1:9", pki.ca, pki.clientCert, pki.clientKey) }));
  const env = { PATH: path.join(dir, "bin"), FAKE_TALOS_DIR: path.join(dir, "talos"), FAKE_TF_OUTPUT: path.join(dir, "tf.json"), FAKE_TALOS_LOG: path.join(dir, "talosctl.log") };
  /** talosctl's calls other than reads, without --talosconfig <file>. */
  const actions = () =>
    fs
      .readFileSync(env.FAKE_TALOS_LOG, "utf8")
      .split("\n")
      .filter((line) => / (etcd snapshot|cp|reset|bootstrap) /.test(` ${line} `.replace(/^.* -n \S+ /, " ")))
      .map((line) => line.replace(/--talosconfig \S+ /, ""));
  return { dir, env, actions };
}

const run = (name: "backup" | "restore", dir: string, env: NodeJS.ProcessEnv, args: string[]) => runOpsCli(name, dir, suiteTmp, env, args, 60_000);

describe("npm run backup", () => {
  test.concurrent("a healthy cluster: talosctl etcd snapshot on a healthy member, the file 0600 with its metadata, exit 0", async () => {
    const { dir, env, actions } = await project(new SimulatedCluster(), { "127.0.0.11 etcd snapshot": { sh: SNAPSHOT_SH } });
    const result = await run("backup", dir, env, ["--out", "b"]);
    expect(result.stderr).toContain("k8s-controller1: snapshot homelab-");
    expect(result.code).toBe(0);
    const [file] = actions().map((line) => /etcd snapshot (\S+)$/.exec(line)?.[1]);
    expect(actions()).toEqual([`-n 127.0.0.11 etcd snapshot ${file}`]);
    expect(path.dirname(file!)).toBe(path.join(dir, "b"));
    const names = fs.readdirSync(path.join(dir, "b")).sort();
    expect(names).toEqual([expect.stringMatching(/^homelab-\d{8}T\d{6}Z-rev4193\.db$/), expect.stringMatching(/^homelab-\d{8}T\d{6}Z-rev4193\.json$/)]);
    expect(fs.statSync(path.join(dir, "b", names[0])).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, "b")).mode & 0o777).toBe(0o700);
    expect(result.stdout).toMatch(/Snapshot homelab-\d{8}T\d{6}Z-rev4193\.db \(revision 4193, 50 bytes, sha256 [0-9a-f]{64}\) from k8s-controller1/);
  });

  test.concurrent("a snapshot that fails: talosctl's error in the report, the next healthy member's snapshot taken", async () => {
    const { dir, env, actions } = await project(new SimulatedCluster(), {
      "127.0.0.11 etcd snapshot": { stderr: "error reading: rpc error: code = Unavailable desc = error reading from server: EOF\n", code: 1 },
      "127.0.0.12 etcd snapshot": { sh: SNAPSHOT_SH },
    });
    const result = await run("backup", dir, env, ["--out", "b"]);
    expect(result.code).toBe(0);
    expect(actions().map((line) => line.replace(/ \S+$/, ""))).toEqual(["-n 127.0.0.11 etcd snapshot", "-n 127.0.0.12 etcd snapshot"]);
    expect(result.stdout).toMatch(/FAIL\s+k8s-controller1 \(127\.0\.0\.11\)/);
    expect(result.stdout).toContain("error reading from server: EOF");
    // No partial file left behind.
    expect(fs.readdirSync(path.join(dir, "b")).filter((name) => name.startsWith("."))).toEqual([]);
  });

  test.concurrent("quorum lost: the disaster copy with talosctl cp from the member that answers, marked as such, exit 1", async () => {
    const sim = new SimulatedCluster();
    sim.powerOff(sim.node("k8s-controller2"));
    sim.powerOff(sim.node("k8s-controller3"));
    const { dir, env, actions } = await project(sim, { "127.0.0.11 cp /var/lib/etcd/member/snap/db": { sh: COPY_SH } });
    const result = await run("backup", dir, env, ["--out", "b"]);
    expect(result.code).toBe(1);
    expect(actions()).toEqual([expect.stringMatching(/^-n 127\.0\.0\.11 cp \/var\/lib\/etcd\/member\/snap\/db \S+\/b\/\.disaster-\w+$/)]);
    const names = fs.readdirSync(path.join(dir, "b")).sort();
    expect(names).toEqual([expect.stringMatching(/^homelab-\d{8}T\d{6}Z-disaster\.db$/), expect.stringMatching(/^homelab-\d{8}T\d{6}Z-disaster\.json$/)]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "b", names[1]), "utf8"))).toMatchObject({ kind: "disaster-copy", node: "k8s-controller1", recoverFlags: ["--recover-skip-hash-check"] });
    expect(result.stdout).toContain("No etcd member is healthy (quorum lost): disaster copy");
  });
});

describe("npm run restore", () => {
  /** A snapshot as backup writes it, in the project. */
  async function withSnapshot(sim: SimulatedCluster, extra: TalosScript = {}) {
    const p = await project(new SimulatedCluster(), { "127.0.0.11 etcd snapshot": { sh: SNAPSHOT_SH } });
    expect((await run("backup", p.dir, p.env, ["--out", "b"])).code).toBe(0);
    const file = path.join(p.dir, "b", fs.readdirSync(path.join(p.dir, "b")).find((name) => name.endsWith(".db"))!);
    writeTalosAnswers(p.env.FAKE_TALOS_DIR, { ...talosctlAnswers(sim), ...extra });
    fs.writeFileSync(p.env.FAKE_TALOS_LOG, "");
    return { ...p, file };
  }

  test.concurrent("fails while etcd has quorum, and says what --force does; nothing is run", async () => {
    const { dir, env, file, actions } = await withSnapshot(new SimulatedCluster());
    const result = await run("restore", dir, env, ["--from", file, "--yes"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/etcd has quorum: 3 of 3 members are healthy/);
    expect(result.stdout).toContain("--force restores anyway");
    expect(actions()).toEqual([]);
  });

  test.concurrent("fails when a node is of machine type init", async () => {
    const { dir, env, file, actions } = await withSnapshot(lost(), {
      "127.0.0.11 get machinetype": '{\n    "metadata": {"id": "machine-type", "type": "MachineTypes.config.talos.dev"},\n    "node": "127.0.0.11",\n    "spec": "init"\n}\n',
    });
    const result = await run("restore", dir, env, ["--from", file, "--yes"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("k8s-controller1 (127.0.0.11) is of machine type init");
    expect(actions()).toEqual([]);
  });

  test.concurrent("fails on a bad checksum before asking the cluster anything", async () => {
    const { dir, env, file } = await withSnapshot(lost());
    fs.appendFileSync(file, "tampered");
    const result = await run("restore", dir, env, ["--from", file, "--yes"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^restore: refused, nothing was changed: --from .* its sha256 is [0-9a-f]{64}, but .* records/);
    expect(fs.readFileSync(env.FAKE_TALOS_LOG, "utf8")).toBe("");
  });

  test.concurrent("--dry-run prints the plan only; without --yes and without a terminal it refuses to ask", async () => {
    const { dir, env, file, actions } = await withSnapshot(lost());
    const dry = await run("restore", dir, env, ["--from", file, "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("k8s-controller1 (127.0.0.11): wipe EPHEMERAL (its etcd data) and reboot, until etcd is Preparing");
    expect(dry.stdout).toContain("not touched: k8s-controller2 (127.0.0.12) does not answer");
    const unattended = await run("restore", dir, env, ["--from", file]);
    expect(unattended.code).toBe(2);
    expect(unattended.stderr).toMatch(/there is no terminal to confirm on; add --yes to run it unattended/);
    expect(actions()).toEqual([]);
  });
});

describe("the talosctl calls of a restore", () => {
  test("reset EPHEMERAL and bootstrap --recover-from, with the exact flags of the disaster-recovery guide", async () => {
    const { env } = await project(lost(), { "127.0.0.11 reset": "", "127.0.0.11 bootstrap": "" });
    const talosconfigPath = path.join(path.dirname(env.FAKE_TALOS_LOG), "talosconfig");
    fs.writeFileSync(talosconfigPath, "context: homelab\n");
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const client = new TalosctlClient({ talosconfigPath, talosconfigText: "", executable: path.join(env.PATH, "talosctl") });
      await client.resetEphemeral("127.0.0.11");
      await client.bootstrapRecover("127.0.0.11", "/b/homelab-x-disaster.db", true);
      await client.bootstrapRecover("127.0.0.11", "/b/homelab-x-rev4193.db", false);
    } finally {
      for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(fs.readFileSync(env.FAKE_TALOS_LOG, "utf8").split("\n").filter(Boolean).map((line) => line.replace(/--talosconfig \S+ /, ""))).toEqual([
      "-n 127.0.0.11 reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL --wait=false",
      "-n 127.0.0.11 bootstrap --recover-from=/b/homelab-x-disaster.db --recover-skip-hash-check",
      "-n 127.0.0.11 bootstrap --recover-from=/b/homelab-x-rev4193.db",
    ]);
  });
});

function lost(): SimulatedCluster {
  const sim = new SimulatedCluster();
  sim.powerOff(sim.node("k8s-controller2"));
  sim.powerOff(sim.node("k8s-controller3"));
  return sim;
}
