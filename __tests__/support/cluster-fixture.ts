/**
 * The one cluster of the operator-command tests, and what the stack derives
 * from it: StackFacts like the reference homelab's (three control planes,
 * k8s-controller1..3, one on each of pve1..3, and a worker), its etcd
 * members, its talosconfig, a kubeconfig as the talos provider writes it, and
 * `terraform output -json` of the stack. Every address is a loopback one, so
 * nothing a test runs against it can reach another machine.
 */
import { createHash } from "node:crypto";
import { etcdQuorum, failuresTolerated } from "../../domain/quorum";
import { controlPlanesOf, type ClusterNode, type NodeRecord, type StackFacts } from "../../domain/stack-outputs";
import type { EtcdMember } from "../../ops/contracts";

/** How many nodes of each role; the fixture has 3 control planes and 1 worker. */
export interface ClusterShape {
  readonly controlPlanes?: number;
  readonly workers?: number;
  /** With the fast API failover: its VIP (FAST_VIP), the `fast_vip` output. @default none */
  readonly fastVip?: string;
}

/** The fast API failover's VIP of the fixtures that turn it on (the CLI tests' API certificate is valid for it too). */
export const FAST_VIP = "127.0.0.101";

/**
 * The fixture's cluster with another number of nodes, named and addressed by
 * the same rule: control plane i is k8s-controller<i> on 127.0.0.<10+i>,
 * VM 210+i; worker i is k8s-worker<i> on 127.0.0.<20+i>, VM 220+i; the VMs of
 * each role go to pve1, pve2, pve3 in turn. The VIP is 127.0.0.100.
 */
export function clusterFacts({ controlPlanes = 3, workers = 1, fastVip }: ClusterShape = {}): StackFacts {
  if (controlPlanes > 9 || workers > 9) throw new Error("clusterFacts: at most 9 nodes of a role (their addresses would overlap)");
  const vip = "127.0.0.100";
  const node = (role: ClusterNode["role"], i: number): ClusterNode => {
    const offset = role === "control-plane" ? 10 : 20;
    return {
      name: `${role === "control-plane" ? "k8s-controller" : "k8s-worker"}${i}`,
      ip: `127.0.0.${offset + i}`,
      role,
      vmId: 200 + offset + i,
      proxmoxHost: `pve${((i - 1) % 3) + 1}`,
    };
  };
  const count = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  return {
    clusterName: "homelab",
    vip,
    clusterEndpoint: `https://${vip}:6443`,
    ...(fastVip !== undefined ? { fastVip } : {}),
    nodes: [...count(controlPlanes).map((i) => node("control-plane", i)), ...count(workers).map((i) => node("worker", i))],
    talosVersion: "v1.13.9",
    kubernetesVersion: "v1.36.3",
    installerImageBase: "factory.talos.dev/nocloud-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
  };
}

/** The fixture: k8s-controller1..3 on 127.0.0.11-13 (pve1..3), k8s-worker1 on 127.0.0.21 (pve1), VIP 127.0.0.100. */
export const FACTS: StackFacts = clusterFacts();

/** A control plane's etcd member id: 16 hex digits (`%016x`, as talosctl prints it), fixed by the node's name. */
export function memberId(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 16);
}

/** The etcd members of a healthy cluster: one voter per control plane, peer URL on its IP. */
export function etcdMembers(facts: StackFacts = FACTS): EtcdMember[] {
  return controlPlanesOf(facts).map((n) => ({ id: memberId(n.name), hostname: n.name, peerUrls: [`https://${n.ip}:2380`], isLearner: false }));
}

/** The talosctl configuration the stack writes (context `homelab`, endpoints the control planes' IPs, never the VIP). */
export function talosconfig(endpoints: readonly string[] = controlPlanesOf(FACTS).map((n) => n.ip)): string {
  return `context: homelab
contexts:
    homelab:
        endpoints:
${endpoints.map((e) => `            - ${e}`).join("\n")}
        ca: LS0tLS1CRUdJTi1GQUtFLUNBLS0tLS0K
        crt: LS0tLS1CRUdJTi1GQUtFLUNSVC0tLS0tCg==
        key: LS0tLS1CRUdJTi1GQUtFLUtFWS0tLS0tCg==
`;
}

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

/**
 * `terraform output -json` of the stack (Terraform's format: name ->
 * {sensitive, type, value}). @default facts FACTS, talosconfig with the
 * control planes' IPs, kubeconfig empty
 */
export function terraformOutput(outputs: { readonly facts?: StackFacts; readonly talosconfig?: string; readonly kubeconfig?: string } = {}): string {
  const facts = outputs.facts ?? FACTS;
  const controlPlaneIps = controlPlanesOf(facts).map((n) => n.ip);
  const out = (value: unknown, type: unknown, sensitive = false) => ({ sensitive, type, value });
  const records = facts.nodes.map((n): NodeRecord => ({ ip: n.ip, name: n.name, proxmox_host: n.proxmoxHost, role: n.role, vm_id: n.vmId }));
  return JSON.stringify(
    {
      cluster_endpoint: out(facts.clusterEndpoint, "string"),
      cluster_name: out(facts.clusterName, "string"),
      etcd_failures_tolerated: out(failuresTolerated(controlPlaneIps.length), "number"),
      etcd_quorum: out(etcdQuorum(controlPlaneIps.length), "number"),
      installer_image_base: out(facts.installerImageBase, "string"),
      kubeconfig: out(outputs.kubeconfig ?? "", "string", true),
      kubernetes_version: out(facts.kubernetesVersion, "string"),
      node_ips: out(controlPlaneIps, ["tuple", controlPlaneIps.map(() => "string")]),
      nodes: out(records, ["tuple", records.map(() => ["object", { ip: "string", name: "string", proxmox_host: "string", role: "string", vm_id: "number" }])]),
      talos_version: out(facts.talosVersion, "string"),
      talosconfig: out(outputs.talosconfig ?? talosconfig(controlPlaneIps), "string", true),
      vip: out(facts.vip, "string"),
      ...(facts.fastVip !== undefined ? { fast_vip: out(facts.fastVip, "string") } : {}),
    },
    null,
    2,
  );
}
