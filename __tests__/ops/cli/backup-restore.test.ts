/**
 * `npm run backup` and `npm run restore` end to end: the CLIs as child
 * processes with fake `talosctl` and `terraform` first on PATH, answering as
 * the simulated cluster stands (for a full restore, phase by phase: wiped,
 * bootstrapped, joined); talosctl's arguments are asserted.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { TalosctlClient } from "../../../ops/adapters/talosctl";
import { runOpsCli } from "../../support/run-ops-cli";
import { ApiState, close, fakeApi, listen, mintPki } from "../../support/ops-api";
import { kubeconfigYaml, terraformOutput } from "../../support/cluster-fixture";
import { TalosScript, writeFakeTools, writePhasedTalosAnswers, writeTalosAnswers } from "../../support/fake-tools";
import { SimNode, SimulatedCluster } from "../../support/simulated-cluster";
import { kubernetesApiState } from "../../support/simulated-kubernetes";
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
  test.concurrent("quorum lost (two members' etcd stopped): wipes every control plane, waits for Preparing, bootstraps from the snapshot, waits for the API and the joins, then verify; exit 0", async () => {
    const pki = await minted;
    const { phases, apis, after } = await restorePhases();
    const { dir, env, file } = await withSnapshot(new SimulatedCluster());
    const phaseNow = writePhasedTalosAnswers(env.FAKE_TALOS_DIR, path.join(env.PATH, "talosctl"), phases, after);
    const api = fakeApi(pki, {
      get readyzStatus() {
        return apis[phaseNow()].readyzStatus;
      },
      get nodes() {
        return apis[phaseNow()].nodes;
      },
      get gitVersion() {
        return apis[phaseNow()].gitVersion;
      },
    });
    const port = await listen(api);
    try {
      const facts = { ...new SimulatedCluster().facts, clusterEndpoint: `https://127.0.0.1:${port}` };
      fs.writeFileSync(env.FAKE_TF_OUTPUT, terraformOutput({ facts, kubeconfig: kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey) }));
      const result = await run("restore", dir, env, ["--from", file, "--yes"]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(phaseNow()).toBe("joined");

      // talosctl: the version, the survey (concurrent), then the restore's calls in order, then verify's reads.
      const calls = fs.readFileSync(env.FAKE_TALOS_LOG, "utf8").split("\n").filter(Boolean).map((line) => line.replace(/^--talosconfig \S+ /, ""));
      expect(calls[0]).toBe("version --client --short");
      const survey = ["11", "12", "13"].flatMap((n) => [`-n 127.0.0.${n} service etcd`, `-n 127.0.0.${n} get machinetype -o json`]).concat("-n 127.0.0.21 get machinetype -o json");
      expect(calls.slice(1, 1 + survey.length).sort()).toEqual(survey.sort());
      const bootId = (n: string) => `-n 127.0.0.${n} read /proc/sys/kernel/random/boot_id`;
      const reset = (n: string) => `-n 127.0.0.${n} reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL --wait=false`;
      const etcdService = (n: string) => `-n 127.0.0.${n} service etcd`;
      const restore = [
        ...["11", "12", "13"].flatMap((n) => [bootId(n), reset(n)]),
        // Preparing on every control plane; k8s-controller3, reset last, is still rebooting at the first look.
        ...[bootId("11"), etcdService("11"), bootId("12"), etcdService("12"), bootId("13"), bootId("13"), etcdService("13")],
        `-n 127.0.0.11 bootstrap --recover-from=${file}`,
        // The others join: not yet at the first look, at the second.
        ...["-n 127.0.0.11 etcd members", etcdService("12"), etcdService("13")],
        ...["-n 127.0.0.11 etcd members", etcdService("12"), etcdService("13")],
      ];
      expect(calls.slice(1 + survey.length, 1 + survey.length + restore.length)).toEqual(restore);
      const verifyReads = calls.slice(1 + survey.length + restore.length);
      expect(verifyReads).toContain("-n 127.0.0.11 get addresses -o json");
      expect(verifyReads.filter((line) => / (reset|bootstrap) /.test(`${line} `))).toEqual([]);
      expect(calls.filter((line) => line.includes("--recover-skip-hash-check"))).toEqual([]);

      // A message for every step, in order.
      const lines = result.stdout.split("\n");
      const from = lines.findIndex((line) => line.startsWith("k8s-controller1: wiping EPHEMERAL"));
      const to = lines.findIndex((line) => line.startsWith("Restored from "));
      expect(lines.slice(from, to + 1)).toEqual([
        ...["1", "2", "3"].map((n) => `k8s-controller${n}: wiping EPHEMERAL (talosctl reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL)`),
        "waiting for k8s-controller1, k8s-controller2, k8s-controller3 to reboot with etcd Preparing (up to 15 min)",
        ...["1", "2", "3"].map((n) => `wipe k8s-controller${n}: EPHEMERAL wiped, rebooted, etcd Preparing`),
        `k8s-controller1: talosctl bootstrap --recover-from=${file}`,
        `bootstrap k8s-controller1: etcd recovered from ${file} (revision 4193)`,
        "waiting for the Kubernetes API through the VIP (up to 15 min)",
        "the API answers: /readyz: 200 ok",
        "waiting for k8s-controller2, k8s-controller3 to join etcd (up to 15 min)",
        "the others join: k8s-controller2, k8s-controller3 joined (3 members)",
        `Restored from ${file}; verify: all 10 checks hold`,
      ]);
      expect(lines.slice(0, from)).toContain("  4. k8s-controller1 (127.0.0.11) recovers: talosctl bootstrap --recover-from (the first wiped control plane in the stack's order)");
      expect(result.stdout).toContain(`Restored from ${file}; verify holds.`);

      // verify ran at the end, and every check holds.
      const report = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.out", "ops", "restore.json"), "utf8"));
      expect(report).toMatchObject({ name: "restore", ok: true, data: { outcome: "restored", plan: { wipe: ["k8s-controller1", "k8s-controller2", "k8s-controller3"], recover: "k8s-controller1", down: [] } } });
      expect(report.data.steps.map((s: { step: string; ok: boolean }) => [s.step, s.ok])).toEqual([
        ["wipe k8s-controller1", true],
        ["wipe k8s-controller2", true],
        ["wipe k8s-controller3", true],
        ["bootstrap k8s-controller1", true],
        ["the API answers", true],
        ["the others join", true],
        ["verify", true],
      ]);
      expect(report.data.checks).toHaveLength(10);
      expect(report.data.checks.filter((c: { ok: boolean }) => !c.ok)).toEqual([]);
    } finally {
      await close(api);
    }
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

/**
 * A restore of a cluster whose quorum is lost, phase by phase as talosctl
 * and the Kubernetes API answer it (the simulated cluster's state at each
 * phase), and the calls that move it on: each reset wipes its node, which is
 * back in Preparing by the next reset (the last one at the second look),
 * the bootstrap recovers etcd on k8s-controller1 alone, and the others join
 * after the restore's first look at them.
 */
async function restorePhases() {
  const rebootMs = 90_000;
  const rejoinMs = 20_000;
  const sim = new SimulatedCluster({
    rebootMs,
    rejoinMs,
    faults: [
      { kind: "etcd-stopped", node: "k8s-controller2" },
      { kind: "etcd-stopped", node: "k8s-controller3" },
    ],
  });
  const phases: Record<string, TalosScript> = {};
  const apis: Record<string, ApiState> = {};
  const phase = (name: string, actions: TalosScript = {}) => {
    phases[name] = { ...talosctlAnswers(sim), ...actions };
    apis[name] = kubernetesApiState(sim);
  };
  /** talosctl reset prints nothing with --wait=false; the reboot starts etcd afresh (the stopped service's fault gone with its data). */
  const wipe = (n: SimNode) => {
    sim.heal(n.spec.name);
    sim.wipeEphemeral(n);
  };
  const [cp1, cp2, cp3] = sim.controlPlanes();
  phase("lost", { "127.0.0.11 reset": "" });
  wipe(cp1);
  phase("reset-1", { "127.0.0.12 reset": "" });
  await sim.clock.sleep(rebootMs);
  wipe(cp2);
  phase("reset-2", { "127.0.0.13 reset": "" });
  await sim.clock.sleep(rebootMs);
  wipe(cp3);
  phase("reset-3");
  await sim.clock.sleep(rebootMs);
  phase("preparing", { "127.0.0.11 bootstrap": { sh: BOOTSTRAP_SH } });
  sim.recoverEtcd(cp1, 4193);
  await sim.clock.sleep(rejoinMs);
  phase("recovered");
  await sim.clock.sleep(rejoinMs);
  phase("joined");
  const after = {
    "127.0.0.11 reset": { lost: "reset-1" },
    "127.0.0.12 reset": { "reset-1": "reset-2" },
    "127.0.0.13 reset": { "reset-2": "reset-3" },
    "127.0.0.13 read /proc/sys/kernel/random/boot_id": { "reset-3": "preparing" },
    "127.0.0.11 bootstrap": { preparing: "recovered" },
    "127.0.0.13 service etcd": { recovered: "joined" },
  };
  return { phases, apis, after };
}

/** talosctl bootstrap --recover-from: reads the local file, and (Talos) refuses one without etcd's hash unless told to skip the check; prints nothing. */
const BOOTSTRAP_SH = `for a; do case "$a" in --recover-from=*) f="\${a#--recover-from=}" ;; esac; done
[ -f "$f" ] || { echo "error: open $f: no such file or directory" >&2; exit 1; }
if ! grep -q '"hash":true' "$f"; then
  case " $* " in *" --recover-skip-hash-check "*) ;; *) echo 'error executing bootstrap: rpc error: code = Unknown desc = snapshot missing hash but --skip-hash-check=false' >&2; exit 1 ;; esac
fi
`;
