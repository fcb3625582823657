/**
 * `npm run verify`: what to observe of the cluster, and the pure checks over
 * what was observed. `observe` asks the clients everything at once and keeps
 * each call's failure in the observation (one failure is reported, not
 * thrown); `verifyChecks` turns facts and observations into CheckResults.
 */
import { etcdQuorum, failuresTolerated } from "../domain/quorum";
import type { CheckResult, ClusterNode, EtcdMember, EtcdStatus, KubeNode, KubernetesClient, ProxmoxHostStatus, ProxmoxHostsClient, StackFacts, TalosClient } from "./contracts";
import { controlPlanesOf, kubeconfigServerOf } from "../domain/stack-outputs";
import { KEEPALIVED_POD_NAME } from "../domain/fast-failover";

/** A client call's answer, or why there is none. */
export type Answer<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** What Talos said about one node. */
export interface NodeObservation {
  readonly node: ClusterNode;
  readonly addresses: Answer<string[]>;
  readonly talosVersion: Answer<string>;
  /** Control planes only. */
  readonly etcdService?: Answer<{ readonly state: string; readonly healthy: boolean }>;
  readonly etcdMembers?: Answer<EtcdMember[]>;
  readonly etcdStatus?: Answer<EtcdStatus>;
}

export interface Observations {
  readonly nodes: readonly NodeObservation[];
  readonly endpoints: Answer<string[]>;
  readonly readyz: Answer<{ readonly ok: boolean; readonly detail: string }>;
  readonly kubeNodes: Answer<KubeNode[]>;
  readonly serverVersion: Answer<string>;
  /** The Proxmox cluster's hosts (`GET /nodes`); asked only when the Proxmox API's variables are set. */
  readonly proxmoxHosts?: Answer<ProxmoxHostStatus[]>;
}

/** Awaits a call, keeping its failure as a message. */
export async function answerOf<T>(call: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** Every question at once (each client call has its own deadline, so this ends when the slowest does). */
export async function observe(
  facts: StackFacts,
  clients: { readonly talos: TalosClient; readonly kubernetes: KubernetesClient; readonly proxmox?: ProxmoxHostsClient },
): Promise<Observations> {
  const { talos, kubernetes, proxmox } = clients;
  const nodes = Promise.all(
    facts.nodes.map(async (node): Promise<NodeObservation> => {
      const controlPlane = node.role === "control-plane";
      const [addresses, talosVersion, etcdService, etcdMembers, etcdStatus] = await Promise.all([
        answerOf(() => talos.addresses(node.ip)),
        answerOf(() => talos.version(node.ip)),
        controlPlane ? answerOf(() => talos.service(node.ip, "etcd")) : undefined,
        controlPlane ? answerOf(() => talos.etcdMembers(node.ip)) : undefined,
        controlPlane ? answerOf(() => talos.etcdStatus(node.ip)) : undefined,
      ]);
      return { node, addresses, talosVersion, etcdService, etcdMembers, etcdStatus };
    }),
  );
  const [nodeObservations, endpoints, readyz, kubeNodes, serverVersion, proxmoxHosts] = await Promise.all([
    nodes,
    answerOf(() => talos.endpoints()),
    answerOf(() => kubernetes.readyz()),
    answerOf(() => kubernetes.nodes()),
    answerOf(() => kubernetes.serverVersion()),
    proxmox === undefined ? undefined : answerOf(() => proxmox.hosts()),
  ]);
  return { nodes: nodeObservations, endpoints, readyz, kubeNodes, serverVersion, ...(proxmoxHosts !== undefined ? { proxmoxHosts } : {}) };
}

/** The IP in an etcd peer URL (`https://10.0.0.1:2380` -> `10.0.0.1`). */
export function peerAddress(url: string): string {
  try {
    return new URL(url).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return url;
  }
}

const sameVersion = (a: string, b: string) => a.replace(/^v/, "") === b.replace(/^v/, "");
const list = (items: readonly string[]) => (items.length === 0 ? "none" : items.join(", "));

/** The member list as the control planes report it: the first answer, and whether the others agree. */
function memberList(observations: Observations): { members?: EtcdMember[]; from?: string; disagree: string[]; errors: string[] } {
  const answers = observations.nodes.filter((o) => o.etcdMembers !== undefined);
  const errors = answers.filter((o) => !o.etcdMembers!.ok).map((o) => `${o.node.name}: ${(o.etcdMembers as { error: string }).error}`);
  const ok = answers.filter((o) => o.etcdMembers!.ok) as (NodeObservation & { etcdMembers: { ok: true; value: EtcdMember[] } })[];
  if (ok.length === 0) return { disagree: [], errors };
  const key = (members: EtcdMember[]) => members.map((m) => m.id).sort().join(",");
  const first = ok[0];
  const disagree = ok.filter((o) => key(o.etcdMembers.value) !== key(first.etcdMembers.value)).map((o) => o.node.name);
  return { members: first.etcdMembers.value, from: first.node.name, disagree, errors };
}

/** The commands verify's advice names, for the cluster it checks. */
export interface OperatorCommands {
  /** Plans and applies without a host: `npm run host-down -- pve1`. */
  readonly hostDown: (host: string) => string;
  readonly backup: string;
  readonly restore: string;
}

/** The commands, with `--cluster NAME` when the project has several clusters (`cluster` set). */
export function operatorCommands(cluster?: string): OperatorCommands {
  const flag = cluster === undefined ? "" : ` --cluster ${cluster}`;
  return {
    hostDown: (host) => `npm run host-down -- ${host}${flag}`,
    backup: `npm run backup${flag ? ` --${flag}` : ""}`,
    restore: `npm run restore -- --from FILE${flag}`,
  };
}

/**
 * Every check of `verify`, in the order the table shows them; the Proxmox
 * hosts' check only when they were asked. Pure.
 */
export function verifyChecks(facts: StackFacts, observations: Observations, commands: OperatorCommands = operatorCommands()): CheckResult[] {
  const hosts = observations.proxmoxHosts === undefined ? [] : [proxmoxHostsCheck(facts, observations.proxmoxHosts, commands.hostDown)];
  return [
    etcdMembersCheck(facts, observations),
    etcdMemberListCheck(facts, observations),
    quorumCheck(facts, observations, commands),
    vipCheck(facts, observations),
    ...(facts.fastVip === undefined ? [] : [fastVipCheck(facts.fastVip, observations)]),
    apiCheck(facts, observations),
    endpointsCheck(facts, observations),
    nodesReadyCheck(facts, observations),
    nodesSchedulableCheck(observations),
    talosVersionCheck(facts, observations),
    kubernetesVersionCheck(facts, observations),
    ...hosts,
  ];
}

function memberOf(node: ClusterNode, members: readonly EtcdMember[]): EtcdMember | undefined {
  return members.find((m) => m.peerUrls.some((url) => peerAddress(url) === node.ip)) ?? members.find((m) => m.hostname === node.name);
}

function etcdMembersCheck(facts: StackFacts, observations: Observations): CheckResult {
  const { members, errors } = memberList(observations);
  const parts: string[] = [];
  let ok = members !== undefined;
  for (const node of controlPlanesOf(facts)) {
    const observation = observations.nodes.find((o) => o.node.name === node.name);
    const service = observation?.etcdService;
    const member = members ? memberOf(node, members) : undefined;
    const started = service?.ok ? etcdServiceText(service.value) : `etcd service unknown (${service?.error ?? "not asked"})`;
    const membership = members === undefined ? "membership unknown" : member === undefined ? "not a member" : member.isLearner ? `learner ${member.id}` : `member ${member.id}`;
    if (!service?.ok || !service.value.healthy || member === undefined || member.isLearner) ok = false;
    parts.push(`${node.name}: ${membership}, ${started}`);
  }
  if (members === undefined) parts.push(`no control plane listed the members (${list(errors)})`);
  return { id: "etcd-members", title: "Every control plane is a started etcd member", ok, seen: parts.join("; ") };
}

/** `etcd Running, healthy`, `etcd Running, not healthy`, or `etcd not running` (stopped, failed, or still starting: talosctl finds no Services resource). */
export function etcdServiceText(service: { readonly state: string; readonly healthy: boolean }): string {
  if (service.state !== "Running") return "etcd not running";
  return `etcd Running, ${service.healthy ? "healthy" : "not healthy"}`;
}

function etcdMemberListCheck(facts: StackFacts, observations: Observations): CheckResult {
  const { members, from, disagree, errors } = memberList(observations);
  const title = "The etcd member list matches the stack";
  if (members === undefined) return { id: "etcd-member-list", title, ok: false, seen: `no member list: ${list(errors)}` };
  const ips = new Set(controlPlanesOf(facts).map((node) => node.ip));
  const names = new Set(controlPlanesOf(facts).map((node) => node.name));
  const strays = members.filter((m) => !m.peerUrls.some((url) => ips.has(peerAddress(url))) && !(m.peerUrls.length === 0 && names.has(m.hostname)));
  const describe = (m: EtcdMember) => `${m.hostname || "(no name)"} ${m.id} ${list(m.peerUrls.map(peerAddress))}${peerUrlsHold(m, facts.vip) ? " (the VIP)" : ""}`;
  const parts = [`${members.length} members (as ${from} lists them): ${members.map((m) => m.hostname || m.id).join(", ")}`];
  if (strays.length > 0) parts.push(`stray: ${strays.map(describe).join("; ")}`);
  if (disagree.length > 0) parts.push(`${list(disagree)} list${disagree.length === 1 ? "s" : ""} other members`);
  return { id: "etcd-member-list", title, ok: strays.length === 0 && disagree.length === 0 && members.length === ips.size, seen: parts.join("; ") };
}

function peerUrlsHold(member: EtcdMember, address: string): boolean {
  return member.peerUrls.some((url) => peerAddress(url) === address);
}

function quorumCheck(facts: StackFacts, observations: Observations, commands: OperatorCommands): CheckResult {
  const { members } = memberList(observations);
  const designed = controlPlanesOf(facts).length;
  const live = controlPlanesOf(facts).filter((node) => {
    const observation = observations.nodes.find((o) => o.node.name === node.name);
    return observation?.etcdService?.ok === true && observation.etcdService.value.healthy && members !== undefined && memberOf(node, members) !== undefined;
  });
  const n = live.length;
  const leaders = new Set(
    observations.nodes.flatMap((o) => (o.etcdStatus?.ok && /[1-9a-f]/i.test(o.etcdStatus.value.leader) ? [o.etcdStatus.value.leader] : [])),
  );
  const leaderMember = members?.find((m) => leaders.has(m.id));
  const leader = leaders.size === 0 ? "no leader seen" : leaders.size > 1 ? `leaders disagree: ${[...leaders].join(", ")}` : `leader ${leaderMember?.hostname || [...leaders][0]}`;
  const quorum = n === 0 ? 1 : etcdQuorum(n);
  const tolerated = n === 0 ? 0 : failuresTolerated(n);
  const seenText = `${n} live of ${designed}: quorum ${quorum}, tolerates ${tolerated} failure${tolerated === 1 ? "" : "s"} (the stack's ${designed} tolerate ${failuresTolerated(designed)}); ${leader}`;
  const advice = designed > 0 && n < etcdQuorum(designed) ? `; ${quorumLostAdvice(facts, observations, commands)}` : "";
  return { id: "etcd-quorum", title: "etcd quorum and failures tolerated", ok: n > 0 && tolerated >= failuresTolerated(designed) && leaders.size === 1, seen: seenText + advice };
}

/** How each control plane stands when quorum is lost. */
export type QuorumLostStanding = "healthy" | "holds data" | "down" | "data lost";

/**
 * A control plane when etcd has no quorum: `holds data` (Talos answers and
 * etcd runs, waiting for its peers), `down` (Talos does not answer: down or
 * unreachable, its data unknown but likely intact), or `data lost` (Talos
 * answers but etcd does not run: Preparing after a wipe or a rebuilt VM, or
 * failed).
 */
export function quorumLostStanding(observation: NodeObservation | undefined, member: boolean): QuorumLostStanding {
  if (observation === undefined) return "down";
  const service = observation.etcdService;
  if (service?.ok && service.value.healthy && member) return "healthy";
  const answers = observation.addresses.ok || observation.talosVersion.ok || service?.ok === true;
  if (!answers || !service?.ok) return "down";
  return service.value.state === "Running" ? "holds data" : "data lost";
}

/**
 * verify's advice when quorum is lost: "bring one member back" when enough
 * members are only down (their data intact) that quorum returns with them,
 * naming them; otherwise "restore", with the commands. Pure.
 */
export function quorumLostAdvice(facts: StackFacts, observations: Observations, commands: Pick<OperatorCommands, "backup" | "restore"> = operatorCommands()): string {
  const { members } = memberList(observations);
  const controlPlanes = controlPlanesOf(facts);
  const standing = controlPlanes.map((node) => ({
    node,
    standing: quorumLostStanding(
      observations.nodes.find((o) => o.node.name === node.name),
      members === undefined || memberOf(node, members) !== undefined,
    ),
  }));
  const named = (s: QuorumLostStanding) => standing.filter((x) => x.standing === s).map((x) => x.node.name);
  const quorum = etcdQuorum(controlPlanes.length);
  const holding = named("holds data").length + named("healthy").length;
  const down = named("down");
  const lost = named("data lost");
  const restore = `restore: \`${commands.backup}\` (a snapshot, or the disaster copy of the newest member's data when none is healthy), then \`${commands.restore}\` with it or an older snapshot (docs/quorum-lost.md)`;
  const lostText = lost.length > 0 ? ` (${lost.join(", ")}: etcd does not run, its data is gone)` : "";
  if (holding + down.length >= quorum && down.length > 0) {
    const need = quorum - holding;
    return `quorum lost: bring ${need === 1 ? "one member" : `${need} members`} back: ${down.join(" or ")} ${down.length === 1 ? "is" : "are"} down or unreachable and quorum returns with ${need === 1 ? (down.length === 1 ? "it" : "either") : "them"}, their data intact (start its VM, fix its host or network)${lostText}; only if ${need === 1 ? "none" : "they"} can return, ${restore}`;
  }
  return `quorum lost: ${restore}: ${holding + down.length} of ${controlPlanes.length} members can still hold data${lostText}, quorum needs ${quorum}`;
}

function vipCheck(facts: StackFacts, observations: Observations): CheckResult {
  const holders = observations.nodes.filter((o) => o.addresses.ok && o.addresses.value.includes(facts.vip)).map((o) => o.node);
  const unknown = observations.nodes.filter((o) => !o.addresses.ok && o.node.role === "control-plane");
  const holderText = holders.length === 0 ? "no node holds it" : holders.length === 1 ? `${holders[0].name} (${holders[0].ip})` : `${holders.length} nodes hold it: ${holders.map((h) => h.name).join(", ")}`;
  const unknownText = unknown.length > 0 ? `; unknown for ${unknown.map((o) => `${o.node.name} (${(o.addresses as { error: string }).error})`).join(", ")}` : "";
  return { id: "vip-holder", title: `Exactly one node holds the VIP ${facts.vip}`, ok: holders.length === 1 && unknown.length === 0, seen: holderText + unknownText };
}


/**
 * The fast API failover's VIP (keepalived, VRRP): exactly one control plane
 * holds it. None: keepalived does not run, or every holder candidate's
 * /readyz fails (its fence); two or more: split brain, the VRRP adverts do
 * not reach the peers.
 */
function fastVipCheck(fastVip: string, observations: Observations): CheckResult {
  const title = `Exactly one control plane holds the fast VIP ${fastVip}`;
  const holders = observations.nodes.filter((o) => o.addresses.ok && o.addresses.value.includes(fastVip)).map((o) => o.node);
  const unknown = observations.nodes.filter((o) => !o.addresses.ok && o.node.role === "control-plane");
  const workers = holders.filter((h) => h.role !== "control-plane");
  const unknownText = unknown.length > 0 ? `; unknown for ${unknown.map((o) => `${o.node.name} (${(o.addresses as { error: string }).error})`).join(", ")}` : "";
  const workerText = workers.length > 0 ? `; ${list(workers.map((w) => w.name))} ${workers.length === 1 ? "is a worker" : "are workers"}: keepalived runs only on control planes, so another host has the address configured` : "";
  let holderText: string;
  if (holders.length === 0) {
    holderText =
      `no control plane holds it: keepalived is not running (its static pod; \`kubectl --context talos-vip -n kube-system logs ${KEEPALIVED_POD_NAME}-<node>\` says why), ` +
      `or every control plane's /readyz fails and each gave the address up (see the etcd and API rows); meanwhile the kubeconfig's server does not answer: use Talos's VIP (kubectl --context talos-vip)`;
  } else if (holders.length === 1) {
    holderText = `${holders[0].name} (${holders[0].ip})`;
  } else {
    holderText =
      `${holders.length} nodes hold it: ${holders.map((h) => `${h.name} (${h.ip})`).join(", ")}: split brain, their VRRP adverts (IP protocol 112, unicast to the peers) do not reach each other ` +
      `(a firewall or a partition between them, or another VRRP router with the same virtual router id); clients reach whichever answered ARP last`;
  }
  return { id: "fast-vip-holder", title, ok: holders.length === 1 && workers.length === 0 && unknown.length === 0, seen: holderText + workerText + unknownText };
}

function apiCheck(facts: StackFacts, observations: Observations): CheckResult {
  const title = `The API answers through the ${facts.fastVip === undefined ? "VIP" : "fast VIP"} (TLS verified, /readyz)`;
  const url = `${kubeconfigServerOf(facts)}/readyz`;
  if (!observations.readyz.ok) return { id: "api-readyz", title, ok: false, seen: `${url}: ${observations.readyz.error}` };
  return { id: "api-readyz", title, ok: observations.readyz.value.ok, seen: `${url}: ${observations.readyz.value.detail}` };
}

function endpointsCheck(facts: StackFacts, observations: Observations): CheckResult {
  const title = "talosconfig endpoints are the node IPs, not the VIP";
  if (!observations.endpoints.ok) return { id: "talosconfig-endpoints", title, ok: false, seen: observations.endpoints.error };
  const endpoints = observations.endpoints.value;
  const ips = new Set(controlPlanesOf(facts).map((node) => node.ip));
  const problems = [
    ...(endpoints.length === 0 ? ["no endpoint"] : []),
    ...endpoints.filter((e) => e === facts.vip).map((e) => `${e} is the VIP`),
    ...endpoints.filter((e) => facts.fastVip !== undefined && e === facts.fastVip).map((e) => `${e} is the fast VIP`),
    ...endpoints.filter((e) => e !== facts.vip && e !== facts.fastVip && !ips.has(e)).map((e) => `${e} is not a control plane`),
  ];
  return { id: "talosconfig-endpoints", title, ok: problems.length === 0, seen: `${list(endpoints)}${problems.length > 0 ? ` (${problems.join("; ")})` : ""}` };
}

function nodesReadyCheck(facts: StackFacts, observations: Observations): CheckResult {
  const title = "Every Kubernetes node is Ready";
  if (!observations.kubeNodes.ok) return { id: "nodes-ready", title, ok: false, seen: observations.kubeNodes.error };
  const kubeNodes = observations.kubeNodes.value;
  const missing = facts.nodes.filter((node) => !kubeNodes.some((k) => k.name === node.name)).map((node) => node.name);
  const notReady = kubeNodes.filter((k) => !k.ready).map((k) => k.name);
  const ready = kubeNodes.filter((k) => k.ready).map((k) => k.name);
  const extra = kubeNodes.filter((k) => !facts.nodes.some((node) => node.name === k.name)).map((k) => k.name);
  const parts = [`Ready: ${list(ready)}`];
  if (notReady.length > 0) parts.push(`NotReady: ${list(notReady)}`);
  if (missing.length > 0) parts.push(`not registered: ${list(missing)}`);
  if (extra.length > 0) parts.push(`not in the stack: ${list(extra)}`);
  return { id: "nodes-ready", title, ok: notReady.length === 0 && missing.length === 0, seen: parts.join("; ") };
}

/** A cordoned node takes no new pods; an upgrade or drain stopped before its uncordon leaves one, and nothing else undoes it. */
function nodesSchedulableCheck(observations: Observations): CheckResult {
  const title = "No Kubernetes node is left cordoned";
  if (!observations.kubeNodes.ok) return { id: "nodes-schedulable", title, ok: false, seen: observations.kubeNodes.error };
  const cordoned = observations.kubeNodes.value.filter((k) => k.unschedulable).map((k) => k.name);
  if (cordoned.length === 0) return { id: "nodes-schedulable", title, ok: true, seen: "none cordoned" };
  const commands = cordoned.map((name) => `\`kubectl uncordon ${name}\``).join(", ");
  return { id: "nodes-schedulable", title, ok: false, seen: `cordoned (spec.unschedulable): ${list(cordoned)}; once it is meant to take pods again: ${commands}` };
}

function talosVersionCheck(facts: StackFacts, observations: Observations): CheckResult {
  const byVersion = new Map<string, string[]>();
  for (const o of observations.nodes) {
    const key = o.talosVersion.ok ? o.talosVersion.value : `unknown (${o.talosVersion.error})`;
    byVersion.set(key, [...(byVersion.get(key) ?? []), o.node.name]);
  }
  const ok = observations.nodes.length > 0 && observations.nodes.every((o) => o.talosVersion.ok && sameVersion(o.talosVersion.value, facts.talosVersion));
  const seenText = [...byVersion].map(([version, names]) => (byVersion.size === 1 ? `${version} on every node` : `${version}: ${names.join(", ")}`)).join("; ");
  return { id: "talos-version", title: `Talos runs ${facts.talosVersion}`, ok, seen: seenText };
}

function kubernetesVersionCheck(facts: StackFacts, observations: Observations): CheckResult {
  const parts: string[] = [];
  let ok = true;
  if (observations.serverVersion.ok) {
    parts.push(`API server ${observations.serverVersion.value}`);
    if (!sameVersion(observations.serverVersion.value, facts.kubernetesVersion)) ok = false;
  } else {
    parts.push(`API server version unknown (${observations.serverVersion.error})`);
    ok = false;
  }
  if (observations.kubeNodes.ok) {
    const off = observations.kubeNodes.value.filter((k) => !sameVersion(k.kubeletVersion, facts.kubernetesVersion));
    parts.push(off.length === 0 ? `kubelet ${facts.kubernetesVersion} on every node` : `kubelet ${off.map((k) => `${k.kubeletVersion || "unknown"} on ${k.name}`).join(", ")}`);
    if (off.length > 0) ok = false;
  }
  return { id: "kubernetes-version", title: `Kubernetes runs ${facts.kubernetesVersion}`, ok, seen: parts.join("; ") };
}

/** The hosts of the stack (its VMs' Proxmox hosts, in the stack's order) that the Proxmox API does not list as online. */
export function hostsNotOnline(facts: Pick<StackFacts, "nodes">, statuses: readonly ProxmoxHostStatus[]): { readonly host: string; readonly status: string; readonly vms: string[] }[] {
  const hosts = [...new Set(facts.nodes.map((node) => node.proxmoxHost))];
  return hosts.flatMap((host) => {
    const status = statuses.find((entry) => entry.node === host)?.status ?? "not listed";
    return status === "online" ? [] : [{ host, status, vms: facts.nodes.filter((node) => node.proxmoxHost === host).map((node) => node.name) }];
  });
}

/** What verify says of a host that is not online: its VMs, and the command that plans and applies without it. */
export function hostDownLine(down: { readonly host: string; readonly status: string; readonly vms: readonly string[] }, hostDownCommand: (host: string) => string): string {
  const state = down.status === "offline" ? "is offline" : down.status === "not listed" ? "is not in the Proxmox cluster (GET /nodes does not list it)" : `is not online (${down.status})`;
  return `Proxmox host ${down.host} ${state}: its VMs (${down.vms.join(", ")}) are down unless Proxmox HA restarted them on another host; plan and apply the rest with \`${hostDownCommand(down.host)}\``;
}

function proxmoxHostsCheck(facts: StackFacts, answer: Answer<ProxmoxHostStatus[]>, hostDownCommand: (host: string) => string): CheckResult {
  const title = "Every Proxmox host of the stack is online";
  if (!answer.ok) return { id: "proxmox-hosts", title, ok: false, seen: `the Proxmox API did not say: ${answer.error}` };
  const down = hostsNotOnline(facts, answer.value);
  const hosts = [...new Set(facts.nodes.map((node) => node.proxmoxHost))];
  if (down.length === 0) return { id: "proxmox-hosts", title, ok: true, seen: `${list(hosts)} online` };
  return { id: "proxmox-hosts", title, ok: false, seen: down.map((host) => hostDownLine(host, hostDownCommand)).join("; ") };
}

/**
 * Nothing answered at all: one line instead of a table of the same failure
 * (naming the Proxmox hosts that are down, when asked, and what to do when
 * every control plane is down).
 */
export function unreachable(observations: Observations, facts?: Pick<StackFacts, "nodes">, commands: OperatorCommands = operatorCommands()): string | undefined {
  const hostDownCommand = commands.hostDown;
  const talosErrors = observations.nodes.flatMap((o) => [o.addresses, o.talosVersion]).filter((s) => !s.ok) as { error: string }[];
  const talosAll = talosErrors.length === observations.nodes.length * 2;
  if (!talosAll || observations.readyz.ok) return undefined;
  const hosts = facts !== undefined && observations.proxmoxHosts?.ok ? hostsNotOnline(facts, observations.proxmoxHosts.value).map((down) => `; ${hostDownLine(down, hostDownCommand)}`) : [];
  const allDown = facts === undefined ? "" : `; if every control plane is down, start them (their etcd data returns with them), and run verify again: it says whether to bring a member back or to restore (${commands.restore})`;
  return `cluster unreachable: talosctl: ${talosErrors[0]?.error ?? "no answer"}; Kubernetes API: ${observations.readyz.error}${hosts.join("")}${allDown}`;
}
