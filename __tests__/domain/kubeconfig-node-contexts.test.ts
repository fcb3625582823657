/**
 * The `kubeconfig_node_contexts` output's Terraform expression, evaluated by
 * the real `terraform console` (where terraform is installed, as in CI) on a
 * kubeconfig shaped like the one Talos issues.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { kubeconfigWithNodeContexts } from "../../domain";
import { kubeconfigWithServer } from "../../domain/kubeconfig-node-contexts";
import { TERRAFORM_ENV, hasTerraform } from "../support/terraform";

const TALOS_KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: homelab
  cluster:
    server: https://192.168.1.210:6443
    certificate-authority-data: Q0E=
contexts:
- name: admin@homelab
  context:
    cluster: homelab
    namespace: default
    user: admin@homelab
current-context: admin@homelab
users:
- name: admin@homelab
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

const nodes = [
  { name: "k8s-controller1", ip: "192.168.1.211" },
  { name: "k8s-controller2", ip: "192.168.1.212" },
];

/** Evaluates `jsonencode(yamldecode(<the expression>))` with the kubeconfig above as `local.raw`. */
function evaluate(expression: string = kubeconfigWithNodeContexts("local.raw", nodes, 6443)): Record<string, unknown> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-contexts-"));
  try {
    fs.writeFileSync(path.join(dir, "main.tf"), `locals {\n  raw = <<-EOT\n${TALOS_KUBECONFIG.replace(/^/gm, "    ")}  EOT\n}\n`);
    const result = spawnSync("terraform", ["console"], {
      cwd: dir,
      input: `jsonencode(yamldecode(${expression.slice(2, -1)}))\n`,
      encoding: "utf8",
      env: TERRAFORM_ENV,
    });
    expect(result.stderr).toBe("");
    return JSON.parse(JSON.parse(result.stdout.trim()));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test("is one ${...} expression over the raw kubeconfig reference, holding no credential", () => {
  const expression = kubeconfigWithNodeContexts("talos_cluster_kubeconfig.k.kubeconfig_raw", nodes, 6443);
  expect(expression).toMatch(/^\$\{yamlencode\(.*\)\}$/);
  expect(expression).toContain("yamldecode(talos_cluster_kubeconfig.k.kubeconfig_raw)");
  expect(expression).not.toMatch(/BEGIN|client-key-data/);
});

// Evaluated by terraform itself; skipped (and reported as skipped) where it is not installed.
(hasTerraform ? test : test.skip)("adds one context per control plane, named after the node, whose server is its IP; the VIP stays the default", () => {
  const kubeconfig = evaluate();
  expect(kubeconfig["current-context"]).toBe("admin@homelab");
  expect(kubeconfig.clusters).toEqual([
    { name: "homelab", cluster: { server: "https://192.168.1.210:6443", "certificate-authority-data": "Q0E=" } },
    { name: "k8s-controller1", cluster: { server: "https://192.168.1.211:6443", "certificate-authority-data": "Q0E=" } },
    { name: "k8s-controller2", cluster: { server: "https://192.168.1.212:6443", "certificate-authority-data": "Q0E=" } },
  ]);
  expect(kubeconfig.contexts).toEqual([
    { name: "admin@homelab", context: { cluster: "homelab", namespace: "default", user: "admin@homelab" } },
    { name: "k8s-controller1", context: { cluster: "k8s-controller1", namespace: "default", user: "admin@homelab" } },
    { name: "k8s-controller2", context: { cluster: "k8s-controller2", namespace: "default", user: "admin@homelab" } },
  ]);
  expect(kubeconfig.users).toEqual([{ name: "admin@homelab", user: { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" } }]);
});

(hasTerraform ? test : test.skip)("with the fast failover: the default cluster's server is the fast VIP, the node contexts and a talos-vip context stay", () => {
  const fast = "https://192.168.1.209:6443";
  const withContexts = evaluate(kubeconfigWithNodeContexts("local.raw", [...nodes, { name: "talos-vip", ip: "192.168.1.210" }], 6443, fast));
  expect(withContexts["current-context"]).toBe("admin@homelab");
  expect((withContexts.clusters as { name: string; cluster: { server: string } }[]).map(({ name, cluster }) => [name, cluster.server])).toEqual([
    ["homelab", fast],
    ["k8s-controller1", "https://192.168.1.211:6443"],
    ["k8s-controller2", "https://192.168.1.212:6443"],
    ["talos-vip", "https://192.168.1.210:6443"],
  ]);
  const plain = evaluate(kubeconfigWithServer("local.raw", fast));
  expect(plain.clusters).toEqual([{ name: "homelab", cluster: { server: fast, "certificate-authority-data": "Q0E=" } }]);
  expect(plain.users).toEqual([{ name: "admin@homelab", user: { "client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ" } }]);
});
