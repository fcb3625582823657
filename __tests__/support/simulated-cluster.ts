/**
 * An in-memory Talos cluster for tests of the operator commands: one state
 * machine over a simulated clock, so an upgrade of many nodes with 15-minute
 * timeouts runs in milliseconds. Its faces, each in its own file, answer as
 * the real tools do: ./simulated-talos.ts (talosctl's output, read through
 * the adapter's parsers, and the fake talosctl's answer files),
 * ./simulated-kubernetes.ts, ./simulated-proxmox.ts and ./simulated-probe.ts.
 * Its cluster is ./cluster-fixture.ts's unless a test gives another.
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
 * With a fast VIP in the facts (the fast API failover), keepalived is
 * modelled too: the fast VIP is on `fastVipHolders` (one, or none, or two in
 * a split brain), moves to a healthy control plane `gracefulFastVipMoveMs` or
 * `crashFastVipMoveMs` after its holder went down, is given up everywhere
 * when etcd loses quorum (the /readyz fence), and is the address the
 * Kubernetes API and the prober are reached through, as the kubeconfig's
 * server is.
 *
 * Failures are injected with `inject` (see `Fault`), at any step.
 */
import { etcdQuorum } from "../../domain/quorum";
import type { ClusterNode, StackFacts } from "../../domain/stack-outputs";
import type { CheckResult, EtcdRecoveryClient, KubernetesClient, ProxmoxClient, TalosClient } from "../../ops/contracts";
import type { Clock } from "../../ops/poll";
import type { ProbeSession } from "../../ops/probe";
import { FACTS } from "./cluster-fixture";
import { simulatedKubernetes } from "./simulated-kubernetes";
import { simulatedProbe } from "./simulated-probe";
import { simulatedProxmox } from "./simulated-proxmox";
import { simulatedTalos } from "./simulated-talos";

/** A client call, by its method name in the contracts. */
export type Method = keyof TalosClient | keyof EtcdRecoveryClient | keyof KubernetesClient | keyof ProxmoxClient;

/** A failure to inject. Node faults name the node by name (`k8s-controller2`). */
export type Fault =
  /** `talosctl upgrade` of this node fails (nothing changes on the node). */
  | { readonly kind: "upgrade-fails"; readonly node: string }
  /** The node goes down for its next reboot and never comes back. */
  | { readonly kind: "never-returns"; readonly node: string }
  /** The node comes back from its next upgrade on its old version (Talos rolled back). */
  | { readonly kind: "boots-old-version"; readonly node: string }
  /** The node's etcd member is unhealthy (now, and until cleared with `heal`). */
  | { readonly kind: "etcd-unhealthy"; readonly node: string }
  /** The node's etcd service is stopped (`talosctl service etcd` says Finished; its Services resource is gone). */
  | { readonly kind: "etcd-stopped"; readonly node: string }
  /** talosctl upgrade of this node stops before its uncordon (killed, or the uncordon failed): the node stays cordoned. */
  | { readonly kind: "left-cordoned"; readonly node: string }
  /** The Kubernetes API does not answer. */
  | { readonly kind: "api-down" }
  /** The VIP never moves off this node's failure (no other node takes it). */
  | { readonly kind: "vip-stuck" }
  /** keepalived runs nowhere: no node takes the fast VIP. */
  | { readonly kind: "keepalived-stopped" }
  /** The Proxmox token lacks VM.PowerMgmt. */
  | { readonly kind: "no-power-privilege" }
  /** Proxmox's stop and start tasks end `WARNINGS: 2` (a success). */
  | { readonly kind: "proxmox-task-warnings" }
  /** Any client call fails: `times` calls (default every one) from the `after`-th matching call on (default the first). */
  | { readonly kind: "call-fails"; readonly method: Method; readonly node?: string; readonly after?: number; readonly times?: number };

export interface SimulatedClusterProps {
  /** @default FACTS (./cluster-fixture.ts) */
  readonly facts?: StackFacts;
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
  /** With `facts.fastVip`: the nodes holding the fast VIP at the start (two: a split brain). @default - the first control plane (none under `keepalived-stopped`) */
  readonly fastVipHolders?: readonly string[];
  /** After a graceful reboot of the fast VIP's holder, until another node holds it (keepalived's priority-0 advert). @default 0 */
  readonly gracefulFastVipMoveMs?: number;
  /** After the fast VIP's holder is powered off, until another node holds it (VRRP's master-down interval). @default 0 */
  readonly crashFastVipMoveMs?: number;
  /** VMs managed by Proxmox HA (their status says so). @default none */
  readonly haManaged?: readonly string[];
  /** etcd's revision at the start. @default 4193 */
  readonly etcdRevision?: number;
  /** Nodes whose machine type is `init` (`get machinetype`). @default none */
  readonly initNodes?: readonly string[];
  /** Nodes cordoned at the start (`spec.unschedulable`). @default none */
  readonly cordoned?: readonly string[];
}

/** One node's state; the faces read it, only the state machine changes it. */
export interface SimNode {
  readonly spec: ClusterNode;
  version: string;
  /** Boots so far (1: never rebooted). */
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
  /** Its etcd data directory holds a member's data (false after an EPHEMERAL wipe, until it bootstraps or joins). */
  etcdData: boolean;
  /** The revision its data holds (frozen while it is down or cut off). */
  dataRevision: number;
  /** A wiped member joins the etcd cluster at this time. */
  joinAt?: number;
  /** Cordoned in Kubernetes (`spec.unschedulable`): talosctl upgrade cordons before its reboot and uncordons once the node is Ready. */
  cordoned: boolean;
  /** Drained by an upgrade in progress: talosctl uncordons it once it is Ready. */
  drainedForUpgrade?: boolean;
}

/** A simulated cluster; `talos`, `kube`, `proxmox` and `clock` are what the orchestration gets. */
export class SimulatedCluster {
  readonly facts: StackFacts;
  /** Mutating calls, in order: `upgrade k8s-controller2 <image>`, `forfeitEtcdLeadership k8s-controller1`, `reboot k8s-controller3`, `stop-vm k8s-controller1`. */
  readonly actions: string[] = [];
  /** Every client call, in order: `version k8s-controller1`, `nodes`, ... */
  readonly calls: string[] = [];
  readonly talos: TalosClient & EtcdRecoveryClient;
  readonly kube: KubernetesClient;
  readonly proxmox: ProxmoxClient;
  readonly clock: Clock;
  /** How long a reboot (or a start of a powered-off VM) keeps a node down. */
  readonly rebootMs: number;
  readonly haManaged: readonly string[];
  vipHolder: string | undefined;
  /** Who holds the fast VIP (keepalived); empty when nobody does or the facts have none. */
  fastVipHolders: string[];
  etcdLeader: string | undefined;
  kubernetesVersion: string;
  /** The etcd cluster's revision (advanced by `write` while quorum holds; set by a recovery). */
  etcdRevision: number;
  /** The etcd cluster's members, by node name (every control plane at first; only the recovered one after a bootstrap). */
  readonly members: Set<string>;
  readonly initNodes: readonly string[];
  private time = 0;
  private readonly nodesByName: Map<string, SimNode>;
  private readonly rejoinMs: number;
  private faults: Fault[];
  private readonly callCounts = new Map<string, number>();
  private readonly gracefulVipMoveMs: number;
  private readonly crashVipMoveMs: number;
  private readonly leaderElectionMs: number;
  /** No node may take the VIP before this time (the old holder's lease). */
  private vipFreeAt = 0;
  private readonly gracefulFastVipMoveMs: number;
  private readonly crashFastVipMoveMs: number;
  /** No node takes the fast VIP before this time (VRRP's master-down interval). */
  private fastVipFreeAt = 0;
  /** When the API through the VIP started or stopped answering: [time, up]. */
  private readonly apiTimeline: [number, boolean][] = [];

  constructor(props: SimulatedClusterProps = {}) {
    const facts = props.facts ?? FACTS;
    this.facts = facts;
    this.kubernetesVersion = facts.kubernetesVersion;
    this.rebootMs = props.rebootMs ?? 90_000;
    this.rejoinMs = props.rejoinMs ?? 20_000;
    this.faults = [...(props.faults ?? [])];
    this.gracefulVipMoveMs = props.gracefulVipMoveMs ?? 0;
    this.crashVipMoveMs = props.crashVipMoveMs ?? 0;
    this.leaderElectionMs = props.leaderElectionMs ?? 0;
    this.haManaged = props.haManaged ?? [];
    this.etcdRevision = props.etcdRevision ?? 4193;
    this.initNodes = props.initNodes ?? [];
    this.members = new Set(facts.nodes.filter((spec) => spec.role === "control-plane").map((spec) => spec.name));
    this.nodesByName = new Map(
      facts.nodes.map((spec) => [
        spec.name,
        {
          spec,
          version: props.talosVersions?.[spec.name] ?? facts.talosVersion,
          boot: 1,
          lost: false,
          poweredOff: false,
          kubeletVersion: facts.kubernetesVersion,
          etcdData: spec.role === "control-plane",
          dataRevision: spec.role === "control-plane" ? (props.etcdRevision ?? 4193) : 0,
          cordoned: props.cordoned?.includes(spec.name) ?? false,
        },
      ]),
    );
    const firstControlPlane = facts.nodes.find((n) => n.role === "control-plane")?.name;
    this.vipHolder = props.vipHolder ?? firstControlPlane;
    this.etcdLeader = props.etcdLeader ?? firstControlPlane;
    this.gracefulFastVipMoveMs = props.gracefulFastVipMoveMs ?? 0;
    this.crashFastVipMoveMs = props.crashFastVipMoveMs ?? 0;
    const keepalived = facts.fastVip !== undefined && !this.hasFault("keepalived-stopped");
    this.fastVipHolders = facts.fastVip === undefined ? [] : [...(props.fastVipHolders ?? (keepalived && firstControlPlane ? [firstControlPlane] : []))];
    this.clock = {
      now: () => this.time,
      sleep: async (ms: number) => {
        this.time += ms;
        this.tick();
      },
    };
    this.talos = simulatedTalos(this);
    this.kube = simulatedKubernetes(this);
    this.proxmox = simulatedProxmox(this);
    this.recordApi(0);
  }

  inject(fault: Fault): void {
    this.faults.push(fault);
  }

  /** Clears every fault naming this node (or every fault); a node that never returned boots now. */
  heal(node?: string): void {
    this.faults = node === undefined ? [] : this.faults.filter((f) => !("node" in f) || f.node !== node);
    for (const n of this.nodesByName.values()) {
      if (n.lost && (node === undefined || n.spec.name === node)) {
        n.lost = false;
        n.downUntil = this.time + this.rebootMs;
      }
    }
    this.tick();
  }

  /** Name -> version, for assertions. */
  versions(): Record<string, string> {
    return Object.fromEntries(this.nodes().map((n) => [n.spec.name, n.version]));
  }

  bootCount(name: string): number {
    return this.node(name).boot;
  }

  isUp(name: string): boolean {
    const n = this.node(name);
    return n.downUntil === undefined && !n.lost && !n.poweredOff;
  }

  /** Up, rejoined, a member holding data, and no fault on it (quorum aside: see `quorate`). */
  etcdHealthy(name: string): boolean {
    const n = this.node(name);
    return (
      n.spec.role === "control-plane" &&
      this.isUp(name) &&
      n.rejoinUntil === undefined &&
      n.etcdData &&
      this.members.has(name) &&
      !this.hasFault("etcd-unhealthy", name) &&
      !this.hasFault("etcd-stopped", name)
    );
  }

  /** Whether etcd has quorum: enough of its members healthy. */
  quorate(): boolean {
    return this.quorum();
  }

  /** Writes to etcd (while quorum holds): the revision advances on every healthy member. */
  write(revisions = 1): void {
    if (!this.quorum()) throw new Error("simulated cluster: etcd has no quorum, nothing is written");
    this.etcdRevision += revisions;
    for (const n of this.controlPlanes()) if (this.etcdHealthy(n.spec.name)) n.dataRevision = this.etcdRevision;
  }

  /** `talosctl service etcd`: Running while its data directory holds a member, Preparing after a wipe (waiting to join or be bootstrapped). */
  etcdService(name: string): { state: string; health: string } {
    const n = this.node(name);
    if (!n.etcdData) return { state: "Preparing", health: "?" };
    if (this.hasFault("etcd-stopped", name)) return { state: "Finished", health: "?" };
    return { state: "Running", health: this.etcdHealthy(name) && this.quorum() ? "OK" : "Fail" };
  }

  /** An EPHEMERAL wipe (talosctl reset --system-labels-to-wipe=EPHEMERAL --reboot): its etcd data gone, then a reboot. */
  wipeEphemeral(n: SimNode): void {
    n.etcdData = false;
    n.dataRevision = 0;
    n.joinAt = undefined;
    this.goDown(n, "graceful");
  }

  /** bootstrap --recover-from: a one-member etcd cluster on `n` at the snapshot's revision; wiped members that are up join it. */
  recoverEtcd(n: SimNode, revision: number): void {
    this.members.clear();
    this.members.add(n.spec.name);
    n.etcdData = true;
    n.dataRevision = revision;
    this.etcdRevision = revision;
    n.rejoinUntil = this.time + this.rejoinMs;
    this.tick();
  }

  kubeReady(name: string): boolean {
    return this.isUp(name) && this.node(name).rejoinUntil === undefined;
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

  /** A prober of the VIP over simulated time (./simulated-probe.ts). */
  startProbe(intervalMs = 100): ProbeSession {
    return simulatedProbe(this, intervalMs);
  }

  /** A `verify` over the simulation: API, nodes Ready, etcd members healthy. */
  async verify(): Promise<CheckResult[]> {
    const cps = this.controlPlanes();
    const unhealthy = cps.filter((n) => !this.etcdHealthy(n.spec.name)).map((n) => n.spec.name);
    const notReady = this.nodes().filter((n) => !this.kubeReady(n.spec.name)).map((n) => n.spec.name);
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

  // What the faces ask of the state.

  /** Now, in simulated ms. */
  now(): number {
    return this.time;
  }

  nodes(): SimNode[] {
    return [...this.nodesByName.values()];
  }

  controlPlanes(): SimNode[] {
    return this.nodes().filter((n) => n.spec.role === "control-plane");
  }

  node(name: string): SimNode {
    const n = this.nodesByName.get(name);
    if (!n) throw new Error(`simulated cluster: no node ${name}`);
    return n;
  }

  /** The node with this IP; none is the error a client gets for an address nothing answers on. */
  nodeAt(ip: string): SimNode {
    const n = this.nodes().find((x) => x.spec.ip === ip);
    if (!n) throw new Error(`${ip}: no route to host`);
    return n;
  }

  /** Whether a fault of this kind is injected (for this node, when named). */
  hasFault(kind: Fault["kind"], node?: string): boolean {
    return this.faults.some((f) => f.kind === kind && (node === undefined || ("node" in f && f.node === node)));
  }

  /** Why the API does not answer through the VIP now (the fast VIP when the facts have one), or undefined when it does. */
  apiProblem(): string | undefined {
    if (this.hasFault("api-down")) return "connection refused";
    if (this.facts.fastVip !== undefined) {
      if (!this.fastVipHolders.some((name) => this.isUp(name))) return `${this.facts.fastVip}: no route to host (no fast VIP holder)`;
    } else if (this.vipHolder === undefined || !this.isUp(this.vipHolder)) return `${this.facts.vip}: no route to host (no VIP holder)`;
    if (!this.quorum()) return "etcd has no quorum";
    return undefined;
  }

  /** Notes a client call, and throws an injected `call-fails` that matches it. */
  recordCall(method: Method, node?: SimNode): void {
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

  // Transitions, as the faces' mutating calls cause them.

  /** A graceful reboot (talosctl reboot): down, then back after `rebootMs`. */
  reboot(n: SimNode): void {
    this.goDown(n, "graceful");
  }

  /** An upgrade to `version` (talosctl upgrade): a reboot onto it, or onto the old one under `boots-old-version`. */
  upgrade(n: SimNode, version: string): void {
    n.nextVersion = this.hasFault("boots-old-version", n.spec.name) ? n.version : version;
    n.cordoned = true;
    n.drainedForUpgrade = true;
    this.goDown(n, "graceful");
  }

  /** The leader hands leadership to another healthy member; a member that does not lead changes nothing. */
  forfeitEtcdLeadership(n: SimNode): void {
    if (this.etcdLeader !== n.spec.name) return;
    const other = this.controlPlanes().find((cp) => cp !== n && this.etcdHealthy(cp.spec.name));
    if (other) this.etcdLeader = other.spec.name;
  }

  /** upgrade-k8s: the API server and every kubelet on `to`. */
  upgradeKubernetes(to: string): void {
    this.kubernetesVersion = to;
    for (const x of this.nodes()) x.kubeletVersion = to;
  }

  /** The VM powered off (Proxmox status/stop): a crash. */
  powerOff(n: SimNode): void {
    if (n.poweredOff) return;
    n.poweredOff = true;
    this.goDown(n, "crash");
  }

  /** The VM started (Proxmox status/start): it boots, up after `rebootMs`. */
  powerOn(n: SimNode): void {
    if (!n.poweredOff) return;
    n.poweredOff = false;
    n.downUntil = this.time + this.rebootMs;
    this.tick();
  }

  private quorum(): boolean {
    const members = this.controlPlanes().filter((n) => this.members.has(n.spec.name));
    return members.length > 0 && members.filter((n) => this.etcdHealthy(n.spec.name)).length >= etcdQuorum(members.length);
  }

  /** Advances the nodes' states to the current time. */
  private tick(): void {
    for (const n of this.nodesByName.values()) {
      if (n.downUntil !== undefined && this.time >= n.downUntil && !n.lost && !n.poweredOff) {
        n.rejoinUntil = n.downUntil + this.rejoinMs;
        n.downUntil = undefined;
        n.boot += 1;
        if (n.nextVersion !== undefined) n.version = n.nextVersion;
        n.nextVersion = undefined;
      }
      if (n.rejoinUntil !== undefined && this.time >= n.rejoinUntil) {
        n.rejoinUntil = undefined;
        // talosctl upgrade's last step: the node Ready, uncordon it.
        if (n.drainedForUpgrade && !this.hasFault("left-cordoned", n.spec.name)) n.cordoned = false;
        n.drainedForUpgrade = undefined;
      }
    }
    // A wiped control plane that is up joins the etcd cluster once it has quorum (as a learner, promoted after `rejoinMs`).
    for (const n of this.controlPlanes()) {
      if (n.etcdData || !this.isUp(n.spec.name)) continue;
      if (n.joinAt === undefined && this.quorum()) n.joinAt = this.time + this.rejoinMs;
      if (n.joinAt !== undefined && this.time >= n.joinAt) {
        n.joinAt = undefined;
        n.etcdData = true;
        n.dataRevision = this.etcdRevision;
        this.members.add(n.spec.name);
      }
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
    if (!this.quorum()) {
      // keepalived's /readyz check fails on every node: each gives the fast VIP up.
      this.fastVipHolders = [];
      return;
    }
    if (this.facts.fastVip !== undefined && this.fastVipHolders.length === 0 && this.time >= this.fastVipFreeAt && !this.hasFault("keepalived-stopped") && candidates[0] !== undefined) {
      this.fastVipHolders = [candidates[0].spec.name];
      this.recordApi(this.fastVipFreeAt);
    }
    if (this.etcdLeader === undefined || !this.etcdHealthy(this.etcdLeader)) this.etcdLeader = candidates[0]?.spec.name;
    if (this.vipHolder === undefined && this.time >= this.vipFreeAt && !this.hasFault("vip-stuck")) {
      this.vipHolder = candidates[0]?.spec.name;
      // The VIP moved when the lease allowed it, which may be inside the last sleep.
      if (this.vipHolder !== undefined) this.recordApi(this.vipFreeAt);
    }
  }

  private goDown(n: SimNode, how: "graceful" | "crash"): void {
    n.downUntil = this.time + this.rebootMs;
    n.joinAt = undefined;
    n.lost = this.hasFault("never-returns", n.spec.name);
    if (this.vipHolder === n.spec.name) {
      this.vipHolder = undefined;
      const ledEtcd = this.etcdLeader === n.spec.name;
      this.vipFreeAt = this.time + (how === "graceful" ? this.gracefulVipMoveMs : this.crashVipMoveMs + (ledEtcd ? this.leaderElectionMs : 0));
    }
    if (this.fastVipHolders.includes(n.spec.name)) {
      this.fastVipHolders = this.fastVipHolders.filter((name) => name !== n.spec.name);
      if (this.fastVipHolders.length === 0) this.fastVipFreeAt = this.time + (how === "graceful" ? this.gracefulFastVipMoveMs : this.crashFastVipMoveMs);
    }
    if (this.etcdLeader === n.spec.name) this.etcdLeader = undefined;
    this.recordApi(this.time);
    this.elect();
  }
}
