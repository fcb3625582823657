/**
 * `npm run drill -- --mode graceful|crash` end to end: the CLI as a child
 * process, with fake `talosctl` and `terraform` first on PATH, a local HTTPS
 * API standing for the VIP and a fake Proxmox API, all on 127.0.0.1. When
 * the CLI takes the holder down (talosctl reboot, or Proxmox status/stop),
 * the test closes the API for a measured gap and moves the VIP in talosctl's
 * answers, as Talos would; the CLI's real prober must see that window.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import type { StackFacts } from "../../../ops/contracts";
import { FakeProxmox, PROXMOX_TOKEN, fakeProxmox } from "../../support/fake-proxmox";
import { CliRun, runOpsCli } from "../../support/run-ops-cli";
import { close, fakeApi, listen, mintPki } from "../../support/ops-api";
import { FAST_VIP, clusterFacts, kubeconfigYaml, terraformOutput } from "../../support/cluster-fixture";
import { TalosScript, answerName, writeFakeTools, writeTalosAnswers } from "../../support/fake-tools";
import { SimulatedCluster } from "../../support/simulated-cluster";
import { kubernetesApiState } from "../../support/simulated-kubernetes";
import { talosctlAnswers } from "../../support/simulated-talos";
import { addressesOutput } from "../../support/talosctl-output";
import type * as https from "node:https";

// The children's own temporary folder (their private credentials folders land there), apart from other suites'.
const suiteTmp = fs.mkdtempSync(path.join(os.tmpdir(), "ops-drill-tmp-"));
const minted = mintPki();
/** The gap the test makes in the API's answers. */
const GAP_MS = 600;

const runDrillCli = (project: string, env: NodeJS.ProcessEnv, args: string[]) => runOpsCli("drill", project, suiteTmp, env, args, 110_000);
/** The cluster before each drill: k8s-controller1 holds the VIP, k8s-controller2 leads etcd. */
const healthy = new SimulatedCluster({ vipHolder: "k8s-controller1", etcdLeader: "k8s-controller2" });

interface Cluster {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly api: https.Server;
  readonly port: number;
  readonly talosDir: string;
  readonly facts: StackFacts;
}

/** A project folder with state, fake tools, the healthy cluster's answers and a local API. */
async function cluster(extra: TalosScript = {}): Promise<Cluster> {
  const pki = await minted;
  const api = fakeApi(pki, kubernetesApiState(healthy));
  const port = await listen(api);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-drill-"));
  fs.mkdirSync(path.join(dir, "cdktf.out", "stacks", "homelab"), { recursive: true });
  // As a synth leaves it: the stack folder holds its cdk.tf.json (a local backend).
  fs.writeFileSync(path.join(dir, "cdktf.out", "stacks", "homelab", "cdk.tf.json"), "{}\n");
  writeFakeTools(path.join(dir, "bin"));
  const facts = { ...healthy.facts, clusterEndpoint: `https://127.0.0.1:${port}` };
  const talosDir = path.join(dir, "talos");
  writeTalosAnswers(talosDir, { ...talosctlAnswers(healthy), ...extra });
  const kubeconfig = kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey);
  fs.writeFileSync(path.join(dir, "tf.json"), terraformOutput({ facts, kubeconfig }));
  const env = { PATH: path.join(dir, "bin"), FAKE_TALOS_DIR: talosDir, FAKE_TF_OUTPUT: path.join(dir, "tf.json") };
  return { dir, env, api, port, talosDir, facts };
}

/** The VIP moves from controller1 to controller2 in talosctl's answers; controller1 answers nothing while `down`. */
function moveVip(c: Cluster, controller1: "down" | "up"): void {
  const file = (key: string) => path.join(c.talosDir, `${answerName(key)}.out`);
  fs.writeFileSync(file("127.0.0.12 get addresses"), addressesOutput("127.0.0.12", "127.0.0.12", [c.facts.vip]));
  if (controller1 === "down") fs.rmSync(file("127.0.0.11 get addresses"), { force: true });
  else fs.writeFileSync(file("127.0.0.11 get addresses"), addressesOutput("127.0.0.11", "127.0.0.11"));
}

/** Closes the API, waits GAP_MS, listens again on the same port; resolves to the gap it made. */
async function apiGap(c: Cluster): Promise<number> {
  const closed = performance.now();
  await close(c.api);
  await new Promise((resolve) => setTimeout(resolve, GAP_MS));
  await listen(c.api, c.port);
  return performance.now() - closed;
}

/** Until the drill's talosctl reboot reached the fake; if the drill ends first (refused, say), fails with what it printed. */
async function rebootSeen(c: Cluster, run: Promise<CliRun>): Promise<void> {
  let ended: CliRun | undefined;
  void run.then((r) => (ended = r));
  const marker = path.join(c.talosDir, "rebooted");
  while (!fs.existsSync(marker)) {
    if (ended) throw new Error(`the drill ended before rebooting (exit ${ended.code}):\n${ended.stdout}${ended.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function report(c: Cluster) {
  return JSON.parse(fs.readFileSync(path.join(c.dir, "cdktf.out", "ops", "drill.json"), "utf8"));
}

async function cleanUp(c: Cluster, proxmox?: FakeProxmox): Promise<void> {
  await close(c.api);
  if (proxmox) await close(proxmox.server);
  fs.rmSync(c.dir, { recursive: true, force: true });
}

describe("npm run drill -- --mode", () => {
  test.concurrent("graceful: reboots the VIP holder, measures the window the API really had, and reports it", async () => {
    const c = await cluster({
      // talosctl reboot of controller1: note it, for the test to make the gap and move the VIP.
      "127.0.0.11 reboot": { sh: 'touch "$FAKE_TALOS_DIR/rebooted"' },
    });
    try {
      const run = runDrillCli(c.dir, c.env, ["--mode", "graceful", "--yes"]);
      await rebootSeen(c, run);
      moveVip(c, "up");
      const gap = await apiGap(c);
      const { code, stdout, stderr } = await run;
      const trial = report(c).data.trials[0];
      expect(stderr).toBe("");
      expect(stdout).toContain("trial 1: the VIP is on k8s-controller1; etcd leader k8s-controller2; taking k8s-controller1 down (talosctl reboot)");
      expect(trial).toMatchObject({ mode: "graceful", target: "k8s-controller1", oldHolder: "k8s-controller1", newHolder: "k8s-controller2", targetLedEtcd: false, etcdLeaderBefore: "k8s-controller2" });
      // The window spans the gap the test made (it can only be longer), plus sampling and handshakes on a loaded machine:
      // 5 s of slack still ties it to this 0.6 s gap, far from a crash's 40 s.
      expect(trial.outageMs).toBeGreaterThanOrEqual(GAP_MS);
      expect(trial.outageMs).toBeLessThanOrEqual(gap + 5_000);
      expect(trial.verdict).toBe(trial.outageMs <= 1_000 ? "as expected" : "slower than expected");
      expect(code).toBe(trial.verdict === "as expected" ? 0 : 1);
      expect(stdout).toMatch(/1 graceful trial\(s\)\n\s+expected under 1 s: 1 trial\(s\)/);
      expect(fs.readFileSync(path.join(c.dir, "cdktf.out", "ops", "drill.md"), "utf8")).toMatch(/\| 1 \| k8s-controller1 \(reboot\) \| k8s-controller1 -> k8s-controller2 \| k8s-controller2 \|/);
      expect(stdout).not.toContain("BEGIN");
    } finally {
      await cleanUp(c);
    }
  });

  test.concurrent("crash: powers the holder's VM off through the Proxmox API, starts it again after the window, and compares with 40-60 s", async () => {
    const c = await cluster();
    const proxmox = await fakeProxmox(minted, [211, 212, 213]);
    // As many homelabs grant it: a role on a pool of the VMs (the API answers 0 for each privilege), and tasks that end with warnings.
    proxmox.acls = [{ path: "/pool/k8s", privileges: ["VM.Audit", "VM.PowerMgmt"] }];
    proxmox.pools = { k8s: [211, 212, 213] };
    proxmox.exitstatus = "WARNINGS: 1";
    const pport = await listen(proxmox.server);
    const caFile = path.join(c.dir, "proxmox-ca.pem");
    fs.writeFileSync(caFile, (await minted).ca);
    let gap: Promise<number> | undefined;
    proxmox.onPower = (vmId, action) => {
      if (vmId !== 211) return;
      if (action === "stop") {
        moveVip(c, "down");
        gap = apiGap(c);
      } else moveVip(c, "up");
    };
    try {
      const run = await runDrillCli(c.dir, { ...c.env, PROXMOX_VE_ENDPOINT: `https://127.0.0.1:${pport}/`, PROXMOX_VE_API_TOKEN: PROXMOX_TOKEN, NODE_EXTRA_CA_CERTS: caFile }, ["--mode", "crash", "--yes", "--json"]);
      const json = JSON.parse(run.stdout);
      const trial = json.data.trials[0];
      expect(trial).toMatchObject({ mode: "crash", target: "k8s-controller1", newHolder: "k8s-controller2", expected: { label: "40-60 s" }, verdict: "faster than expected" });
      expect(trial.outageMs).toBeGreaterThanOrEqual(GAP_MS);
      expect(trial.outageMs).toBeLessThanOrEqual((await gap!) + 5_000);
      // Stopped, seen stopped, then started again: in that order, and only VM 211.
      const power = proxmox.requests.filter((r) => r.startsWith("POST"));
      expect(power).toEqual(["POST /api2/json/nodes/pve1/qemu/211/status/stop", "POST /api2/json/nodes/pve1/qemu/211/status/start"]);
      expect(proxmox.vms.get(211)?.status).toBe("running");
      expect(run.code).toBe(1); // a 0.6 s "crash" is not what Talos's lease predicts
      expect(json.ok).toBe(false);
      expect(run.stderr).not.toContain("secret");
      expect(run.stderr).toMatch(/VM 211 off after .*; its stop task ended with 1 warning\(s\), which is a success/);
    } finally {
      await cleanUp(c, proxmox);
    }
  });

  test("fails in one line, touching nothing, without a terminal to confirm on and no --yes", async () => {
    const c = await cluster({ "127.0.0.11 reboot": { sh: 'touch "$FAKE_TALOS_DIR/rebooted"' } });
    try {
      const run = await runDrillCli(c.dir, c.env, ["--mode", "graceful"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe("drill: This will reboot the VIP holder (talosctl reboot) of cluster homelab, 1 time(s), one trial at a time.: there is no terminal to confirm on; add --yes to run it unattended\n");
      expect(fs.existsSync(path.join(c.talosDir, "rebooted"))).toBe(false);
    } finally {
      await cleanUp(c);
    }
  });

  test.concurrent("crash mode fails in one line when the Proxmox variables are not set", async () => {
    const c = await cluster();
    try {
      const run = await runDrillCli(c.dir, c.env, ["--mode", "crash", "--yes"]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^drill: PROXMOX_VE_ENDPOINT and PROXMOX_VE_API_TOKEN are not set: the crash mode powers a VM off/);
    } finally {
      await cleanUp(c);
    }
  });

  test("fails in one line, not a hang, when the cluster does not answer", async () => {
    const c = await cluster();
    writeTalosAnswers(c.talosDir, {}); // every node: no route to host
    await close(c.api); // and the API port closed
    try {
      const run = await runDrillCli(c.dir, c.env, ["--mode", "graceful", "--yes"]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^drill: cluster unreachable: talosctl: .*(no route to host|did not answer within \d+ s \(killed\)); Kubernetes API: GET \/readyz: connection refused/);
      expect(run.stdout).toBe("");
    } finally {
      fs.rmSync(c.dir, { recursive: true, force: true });
    }
  });

  test.concurrent("refuses, touching nothing, when verify fails, and says why", async () => {
    const c = await cluster({ "127.0.0.11 reboot": { sh: 'touch "$FAKE_TALOS_DIR/rebooted"' }, "127.0.0.13 get services etcd": { stderr: "rpc error: code = Unavailable", code: 1 } });
    try {
      const run = await runDrillCli(c.dir, c.env, ["--mode", "graceful", "--yes"]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain("Refused, nothing was touched:");
      expect(run.stdout).toMatch(/verify failed: Every control plane is a started etcd member: .*k8s-controller3: member c0c6f6ef6338adab, etcd service unknown/);
      expect(run.stdout).toContain("etcd has 2 of 3 members healthy and needs 2: it tolerates no further failure now");
      expect(fs.existsSync(path.join(c.talosDir, "rebooted"))).toBe(false);
    } finally {
      await cleanUp(c);
    }
  });

  test.each([
    [["--trials", "2"], /--mode is required: use --mode graceful \(talosctl reboot\) or --mode crash/],
    [["--mode", "reboot"], /--mode "reboot" is not a mode/],
    [["--mode", "graceful", "--trials", "0"], /--trials "0": a whole number of trials from 1 to 20/],
  ])("fails on bad arguments %j in one line", async (args, message) => {
    const { parseDrillModeArgs } = await import("../../../ops/cli/drill");
    expect(() => parseDrillModeArgs(args)).toThrow(message);
  });

  test.concurrent("with the fast API failover: probes the fast VIP the kubeconfig names, reboots its holder (not Talos's VIP's), and says so", async () => {
    const pki = await minted;
    // GIVEN Talos's VIP on k8s-controller1, the fast VIP on k8s-controller2, the API listening on the fast VIP (the kubeconfig's server)
    const sim = new SimulatedCluster({ facts: clusterFacts({ fastVip: FAST_VIP }), vipHolder: "k8s-controller1", etcdLeader: "k8s-controller3", fastVipHolders: ["k8s-controller2"] });
    const api = fakeApi(pki, kubernetesApiState(sim));
    const port = await listen(api, 0, FAST_VIP);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-drill-"));
    fs.mkdirSync(path.join(dir, "cdktf.out", "stacks", "homelab"), { recursive: true });
    fs.writeFileSync(path.join(dir, "cdktf.out", "stacks", "homelab", "cdk.tf.json"), "{}\n");
    writeFakeTools(path.join(dir, "bin"));
    const talosDir = path.join(dir, "talos");
    writeTalosAnswers(talosDir, { ...talosctlAnswers(sim), "127.0.0.12 reboot": { sh: 'touch "$FAKE_TALOS_DIR/rebooted"' } });
    const facts = { ...sim.facts, clusterEndpoint: `https://127.0.0.100:${port}` };
    fs.writeFileSync(path.join(dir, "tf.json"), terraformOutput({ facts, kubeconfig: kubeconfigYaml(`https://${FAST_VIP}:${port}`, pki.ca, pki.clientCert, pki.clientKey) }));
    const env = { PATH: path.join(dir, "bin"), FAKE_TALOS_DIR: talosDir, FAKE_TF_OUTPUT: path.join(dir, "tf.json") };
    const c: Cluster = { dir, env, api, port, talosDir, facts };
    try {
      // WHEN the drill reboots k8s-controller2, keepalived moves the fast VIP to k8s-controller3 after a gap
      const run = runDrillCli(dir, env, ["--mode", "graceful", "--yes"]);
      await rebootSeen(c, run);
      const file = (key: string) => path.join(talosDir, `${answerName(key)}.out`);
      fs.writeFileSync(file("127.0.0.13 get addresses"), addressesOutput("127.0.0.13", "127.0.0.13", [FAST_VIP]));
      fs.writeFileSync(file("127.0.0.12 get addresses"), addressesOutput("127.0.0.12", "127.0.0.12"));
      await close(api);
      await new Promise((resolve) => setTimeout(resolve, GAP_MS));
      await listen(api, port, FAST_VIP);
      const { stdout, stderr } = await run;
      // THEN
      expect(stderr).toBe("");
      expect(stdout).toContain(`Measuring the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback: probing https://127.0.0.101:${port}.`);
      expect(stdout).toContain("trial 1: the fast VIP 127.0.0.101 is on k8s-controller2; etcd leader k8s-controller3; taking k8s-controller2 down (talosctl reboot)");
      const json = report(c);
      expect(json.data.measured).toMatchObject({ kind: "fast", address: FAST_VIP, server: `https://127.0.0.101:${port}` });
      expect(json.data.trials[0]).toMatchObject({ target: "k8s-controller2", oldHolder: "k8s-controller2", newHolder: "k8s-controller3", vip: "fast" });
      expect(json.data.trials[0].outageMs).toBeGreaterThanOrEqual(GAP_MS);
      const markdown = fs.readFileSync(path.join(dir, "cdktf.out", "ops", "drill.md"), "utf8");
      expect(markdown).toContain("| Fast VIP before -> after |");
      expect(markdown).toContain(`Measured: the fast VIP 127.0.0.101 (keepalived), which clients use; Talos's VIP 127.0.0.100 is the fallback (probing https://127.0.0.101:${port}).`);
      expect(stdout).not.toContain("BEGIN");
    } finally {
      await cleanUp(c);
    }
  });

  test("leaves no private credentials folder behind", () => {
    // Runs after the concurrent ones above have finished (jest runs concurrent tests first).
    expect(fs.readdirSync(suiteTmp).filter((name) => name.startsWith("homelab-ops-"))).toEqual([]);
  });
});
