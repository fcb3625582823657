/**
 * An in-memory Talos cluster for tests of the operator commands: it
 * implements TalosClient and KubernetesClient over a simulated clock, so an
 * upgrade of many nodes with 15-minute timeouts runs in milliseconds.
 *
 * What it models, because the orchestration depends on it: an upgrade or a
 * reboot takes the node down for `rebootMs` (Talos calls to it fail, its
 * Kubernetes node is NotReady, its etcd member unhealthy), then it comes back
 * with a new boot ID (and the new version), Ready and its member healthy
 * after `rejoinMs`; the VIP moves to another control plane when its holder
 * goes down, and etcd elects another leader when the leader does; Kubernetes
 * answers only through a VIP holder while etcd has quorum.
 *
 * For the drill: the VIP may take a while to move (`gracefulVipMoveMs`,
 * `crashVipMoveMs`, plus `leaderElectionMs` when the crashed holder led
 * etcd), `proxmox` powers VMs off and on, and `startProbe` reports what a
 * prober of the VIP would have seen, every 100 ms of simulated time.
 *
 * Failures are injected with `inject` (see `Fault`), at any step.
 */
import { etcdQuorum } from "../domain/quorum";
import type { CheckResult, ClusterNode, EtcdMember, EtcdStatus, KubeNode, KubernetesClient, ProxmoxClient, StackFacts, TalosClient } from "./contracts";
import type { ProbeSession } from "./probe";
import type { ProbeResult } from "./outage-windows";
import type { Clock } from "./poll";

type Method = keyof TalosClient | keyof KubernetesClient | keyof ProxmoxClient;

/** A failure to inject. Node faults name the node by name (`cp2`). */
export type Fault =
  /** `talosctl upgrade` of this node fails (nothing changes on the node). */
  | { readonly kind: "upgrade-fails"; readonly node: string }
  /** The node goes down for its next reboot and never comes back. */
  | { readonly kind: "never-returns"; readonly node: string }
  /** The node comes back from its next upgrade on its old version (Talos rolled back). */
  | { readonly kind: "boots-old-version"; readonly node: string }
  /** The node's etcd member is unhealthy (now, and until cleared with `heal`). */
  | { readonly kind: "etcd-unhealthy"; readonly node: string }
  /** The Kubernetes API does not answer. */
  | { readonly kind: "api-down" }
  /** The VIP never moves off this node's failure (no other node takes it). */
  | { readonly kind: "vip-stuck" }
  /** The Proxmox token lacks VM.PowerMgmt. */
  | { readonly kind: "no-power-privilege" }
  /** Any client call fails: `times` calls (default every one) from the `after`-th matching call on (default the first). */
  | { readonly kind: "call-fails"; readonly method: Method; readonly node?: string; readonly after?: number; readonly times?: number };

export interface SimulatedClusterProps {
  readonly facts: StackFacts;
  /** Per-node Talos version; @default facts.talosVersion for every node */
  readonly talosVersions?: Readonly<Record<string, string>>;
  /** @default - the first control plane */
  readonly vipHolder?: string;
  /** @default - the first control plane */
  readonly etcdLeader?: string;
  /** How long a reboot keeps a node down. @default 90_000 */
  readonly rebootMs?: number;
  /** After boot, until the node is Ready and its etcd member healthy. @default 20_000 */
  readonly rejoinMs?: number;
  readonly faults?: readonly Fault[];
  /** After a graceful reboot of the holder, until another node holds the VIP. @default 0 */
  readonly gracefulVipMoveMs?: number;
  /** After the holder's VM is powered off, until another node holds the VIP (the lease expiring). @default 0 */
  readonly crashVipMoveMs?: number;
  /** Added to `crashVipMoveMs` when the crashed holder led etcd. @default 0 */
  readonly leaderElectionMs?: number;
  /** VMs managed by Proxmox HA (their status says so). @default none */
  readonly haManaged?: readonly string[];
}

interface SimNode {
  readonly spec: ClusterNode;
  version: string;
  boot: number;
  /** Down until this time (undefined: up). */
  downUntil?: number;
  /** Back but not yet Ready / etcd healthy until this time. */
  rejoinUntil?: number;
  nextVersion?: string;
  lost: boolean;
  /** Powered off through Proxmox, until started. */
  poweredOff: boolean;
  kubeletVersion: string;
}

/** A simulated cluster; `talos`, `kube` and `clock` are what the orchestration gets. */
export class SimulatedCluster {
  readonly facts: StackFacts;
  /** Mutating calls, in order: `upgrade cp2 <image>`, `forfeitEtcdLeadership cp1`, `reboot cp3`, `upgradeKubernetes cp1 v1.36.4`. */
  readonly actions: string[] = [];
  /** Every client call, in order: `version cp1`, `nodes`, ... */
  readonly calls: string[] = [];
  readonly talos: TalosClient;
  readonly kube: KubernetesClient;
  readonly proxmox: ProxmoxClient;
  readonly clock: Clock;
  vipHolder: string | undefined;
  etcdLeader: string | undefined;
  kubernetesVersion: string;
  private time = 0;
  private readonly nodes: Map<string, SimNode>;
  private readonly rebootMs: number;
  private readonly rejoinMs: number;
  private faults: Fault[];
  private readonly callCounts = new Map<string, number>();
  private readonly gracefulVipMoveMs: number;
  private readonly crashVipMoveMs: number;
  private readonly leaderElectionMs: number;
  private readonly haManaged: readonly string[];
  /** No node may take the VIP before this time (the old holder's lease). */
  private vipFreeAt = 0;
  /** When the API through the VIP started or stopped answering: [time, up]. */
  private readonly apiTimeline: [number, boolean][] = [];

  constructor(props: SimulatedClusterProps) {
    this.facts = props.facts;
    this.kubernetesVersion = props.facts.kubernetesVersion;
    this.rebootMs = props.rebootMs ?? 90_000;
    this.rejoinMs = props.rejoinMs ?? 20_000;
    this.faults = [...(props.faults ?? [])];
    this.gracefulVipMoveMs = props.gracefulVipMoveMs ?? 0;
    this.crashVipMoveMs = props.crashVipMoveMs ?? 0;
    this.leaderElectionMs = props.leaderElectionMs ?? 0;
    this.haManaged = props.haManaged ?? [];
    this.nodes = new Map(
      props.facts.nodes.map((spec) => [
        spec.name,
        {
          spec,
          version: props.talosVersions?.[spec.name] ?? props.facts.talosVersion,
          boot: 1,
          lost: false,
          poweredOff: false,
          kubeletVersion: props.facts.kubernetesVersion,
        },
      ]),
    );
    const firstControlPlane = props.facts.nodes.find((n) => n.role === "control-plane")?.name;
    this.vipHolder = props.vipHolder ?? firstControlPlane;
    this.etcdLeader = props.etcdLeader ?? firstControlPlane;
    this.clock = {
      now: () => this.time,
      sleep: async (ms: number) => {
        this.time += ms;
        this.tick();
      },
    };
    this.talos = this.talosClient();
    this.kube = this.kubeClient();
    this.proxmox = this.proxmoxClient();
    this.recordApi(0);
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  /** Clears every fault naming this node (or every fault); a node that never returned boots now. */
  heal(node?: string): void {
    this.faults = node === undefined ? [] : this.faults.filter((f) => !("node" in f) || f.node !== node);
    for (const n of this.nodes.values()) {
      if (n.lost && (node === undefined || n.spec.name === node)) {
        n.lost = false;
        n.downUntil = this.time + this.rebootMs;
      }
    }
    this.tick();
  }

  /** Name -> version, for assertions. */
  versions(): Record<string, string> {
    return Object.fromEntries([...this.nodes.values()].map((n) => [n.spec.name, n.version]));
  }

  bootCount(name: string): number {
    return this.node(name).boot;
  }

  isUp(name: string): boolean {
    const n = this.node(name);
    return n.downUntil === undefined && !n.lost && !n.poweredOff;
  }

  /** Whether the API answered through the VIP at simulated time `at`. */
  apiUpAt(at: number): boolean {
    let up = false;
    for (const [time, state] of this.apiTimeline) {
      if (time > at) break;
      up = state;
    }
    return up;
  }

  /** A prober of the VIP over simulated time: one probe every `intervalMs`, each answering as the API did when it started. */
  startProbe(intervalMs = 100): ProbeSession {
    const origin = this.time;
    const sim = this;
    const collect = (): ProbeResult[] => {
      const results: ProbeResult[] = [];
      for (let at = origin; at <= sim.time; at += intervalMs) {
        const ok = sim.apiUpAt(at);
        results.push({ startedAtMs: at - origin, endedAtMs: at - origin + (ok ? 5 : 1000), ...(ok ? { ok } : { ok, error: "ECONNREFUSED" }) });
      }
      return results;
    };
    return { elapsedMs: () => sim.time - origin, results: collect, stop: async () => collect() };
  }

  /** Up, rejoined, and no fault on its member. */
  etcdHealthy(name: string): boolean {
    const n = this.node(name);
    return n.spec.role === "control-plane" && this.isUp(name) && n.rejoinUntil === undefined && !this.has("etcd-unhealthy", name);
  }

  kubeReady(name: string): boolean {
    const n = this.node(name);
    return this.isUp(name) && n.rejoinUntil === undefined;
  }

  /** A `verify` over the simulation: API, nodes Ready, etcd members healthy. */
  async verify(): Promise<CheckResult[]> {
    const cps = this.controlPlanes();
    const unhealthy = cps.filter((n) => !this.etcdHealthy(n.spec.name)).map((n) => n.spec.name);
    const notReady = [...this.nodes.values()].filter((n) => !this.kubeReady(n.spec.name)).map((n) => n.spec.name);
    const api = this.apiProblem();
    return [
      { id: "api", title: "Kubernetes API answers through the VIP", ok: api === undefined, seen: api ?? "readyz ok" },
      { id: "nodes-ready", title: "every node Ready", ok: notReady.length === 0, seen: notReady.length ? `NotReady: ${notReady.join(", ")}` : "all Ready" },
      {
        id: "etcd",
        title: "every etcd member healthy",
        ok: unhealthy.length === 0,
        seen: unhealthy.length ? `unhealthy: ${unhealthy.join(", ")}` : `${cps.length}/${cps.length} healthy`,
      },
    ];
  }

  private node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`simulated cluster: no node ${name}`);
    return n;
  }

  private byIp(ip: string): SimNode {
    const n = [...this.nodes.values()].find((x) => x.spec.ip === ip);
    if (!n) throw new Error(`${ip}: no route to host`);
    return n;
  }

  private controlPlanes(): SimNode[] {
    return [...this.nodes.values()].filter((n) => n.spec.role === "control-plane");
  }

  private has(kind: Fault["kind"], node: string): boolean {
    return this.faults.some((f) => f.kind === kind && "node" in f && f.node === node);
  }

  private quorum(): boolean {
    const cps = this.controlPlanes();
    return cps.length > 0 && cps.filter((n) => this.etcdHealthy(n.spec.name)).length >= etcdQuorum(cps.length);
  }

  private apiProblem(): string | undefined {
    if (this.faults.some((f) => f.kind === "api-down")) return "connection refused";
    if (this.vipHolder === undefined || !this.isUp(this.vipHolder)) return `${this.facts.vip}: no route to host (no VIP holder)`;
    if (!this.quorum()) return "etcd has no quorum";
    return undefined;
  }

  /** Counts the call and throws an injected `call-fails` that matches it. */
  private enter(method: Method, node?: SimNode): void {
    const label = node ? `${method} ${node.spec.name}` : method;
    this.calls.push(label);
    const count = (this.callCounts.get(label) ?? 0) + 1;
    this.callCounts.set(label, count);
    for (const f of this.faults) {
      if (f.kind !== "call-fails" || f.method !== method) continue;
      if (f.node !== undefined && f.node !== node?.spec.name) continue;
      const from = f.after ?? 1;
      if (count >= from && (f.times === undefined || count < from + f.times)) throw new Error(`${label}: injected failure`);
    }
  }

  private reachable(n: SimNode): void {
    if (!this.isUp(n.spec.name)) throw new Error(`${n.spec.ip}: connection refused`);
  }

  /** Advances the nodes' states to the current time. */
  private tick(): void {
    for (const n of this.nodes.values()) {
      if (n.downUntil !== undefined && this.time >= n.downUntil && !n.lost && !n.poweredOff) {
        n.rejoinUntil = n.downUntil + this.rejoinMs;
        n.downUntil = undefined;
        n.boot += 1;
        if (n.nextVersion !== undefined) n.version = n.nextVersion;
        n.nextVersion = undefined;
      }
      if (n.rejoinUntil !== undefined && this.time >= n.rejoinUntil) n.rejoinUntil = undefined;
    }
    this.elect();
    this.recordApi(this.time);
  }

  /** Notes a change of the API's availability at `at`. */
  private recordApi(at: number): void {
    const up = this.apiProblem() === undefined;
    const last = this.apiTimeline[this.apiTimeline.length - 1];
    if (last === undefined || last[1] !== up) this.apiTimeline.push([Math.max(at, last?.[0] ?? 0), up]);
  }

  /** The VIP and etcd leadership move to a healthy control plane when theirs is gone (and quorum allows). */
  private elect(): void {
    const candidates = this.controlPlanes().filter((n) => this.etcdHealthy(n.spec.name));
    if (!this.quorum()) return;
    if (this.etcdLeader === undefined || !this.etcdHealthy(this.etcdLeader)) this.etcdLeader = candidates[0]?.spec.name;
    if (this.vipHolder === undefined && this.time >= this.vipFreeAt && !this.faults.some((f) => f.kind === "vip-stuck")) {
      this.vipHolder = candidates[0]?.spec.name;
      // The VIP moved when the lease allowed it, which may be inside the last sleep.
      if (this.vipHolder !== undefined) this.recordApi(this.vipFreeAt);
    }
  }

  private goDown(n: SimNode, how: "graceful" | "crash" = "graceful"): void {
    n.downUntil = this.time + this.rebootMs;
    n.lost = this.has("never-returns", n.spec.name);
    if (this.vipHolder === n.spec.name) {
      this.vipHolder = undefined;
      const ledEtcd = this.etcdLeader === n.spec.name;
      this.vipFreeAt = this.time + (how === "graceful" ? this.gracefulVipMoveMs : this.crashVipMoveMs + (ledEtcd ? this.leaderElectionMs : 0));
    }
    if (this.etcdLeader === n.spec.name) this.etcdLeader = undefined;
    this.recordApi(this.time);
    this.elect();
  }

  private memberId(name: string): string {
    return `member-${name}`;
  }

  private talosClient(): TalosClient {
    const sim = this;
    const at = (method: Method, ip: string): SimNode => {
      const n = sim.byIp(ip);
      sim.enter(method, n);
      sim.reachable(n);
      return n;
    };
    const etcdAnswering = (n: SimNode): void => {
      if (n.spec.role !== "control-plane") throw new Error(`${n.spec.ip}: etcd is not running on a worker`);
      if (!sim.etcdHealthy(n.spec.name)) throw new Error(`${n.spec.ip}: etcd member not healthy`);
    };
    return {
      async etcdMembers(ip): Promise<EtcdMember[]> {
        const n = at("etcdMembers", ip);
        etcdAnswering(n);
        return sim.controlPlanes().map((cp) => ({
          id: sim.memberId(cp.spec.name),
          hostname: cp.spec.name,
          peerUrls: [`https://${cp.spec.ip}:2380`],
          isLearner: false,
        }));
      },
      async etcdStatus(ip): Promise<EtcdStatus> {
        const n = at("etcdStatus", ip);
        etcdAnswering(n);
        return { node: ip, memberId: sim.memberId(n.spec.name), leader: sim.etcdLeader ? sim.memberId(sim.etcdLeader) : "" };
      },
      async addresses(ip) {
        const n = at("addresses", ip);
        return sim.vipHolder === n.spec.name ? [ip, sim.facts.vip] : [ip];
      },
      async version(ip) {
        return at("version", ip).version;
      },
      async service(ip, id) {
        const n = at("service", ip);
        if (id !== "etcd" || n.spec.role !== "control-plane") return { state: "Running", healthy: true };
        const healthy = sim.etcdHealthy(n.spec.name);
        return { state: healthy ? "Running" : "Preparing", healthy };
      },
      async bootId(ip) {
        const n = at("bootId", ip);
        return `boot-${n.spec.name}-${n.boot}`;
      },
      async endpoints() {
        sim.enter("endpoints");
        return sim.controlPlanes().map((n) => n.spec.ip);
      },
      async reboot(ip) {
        const n = at("reboot", ip);
        sim.actions.push(`reboot ${n.spec.name}`);
        sim.goDown(n);
      },
      async upgrade(ip, image) {
        const n = at("upgrade", ip);
        sim.actions.push(`upgrade ${n.spec.name} ${image}`);
        if (sim.has("upgrade-fails", n.spec.name)) throw new Error(`${ip}: upgrade failed: error pulling ${image}`);
        const tag = /:(v[^:/]+)$/.exec(image)?.[1];
        if (!tag) throw new Error(`${ip}: image ${image} has no version tag`);
        n.nextVersion = sim.has("boots-old-version", n.spec.name) ? n.version : tag;
        sim.goDown(n);
      },
      async forfeitEtcdLeadership(ip) {
        const n = at("forfeitEtcdLeadership", ip);
        sim.actions.push(`forfeitEtcdLeadership ${n.spec.name}`);
        if (sim.etcdLeader !== n.spec.name) return;
        const other = sim.controlPlanes().find((cp) => cp !== n && sim.etcdHealthy(cp.spec.name));
        if (other) sim.etcdLeader = other.spec.name;
      },
      async upgradeKubernetes(ip, to) {
        const n = at("upgradeKubernetes", ip);
        sim.actions.push(`upgradeKubernetes ${n.spec.name} ${to}`);
        const problem = sim.apiProblem();
        if (problem) throw new Error(`upgrade-k8s: ${problem}`);
        const down = [...sim.nodes.values()].filter((x) => !sim.kubeReady(x.spec.name));
        if (down.length) throw new Error(`upgrade-k8s: node ${down[0].spec.name} is not ready`);
        sim.kubernetesVersion = to;
        for (const x of sim.nodes.values()) x.kubeletVersion = to;
      },
    };
  }

  private proxmoxClient(): ProxmoxClient {
    const sim = this;
    const vm = (method: Method, host: string, vmId: number): SimNode => {
      const n = [...sim.nodes.values()].find((x) => x.spec.vmId === vmId);
      sim.enter(method, n);
      if (n === undefined || n.spec.proxmoxHost !== host) throw new Error(`Proxmox API GET /nodes/${host}/qemu/${vmId}/status/current: HTTP 500 Configuration file 'nodes/${host}/qemu-server/${vmId}.conf' does not exist`);
      return n;
    };
    const powerCheck = (vmId: number): void => {
      if (sim.faults.some((f) => f.kind === "no-power-privilege")) throw new Error(`Proxmox API POST: HTTP 403 Permission check failed (/vms/${vmId}, VM.PowerMgmt)`);
    };
    return {
      async vmStatus(host, vmId) {
        const n = vm("vmStatus", host, vmId);
        return { status: n.poweredOff ? "stopped" : "running", haManaged: sim.haManaged.includes(n.spec.name) };
      },
      async privileges() {
        sim.enter("privileges");
        return sim.faults.some((f) => f.kind === "no-power-privilege") ? ["VM.Audit"] : ["VM.Audit", "VM.PowerMgmt"];
      },
      async stopVm(host, vmId) {
        const n = vm("stopVm", host, vmId);
        powerCheck(vmId);
        sim.actions.push(`stop-vm ${n.spec.name}`);
        if (n.poweredOff) return;
        n.poweredOff = true;
        sim.goDown(n, "crash");
      },
      async startVm(host, vmId) {
        const n = vm("startVm", host, vmId);
        powerCheck(vmId);
        sim.actions.push(`start-vm ${n.spec.name}`);
        if (!n.poweredOff) return;
        n.poweredOff = false;
        n.downUntil = sim.time + sim.rebootMs;
        sim.tick();
      },
    };
  }

  private kubeClient(): KubernetesClient {
    const sim = this;
    const api = (method: Method): void => {
      sim.enter(method);
      const problem = sim.apiProblem();
      if (problem) throw new Error(`https://${sim.facts.vip}:6443: ${problem}`);
    };
    return {
      async readyz() {
        api("readyz");
        return { ok: true, detail: "ok" };
      },
      async nodes(): Promise<KubeNode[]> {
        api("nodes");
        return [...sim.nodes.values()].map((n) => ({ name: n.spec.name, ready: sim.kubeReady(n.spec.name), kubeletVersion: n.kubeletVersion }));
      },
      async serverVersion() {
        api("serverVersion");
        return sim.kubernetesVersion;
      },
    };
  }
}

/** Facts of a homelab like the reference one: cp1..cpN on .211.., workers on .221.., VIP .210. */
export function simulatedFacts(props: { controlPlanes?: number; workers?: number; talosVersion?: string; kubernetesVersion?: string } = {}): StackFacts {
  const node = (name: string, octet: number, role: ClusterNode["role"]): ClusterNode => ({
    name,
    ip: `192.168.1.${octet}`,
    role,
    vmId: octet,
    proxmoxHost: "pve",
  });
  const nodes = [
    ...Array.from({ length: props.controlPlanes ?? 3 }, (_, i) => node(`cp${i + 1}`, 211 + i, "control-plane")),
    ...Array.from({ length: props.workers ?? 0 }, (_, i) => node(`w${i + 1}`, 221 + i, "worker")),
  ];
  return {
    clusterName: "homelab",
    vip: "192.168.1.210",
    clusterEndpoint: "https://192.168.1.210:6443",
    nodes,
    talosVersion: props.talosVersion ?? "v1.13.9",
    kubernetesVersion: props.kubernetesVersion ?? "v1.36.3",
    installerImageBase: "factory.talos.dev/nocloud-installer/376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba",
  };
}
