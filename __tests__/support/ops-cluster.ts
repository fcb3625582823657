/**
 * A simulated cluster for the operator-command tests: stack facts, what
 * talosctl v1.13.9 prints for it (shapes from Talos's source, see
 * ops/adapters/talosctl-output.ts), `terraform output -json`, and fake
 * `talosctl` / `terraform` executables. Loopback addresses only: nothing here
 * sends traffic anywhere.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackFacts } from "../../ops/contracts";

export const VIP = "127.0.0.100";

export const FACTS: StackFacts = {
  clusterName: "homelab",
  vip: VIP,
  clusterEndpoint: `https://${VIP}:6443`,
  nodes: [
    { name: "k8s-controller1", ip: "127.0.0.11", role: "control-plane", vmId: 211, proxmoxHost: "pve1" },
    { name: "k8s-controller2", ip: "127.0.0.12", role: "control-plane", vmId: 212, proxmoxHost: "pve2" },
    { name: "k8s-controller3", ip: "127.0.0.13", role: "control-plane", vmId: 213, proxmoxHost: "pve3" },
    { name: "k8s-worker1", ip: "127.0.0.21", role: "worker", vmId: 221, proxmoxHost: "pve1" },
  ],
  talosVersion: "v1.13.9",
  kubernetesVersion: "v1.36.3",
  installerImageBase: "factory.talos.dev/nocloud-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
};

export const MEMBER_IDS: Record<string, string> = {
  "k8s-controller1": "3a9c5e1f0b2d4c6e",
  "k8s-controller2": "8e2f61d0c4b7a953",
  "k8s-controller3": "c1d7e9a0b3f45621",
};

/** Go's text/tabwriter as talosctl configures it (minwidth 0, padding 3, spaces): cells padded to their column, the last cell as is. */
export function tabwriter(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] + 3) : cell)).join("")).join("\n") + "\n";
}

export interface SimMember {
  readonly hostname: string;
  readonly ip: string;
  readonly id: string;
  readonly learner?: boolean;
}

export const HEALTHY_MEMBERS: SimMember[] = FACTS.nodes.filter((n) => n.role === "control-plane").map((n) => ({ hostname: n.name, ip: n.ip, id: MEMBER_IDS[n.name] }));

/** `talosctl -n <node> etcd members` (etcd.go:223-258). */
export function etcdMembersOutput(node: string, members: readonly SimMember[]): string {
  return tabwriter([
    ["NODE", "ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"],
    ...members.map((m) => [node, m.id, m.hostname, `https://${m.ip}:2380`, `https://${m.ip}:2379`, String(m.learner ?? false)]),
  ]);
}

/** `talosctl -n <node> etcd status` (etcd.go:283-326). */
export function etcdStatusOutput(node: string, memberId: string, leader: string): string {
  return tabwriter([
    ["NODE", "MEMBER", "DB SIZE", "IN USE", "LEADER", "RAFT INDEX", "RAFT TERM", "RAFT APPLIED INDEX", "LEARNER", "PROTOCOL", "STORAGE", "ERRORS"],
    [node, memberId, "25 MB", "12 MB (48.10%)", leader, "51234", "7", "51234", "false", "3.6.0", "3.6.0", ""],
  ]);
}

/** One resource as `talosctl get -o json` prints it (output/json.go: a map with metadata, node and spec, json.Encoder with a 4-space indent). */
export function resourceJson(node: string, type: string, namespace: string, id: string, spec: unknown): string {
  const data = {
    metadata: { created: "2026-01-10T09:12:44Z", id, namespace, owner: "", phase: "running", type, updated: "2026-01-10T09:12:44Z", version: 1 },
    node,
    spec,
  };
  return JSON.stringify(data, null, 4) + "\n";
}

/** `talosctl -n <node> get addresses -o json`: loopback, the node IP, and `extra` (e.g. the VIP, which Talos adds as a /32). */
export function addressesOutput(node: string, ip: string, extra: readonly string[] = []): string {
  const address = (cidr: string, link: string, scope: string) =>
    resourceJson(node, "AddressStatuses.net.talos.dev", "network", `${link}/${cidr}`, {
      address: cidr,
      local: cidr.split("/")[0],
      linkIndex: link === "lo" ? 1 : 2,
      linkName: link,
      family: "inet4",
      scope,
      flags: "permanent",
      priority: 0,
    });
  return [address("127.0.0.1/8", "lo", "host"), address(`${ip}/24`, "eth0", "global"), ...extra.map((a) => address(`${a}/32`, "eth0", "global"))].join("");
}

export function versionOutput(node: string, version: string): string {
  return resourceJson(node, "Versions.runtime.talos.dev", "runtime", "version", { name: "Talos", version });
}

export function serviceOutput(node: string, id: string, running: boolean, healthy: boolean): string {
  return resourceJson(node, "Services.v1alpha1.talos.dev", "runtime", id, { running, healthy, unknown: false });
}

export const TALOSCONFIG = (endpoints: readonly string[]) => `context: homelab
contexts:
    homelab:
        endpoints:
${endpoints.map((e) => `            - ${e}`).join("\n")}
        ca: LS0tLS1CRUdJTi1GQUtFLUNBLS0tLS0K
        crt: LS0tLS1CRUdJTi1GQUtFLUNSVC0tLS0tCg==
        key: LS0tLS1CRUdJTi1GQUtFLUtFWS0tLS0tCg==
`;

/** A kubeconfig as the talos provider writes it (base64 *-data fields). */
export function kubeconfigYaml(server: string, ca: string, cert: string, key: string): string {
  const b64 = (pem: string) => Buffer.from(pem).toString("base64");
  return `apiVersion: v1
kind: Config
clusters:
    - name: homelab
      cluster:
        server: ${server}
        certificate-authority-data: ${b64(ca)}
users:
    - name: admin@homelab
      user:
        client-certificate-data: ${b64(cert)}
        client-key-data: ${b64(key)}
contexts:
    - context:
        cluster: homelab
        namespace: default
        user: admin@homelab
      name: admin@homelab
current-context: admin@homelab
`;
}

/** `terraform output -json` of the stack (Terraform's format: name -> {sensitive, type, value}). */
export function terraformOutput(facts: StackFacts, talosconfig: string, kubeconfig: string): string {
  const out = (value: unknown, type: unknown, sensitive = false) => ({ sensitive, type, value });
  return JSON.stringify(
    {
      cluster_endpoint: out(facts.clusterEndpoint, "string"),
      cluster_name: out(facts.clusterName, "string"),
      etcd_failures_tolerated: out(1, "number"),
      etcd_quorum: out(2, "number"),
      installer_image_base: out(facts.installerImageBase, "string"),
      kubeconfig: out(kubeconfig, "string", true),
      kubernetes_version: out(facts.kubernetesVersion, "string"),
      node_ips: out(facts.nodes.filter((n) => n.role === "control-plane").map((n) => n.ip), ["tuple", ["string", "string", "string"]]),
      nodes: out(
        facts.nodes.map((n) => ({ ip: n.ip, name: n.name, proxmox_host: n.proxmoxHost, role: n.role, vm_id: n.vmId })),
        ["tuple", facts.nodes.map(() => ["object", { ip: "string", name: "string", proxmox_host: "string", role: "string", vm_id: "number" }])],
      ),
      talos_version: out(facts.talosVersion, "string"),
      talosconfig: out(talosconfig, "string", true),
      vip: out(facts.vip, "string"),
    },
    null,
    2,
  );
}

/** What the fake talosctl answers: "<node> <command words>" -> stdout, or {stderr, code}; {sleepMs} to hang; {sh} runs a shell script (an action changing later answers). */
export type TalosScript = Record<string, string | { readonly stderr: string; readonly code: number } | { readonly sleepMs: number } | { readonly sh: string }>;

/** The healthy cluster's answers: controller1 holds the VIP, controller2 leads etcd. */
export function healthyTalosScript(facts: StackFacts = FACTS): TalosScript {
  const script: TalosScript = {};
  for (const node of facts.nodes) {
    script[`${node.ip} get addresses`] = addressesOutput(node.ip, node.ip, node.name === "k8s-controller1" ? [facts.vip] : []);
    script[`${node.ip} get version`] = versionOutput(node.ip, facts.talosVersion);
    if (node.role === "control-plane") {
      script[`${node.ip} get services etcd`] = serviceOutput(node.ip, "etcd", true, true);
      script[`${node.ip} etcd members`] = etcdMembersOutput(node.ip, HEALTHY_MEMBERS);
      script[`${node.ip} etcd status`] = etcdStatusOutput(node.ip, MEMBER_IDS[node.name], MEMBER_IDS["k8s-controller2"]);
    }
  }
  return script;
}

/** File name of an answer: the key with spaces and slashes as `_`. */
export const answerName = (key: string) => key.replace(/[ /]/g, "_");

/** Writes a TalosScript as the answer files the fake talosctl reads ($FAKE_TALOS_DIR/<key>.out, .err + .code, .sleep or .sh). */
export function writeTalosAnswers(dir: string, script: TalosScript): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [key, answer] of Object.entries(script)) {
    const base = path.join(dir, answerName(key));
    if (typeof answer === "string") fs.writeFileSync(`${base}.out`, answer);
    else if ("sleepMs" in answer) fs.writeFileSync(`${base}.sleep`, String(Math.ceil(answer.sleepMs / 1000)));
    else if ("sh" in answer) fs.writeFileSync(`${base}.sh`, answer.sh);
    else {
      fs.writeFileSync(`${base}.err`, answer.stderr);
      fs.writeFileSync(`${base}.code`, String(answer.code));
    }
  }
}

/**
 * Writes the fake executables: `talosctl`, a POSIX shell script answering from
 * $FAKE_TALOS_DIR (shell, not node: twenty of them start at once, and a
 * loaded two-core machine must not push them past the CLI's deadlines), and
 * `terraform`, printing $FAKE_TF_OUTPUT's file or failing like an
 * uninitialised folder.
 */
export function writeFakeTools(binDir: string, tools: readonly ("talosctl" | "terraform")[] = ["talosctl", "terraform"]): void {
  fs.mkdirSync(binDir, { recursive: true });
  // The tests' PATH holds only the fakes; the scripts find cat, tr and sleep themselves.
  const talosctl = `#!/bin/sh
PATH=/usr/bin:/bin
if [ "$1" = version ] && [ "$2" = --client ]; then printf 'Client:\\n\\tTag:         v1.13.9\\n'; exit 0; fi
node=""; words=""
while [ $# -gt 0 ]; do
  case "$1" in
    --talosconfig) [ -f "$2" ] || { echo "talosconfig missing" >&2; exit 1; }; shift 2 ;;
    -n) node="$2"; shift 2 ;;
    -o) shift 2 ;;
    -*) shift ;;
    *) words="$words $1"; shift ;;
  esac
done
key=$(printf '%s%s' "$node" "$words" | tr ' /' '__')
base="$FAKE_TALOS_DIR/$key"
if [ -f "$base.sh" ]; then exec sh "$base.sh"; fi
if [ -f "$base.out" ]; then exec cat "$base.out"; fi
if [ -f "$base.sleep" ]; then exec sleep "$(cat "$base.sleep")"; fi
if [ -f "$base.err" ]; then cat "$base.err" >&2; exit "$(cat "$base.code")"; fi
echo "error: rpc error: code = Unavailable desc = connection error: dial tcp $node:50000: connect: no route to host" >&2
exit 1
`;
  const terraform = `#!/bin/sh
PATH=/usr/bin:/bin
[ "$1" = output ] || exit 1
if [ -z "$FAKE_TF_OUTPUT" ] || [ ! -f "$FAKE_TF_OUTPUT" ]; then echo 'Error: Backend initialization required, please run "terraform init"' >&2; exit 1; fi
exec cat "$FAKE_TF_OUTPUT"
`;
  if (tools.includes("talosctl")) fs.writeFileSync(path.join(binDir, "talosctl"), talosctl, { mode: 0o755 });
  if (tools.includes("terraform")) fs.writeFileSync(path.join(binDir, "terraform"), terraform, { mode: 0o755 });
}
