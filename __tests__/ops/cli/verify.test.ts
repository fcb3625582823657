/**
 * `npm run verify` end to end: the CLI as a child process, with fake
 * `talosctl` and `terraform` executables first on PATH and a local HTTPS API
 * on 127.0.0.1 (loopback only; no real cluster, no network).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderMarkdown, renderTable } from "../../../ops/report";
import { verifyReport } from "../../../ops/cli/verify";
import { PROXMOX_TOKEN, fakeProxmox } from "../../support/fake-proxmox";
import { runOpsCli } from "../../support/run-ops-cli";
import { close, fakeApi, listen, mintPki } from "../../support/ops-api";
import { FAST_VIP, clusterFacts, kubeconfigYaml, terraformOutput } from "../../support/cluster-fixture";
import { writeFakeTools, writeTalosAnswers } from "../../support/fake-tools";
import { SimulatedCluster } from "../../support/simulated-cluster";
import { kubernetesApiState } from "../../support/simulated-kubernetes";
import { talosctlAnswers } from "../../support/simulated-talos";

// The children's own temporary folder: other suites' commands (drill, upgrade) make private folders too, at the same time.
const suiteTmp = fs.mkdtempSync(path.join(os.tmpdir(), "ops-verify-tmp-"));
const minted = mintPki();

const runVerify = (project: string, env: NodeJS.ProcessEnv, args: string[] = []) => runOpsCli("verify", project, suiteTmp, env, args, 60_000);
/** The healthy cluster the commands look at: k8s-controller1 holds the VIP, k8s-controller2 leads etcd. */
const healthy = new SimulatedCluster({ vipHolder: "k8s-controller1", etcdLeader: "k8s-controller2" });

/** A project folder with the stack's folder, fake tools, and the talosctl answers. */
function project(options: { withState: boolean; tools: ("talosctl" | "terraform")[]; kubeconfig?: string; apiPort?: number }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ops-verify-"));
  fs.mkdirSync(path.join(dir, "cdktf.out", "stacks", "homelab"), { recursive: true });
  // As a synth leaves it: the stack folder holds its cdk.tf.json (a local backend).
  fs.writeFileSync(path.join(dir, "cdktf.out", "stacks", "homelab", "cdk.tf.json"), "{}\n");
  writeFakeTools(path.join(dir, "bin"), options.tools);
  const facts = { ...healthy.facts, clusterEndpoint: `https://127.0.0.1:${options.apiPort ?? 6443}` };
  writeTalosAnswers(path.join(dir, "talos"), talosctlAnswers(healthy));
  if (options.withState) fs.writeFileSync(path.join(dir, "tf.json"), terraformOutput({ facts, kubeconfig: options.kubeconfig ?? "" }));
  const env = { PATH: path.join(dir, "bin"), FAKE_TALOS_DIR: path.join(dir, "talos"), FAKE_TF_OUTPUT: path.join(dir, "tf.json") };
  return { dir, env };
}

const privateFolders = () => fs.readdirSync(suiteTmp).filter((name) => name.startsWith("homelab-ops-"));

describe("npm run verify", () => {
  test.concurrent("a healthy cluster: a table, reports under cdktf.out/ops, exit 0, no secret printed, no credentials left behind", async () => {
    const pki = await minted;
    const api = fakeApi(pki, kubernetesApiState(healthy));
    const port = await listen(api);
    const kubeconfig = kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey);
    const { dir, env } = project({ withState: true, tools: ["talosctl", "terraform"], kubeconfig, apiPort: port });
    try {
      const run = await runVerify(dir, env);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("verify: cluster homelab");
      expect(run.stdout).toMatch(/ok\s+Exactly one node holds the VIP 127\.0\.0\.100\s+k8s-controller1 \(127\.0\.0\.11\)/);
      expect(run.stdout).toContain("All 10 checks hold.");
      expect(run.stdout).not.toContain("BEGIN");
      expect(run.stdout).not.toContain(Buffer.from(pki.clientKey).toString("base64").slice(0, 40));
      const json = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.out", "ops", "verify.json"), "utf8"));
      expect(json).toMatchObject({ name: "verify", ok: true });
      expect(fs.readFileSync(path.join(dir, "cdktf.out", "ops", "verify.md"), "utf8")).toContain("| ok | Every control plane is a started etcd member |");

      const asJson = await runVerify(dir, env, ["--json"]);
      expect(asJson.code).toBe(0);
      expect(JSON.parse(asJson.stdout).data.checks).toHaveLength(10);
    } finally {
      await close(api);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.concurrent("a failing check: the table says which, exit 1", async () => {
    const pki = await minted;
    // The worker is NotReady.
    const state = kubernetesApiState(healthy);
    const api = fakeApi(pki, { ...state, nodes: state.nodes.map((n) => ({ ...n, ready: n.name !== "k8s-worker1" })) });
    const port = await listen(api);
    const { dir, env } = project({ withState: true, tools: ["talosctl", "terraform"], kubeconfig: kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey), apiPort: port });
    try {
      const run = await runVerify(dir, env);
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/FAIL\s+Every Kubernetes node is Ready\s+Ready: k8s-controller1, k8s-controller2, k8s-controller3; NotReady:\s+k8s-worker1/);
      expect(run.stdout).toContain("1 of 10 checks fail: nodes-ready.");
    } finally {
      await close(api);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.concurrent("with the Proxmox API's variables set, names a host that is offline, its VMs and npm run host-down; the token never shows", async () => {
    const pki = await minted;
    const api = fakeApi(pki, kubernetesApiState(healthy));
    const port = await listen(api);
    const proxmox = await fakeProxmox(pki);
    proxmox.hosts = [
      { node: "pve1", status: "online" },
      { node: "pve2", status: "offline" },
      { node: "pve3", status: "online" },
    ];
    const proxmoxPort = await listen(proxmox.server);
    const { dir, env } = project({ withState: true, tools: ["talosctl", "terraform"], kubeconfig: kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey), apiPort: port });
    const caFile = path.join(dir, "proxmox-ca.pem");
    fs.writeFileSync(caFile, pki.ca);
    try {
      const run = await runVerify(dir, { ...env, PROXMOX_VE_ENDPOINT: `https://127.0.0.1:${proxmoxPort}/`, PROXMOX_VE_API_TOKEN: PROXMOX_TOKEN, NODE_EXTRA_CA_CERTS: caFile });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(1);
      expect(proxmox.requests).toEqual(["GET /api2/json/nodes"]);
      expect(run.stdout).toMatch(/FAIL\s+Every Proxmox host of the stack is online\s+Proxmox host pve2 is offline/);
      expect(run.stdout).toContain("1 of 11 checks fail: proxmox-hosts.");
      expect(`${run.stdout}${run.stderr}`).not.toContain(PROXMOX_TOKEN.split("=")[1]);
      const checks = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.out", "ops", "verify.json"), "utf8")).data.checks as { id: string; seen: string }[];
      expect(checks.find((check) => check.id === "proxmox-hosts")!.seen).toBe(
        "Proxmox host pve2 is offline: its VMs (k8s-controller2) are down unless Proxmox HA restarted them on another host; plan and apply the rest with `npm run host-down -- pve2`",
      );
    } finally {
      await close(api);
      await close(proxmox.server);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails in one line, not a hang, when talosctl is not installed", async () => {
    const { dir, env } = project({ withState: true, tools: ["terraform"], kubeconfig: kubeconfigYaml("https://127.0.0.1:6443", "ca", "cert", "key") });
    try {
      const run = await runVerify(dir, env);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe("verify: talosctl is not installed (see docs/operations.md)\n");
      expect(run.stdout).toBe("");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("with several clusters synthesized, fails in one line naming them, and reads the one --cluster names", async () => {
    const { dir, env } = project({ withState: false, tools: ["talosctl", "terraform"] });
    try {
      // GIVEN a second cluster's stack beside homelab's
      fs.mkdirSync(path.join(dir, "cdktf.out", "stacks", "lab"));
      fs.writeFileSync(path.join(dir, "cdktf.out", "stacks", "lab", "cdk.tf.json"), "{}\n");
      // WHEN no cluster is named, or one that is not there, or one that is
      const [unnamed, unknown, named] = await Promise.all([runVerify(dir, env), runVerify(dir, env, ["--cluster", "prod"]), runVerify(dir, env, ["--cluster", "lab"])]);
      // THEN
      expect([unnamed.code, unnamed.stderr]).toEqual([2, "verify: there are several clusters (homelab, lab): name one with --cluster NAME\n"]);
      expect([unknown.code, unknown.stderr]).toEqual([2, "verify: no cluster named prod here; the clusters are: homelab, lab\n"]);
      expect([named.code, named.stderr]).toEqual([2, "verify: no Terraform state in cdktf.out/stacks/lab: deploy first, or give --talosconfig and --kubeconfig\n"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails in one line saying to move the state, not to deploy, when the cluster's state is still terraform.homelab.tfstate", async () => {
    const { dir, env } = project({ withState: false, tools: ["talosctl", "terraform"] });
    try {
      // GIVEN only cluster lab, with a local backend, and the state file from before stacks were named after their cluster
      fs.rmSync(path.join(dir, "cdktf.out", "stacks", "homelab"), { recursive: true });
      fs.mkdirSync(path.join(dir, "cdktf.out", "stacks", "lab"));
      fs.writeFileSync(path.join(dir, "cdktf.out", "stacks", "lab", "cdk.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "../../../terraform.lab.tfstate" } } } }));
      fs.writeFileSync(path.join(dir, "terraform.homelab.tfstate"), "{}");
      const run = await runVerify(dir, env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^verify: terraform\.homelab\.tfstate in the project folder .* mv terraform\.homelab\.tfstate terraform\.lab\.tfstate\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails in one line when there is no Terraform state", async () => {
    const { dir, env } = project({ withState: false, tools: ["talosctl", "terraform"] });
    try {
      const run = await runVerify(dir, env);
      expect(run.code).toBe(2);
      expect(run.stderr).toBe("verify: no Terraform state in cdktf.out/stacks/homelab: deploy first, or give --talosconfig and --kubeconfig\n");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails in one line, not a hang, when the cluster does not answer", async () => {
    // talosctl answers nothing (every node: no route to host); the API port is closed.
    const { dir, env } = project({ withState: true, tools: ["talosctl", "terraform"], kubeconfig: kubeconfigYaml("https://127.0.0.1:1", (await minted).ca, (await minted).clientCert, (await minted).clientKey) });
    writeTalosAnswers(env.FAKE_TALOS_DIR, {});
    try {
      const run = await runVerify(dir, env);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split("\n")).toHaveLength(1);
      expect(run.stderr).toMatch(/^verify: cluster unreachable: talosctl: talosctl -n 127\.0\.0\.\d+ get \w+ (failed \(exit 1\): .*no route to host|did not answer within \d+ s \(killed\)); Kubernetes API: GET \/readyz: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test.concurrent("with the fast API failover: checks that exactly one control plane holds the fast VIP, and fails on a split brain", async () => {
    const pki = await minted;
    // GIVEN the fast VIP on k8s-controller2 (Talos's on k8s-controller1), and the API behind it, where the kubeconfig points
    const sim = new SimulatedCluster({ facts: clusterFacts({ fastVip: FAST_VIP }), vipHolder: "k8s-controller1", etcdLeader: "k8s-controller2", fastVipHolders: ["k8s-controller2"] });
    const api = fakeApi(pki, kubernetesApiState(sim));
    const port = await listen(api, 0, FAST_VIP);
    const { dir, env } = project({ withState: false, tools: ["talosctl", "terraform"] });
    const facts = { ...sim.facts, clusterEndpoint: `https://127.0.0.100:${port}` };
    fs.writeFileSync(path.join(dir, "tf.json"), terraformOutput({ facts, kubeconfig: kubeconfigYaml(`https://${FAST_VIP}:${port}`, pki.ca, pki.clientCert, pki.clientKey) }));
    writeTalosAnswers(path.join(dir, "talos"), talosctlAnswers(sim));
    try {
      // WHEN / THEN
      const run = await runVerify(dir, env);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(/ok\s+Exactly one control plane holds the fast VIP 127\.0\.0\.101\s+k8s-controller2 \(127\.0\.0\.12\)/);
      expect(run.stdout).toMatch(/ok\s+Exactly one node holds the VIP 127\.0\.0\.100\s+k8s-controller1 \(127\.0\.0\.11\)/);
      expect(run.stdout).toMatch(/ok\s+The API answers through the fast VIP \(TLS verified, \/readyz\)\s+https:\/\/127\.0\.0\.101:\d+\/readyz: /);
      expect(run.stdout).toContain("All 11 checks hold.");
      expect(run.code).toBe(0);

      // GIVEN k8s-controller3 claims it too (its VRRP adverts lost)
      sim.fastVipHolders.push("k8s-controller3");
      writeTalosAnswers(path.join(dir, "talos"), talosctlAnswers(sim));
      const split = await runVerify(dir, env);
      expect(split.code).toBe(1);
      const checks = JSON.parse(fs.readFileSync(path.join(dir, "cdktf.out", "ops", "verify.json"), "utf8")).data.checks as { id: string; ok: boolean; seen: string }[];
      expect(checks.find((check) => check.id === "fast-vip-holder")).toMatchObject({ ok: false, seen: expect.stringMatching(/^2 nodes hold it: k8s-controller2 \(127\.0\.0\.12\), k8s-controller3 \(127\.0\.0\.13\): split brain/) });
      expect(split.stdout).toContain("1 of 11 checks fail: fast-vip-holder.");
    } finally {
      await close(api);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("leaves no private credentials folder behind", () => {
    // Runs after the concurrent ones above have finished (jest runs concurrent tests first).
    expect(privateFolders()).toEqual([]);
  });
});

describe("the verify report", () => {
  test("Markdown escapes pipes; the table wraps long cells", () => {
    const report = verifyReport("homelab", [{ id: "x", title: "A | B", ok: true, seen: "seen" }]);
    expect(renderMarkdown(report)).toContain("| ok | A \\| B | seen |");
    expect(renderTable(["a", "b"], [["1", "word ".repeat(20).trim()]], 20).split("\n").length).toBeGreaterThan(3);
  });
});
