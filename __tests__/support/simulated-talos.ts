/**
 * The simulated cluster as talosctl sees it. Each read of a node has one
 * answer for the node's state now, given two ways: as the adapter's parsers
 * (ops/adapters/talosctl-output.ts) return it, to the in-memory TalosClient
 * the orchestration tests use, and as `talosctl -n <node> <command>` prints it
 * (./talosctl-output.ts), in the answer files of the fake talosctl the CLI
 * tests run (`talosctlAnswers`). A node that is down answers nothing.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { EtcdMember, EtcdRecoveryClient, EtcdStatus, ServiceInfo, SnapshotInfo, TalosClient } from "../../ops/contracts";
import { controlPlanesOf } from "../../domain/stack-outputs";
import { etcdMembers, memberId } from "./cluster-fixture";
import type { TalosScript } from "./fake-tools";
import type { Method, SimNode, SimulatedCluster } from "./simulated-cluster";
import { addressesOutput, bootIdOutput, etcdMembersOutput, etcdStatusOutput, machineTypeOutput, resourceNotFound, serviceInfoOutput, serviceOutput, versionOutput } from "./talosctl-output";

/**
 * What the simulation writes as an etcd database: JSON naming its revision,
 * and whether it carries etcd's trailing hash (a snapshot does, the raw
 * database file a disaster copy takes does not).
 */
export interface SimulatedDatabase {
  readonly simulatedEtcd: true;
  readonly revision: number;
  readonly hash: boolean;
}

/** The addresses on the node beside its own: Talos's VIP on its holder, the fast VIP on keepalived's holders. */
function extraAddresses(sim: SimulatedCluster, n: SimNode): string[] {
  return [...(sim.vipHolder === n.spec.name ? [sim.facts.vip] : []), ...(sim.facts.fastVip !== undefined && sim.fastVipHolders.includes(n.spec.name) ? [sim.facts.fastVip] : [])];
}

/** etcd answers a linearizable read (the member list) on a healthy member while etcd has quorum; otherwise the call fails. */
function etcdAnswering(sim: SimulatedCluster, n: SimNode): void {
  if (n.spec.role !== "control-plane") throw new Error(`${n.spec.ip}: etcd is not running on a worker`);
  if (!sim.etcdHealthy(n.spec.name)) throw new Error(`${n.spec.ip}: etcd member not healthy`);
  if (!sim.quorate()) throw new Error(`${n.spec.ip}: etcdserver: request timed out`);
}

/** `etcd status` is local to the member: it answers without quorum wherever etcd runs with data. */
function etcdRunning(sim: SimulatedCluster, n: SimNode): void {
  if (n.spec.role !== "control-plane") throw new Error(`${n.spec.ip}: etcd is not running on a worker`);
  if (sim.hasFault("etcd-stopped", n.spec.name)) throw new Error(`${n.spec.ip}: dial tcp 127.0.0.1:2379: connect: connection refused`);
  if (!n.etcdData || sim.hasFault("etcd-unhealthy", n.spec.name)) throw new Error(`${n.spec.ip}: etcd member not healthy`);
}

/** Each read's answer, as the parser of its output returns it. */
const answer = {
  /** Loopback, the node's IP, and the VIPs it holds. */
  addresses: (sim: SimulatedCluster, n: SimNode): string[] => ["127.0.0.1", n.spec.ip, ...extraAddresses(sim, n)],
  version: (n: SimNode): string => n.version,
  /** The kernel's boot id: a UUID, new on every boot. */
  bootId(n: SimNode): string {
    const hex = createHash("sha256").update(`${n.spec.name}/${n.boot}`).digest("hex");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20, 32)].join("-");
  },
  /**
   * Every service of a node that is up runs; etcd is healthy as its member
   * is, and a worker has none. What the adapter makes of `get services <id>`:
   * the resource exists only while the service runs, so NotFound is "Not running".
   */
  service(sim: SimulatedCluster, n: SimNode, id: string): { state: string; healthy: boolean } {
    if (id === "etcd" && n.spec.role !== "control-plane") return { state: "Not running", healthy: false };
    if (id === "etcd") {
      const etcd = sim.etcdService(n.spec.name);
      return { state: etcd.state === "Running" ? "Running" : "Not running", healthy: etcd.state === "Running" && etcd.health === "OK" };
    }
    return { state: "Running", healthy: true };
  },
  serviceInfo(sim: SimulatedCluster, n: SimNode, id: string): ServiceInfo {
    if (id === "etcd" && n.spec.role !== "control-plane") throw new Error(`service "${id}" is not registered on any nodes`);
    return id === "etcd" ? sim.etcdService(n.spec.name) : { state: "Running", health: "OK" };
  },
  machineType: (sim: SimulatedCluster, n: SimNode): string => (sim.initNodes.includes(n.spec.name) ? "init" : n.spec.role === "control-plane" ? "controlplane" : "worker"),
  etcdMembers(sim: SimulatedCluster, n: SimNode): EtcdMember[] {
    etcdAnswering(sim, n);
    return etcdMembers(sim.facts).filter((m) => sim.members.has(m.hostname));
  },
  etcdStatus(sim: SimulatedCluster, n: SimNode): EtcdStatus {
    etcdRunning(sim, n);
    const leader = sim.quorate() && sim.etcdLeader ? memberId(sim.etcdLeader) : "";
    return { node: n.spec.ip, memberId: memberId(n.spec.name), leader, raftIndex: raftIndexOf(n) };
  },
};

/** A member's raft index: it follows its data's revision (one entry per write, past the entries of the cluster's start). */
export function raftIndexOf(n: SimNode): number {
  return 47041 + n.dataRevision;
}

/** What the fake talosctl answers for the cluster now: every read of every node that is up, a failing read as talosctl's error. */
export function talosctlAnswers(sim: SimulatedCluster): TalosScript {
  const script: TalosScript = {};
  for (const n of sim.nodes()) {
    if (!sim.isUp(n.spec.name)) continue; // the fake's default answer: no route to host
    const { ip } = n.spec;
    const read = (command: string, output: () => string) => {
      try {
        script[`${ip} ${command}`] = output();
      } catch (error) {
        script[`${ip} ${command}`] = { stderr: `rpc error: code = Unavailable desc = ${(error as Error).message}\n`, code: 1 };
      }
    };
    read("get addresses", () => addressesOutput(ip, ip, extraAddresses(sim, n)));
    read("get version", () => versionOutput(ip, answer.version(n)));
    read("read /proc/sys/kernel/random/boot_id", () => bootIdOutput(answer.bootId(n)));
    read("get machinetype", () => machineTypeOutput(ip, answer.machineType(sim, n)));
    if (n.spec.role !== "control-plane") continue;
    const etcd = answer.service(sim, n, "etcd");
    script[`${ip} get services etcd`] = etcd.state === "Running" ? serviceOutput(ip, "etcd", true, etcd.healthy) : resourceNotFound(ip, "Services.v1alpha1.talos.dev", "runtime", "etcd");
    read("etcd members", () => etcdMembersOutput(ip, answer.etcdMembers(sim, n)));
    read("etcd status", () => {
      const status = answer.etcdStatus(sim, n);
      return etcdStatusOutput(ip, status.memberId, status.leader, status.raftIndex);
    });
    read("service etcd", () => {
      const etcd = answer.serviceInfo(sim, n, "etcd");
      return serviceInfoOutput(ip, "etcd", etcd.state, etcd.health);
    });
  }
  return script;
}

/** The TalosClient the orchestration gets: each call counted (and maybe failed, see `call-fails`), then answered. */
export function simulatedTalos(sim: SimulatedCluster): TalosClient & EtcdRecoveryClient {
  /** The node at `ip`, once the call is counted; a node that is down refuses. */
  const answering = (method: Method, ip: string): SimNode => {
    const n = sim.nodeAt(ip);
    sim.recordCall(method, n);
    if (!sim.isUp(n.spec.name)) throw new Error(`${ip}: connection refused`);
    return n;
  };
  return {
    async etcdMembers(ip) {
      return answer.etcdMembers(sim, answering("etcdMembers", ip));
    },
    async etcdStatus(ip) {
      return answer.etcdStatus(sim, answering("etcdStatus", ip));
    },
    async addresses(ip) {
      return answer.addresses(sim, answering("addresses", ip));
    },
    async version(ip) {
      return answer.version(answering("version", ip));
    },
    async service(ip, id) {
      return answer.service(sim, answering("service", ip), id);
    },
    async bootId(ip) {
      return answer.bootId(answering("bootId", ip));
    },
    /** The talosconfig's endpoints: the control planes' IPs (cluster-fixture's talosconfig). */
    async endpoints() {
      sim.recordCall("endpoints");
      return controlPlanesOf(sim.facts).map((n) => n.ip);
    },
    async reboot(ip) {
      const n = answering("reboot", ip);
      sim.actions.push(`reboot ${n.spec.name}`);
      sim.reboot(n);
    },
    /** Returns at once (the simulation has no wall clock); the node is cordoned, rebooted, and uncordoned once Ready, as talosctl does. */
    async upgrade(ip, image) {
      const n = answering("upgrade", ip);
      sim.actions.push(`upgrade ${n.spec.name} ${image}`);
      if (sim.hasFault("upgrade-fails", n.spec.name)) throw new Error(`${ip}: upgrade failed: error pulling ${image}`);
      const tag = /:(v[^:/]+)$/.exec(image)?.[1];
      if (!tag) throw new Error(`${ip}: image ${image} has no version tag`);
      sim.upgrade(n, tag);
    },
    async forfeitEtcdLeadership(ip) {
      const n = answering("forfeitEtcdLeadership", ip);
      sim.actions.push(`forfeitEtcdLeadership ${n.spec.name}`);
      sim.forfeitEtcdLeadership(n);
    },
    async serviceInfo(ip, id) {
      return answer.serviceInfo(sim, answering("serviceInfo", ip), id);
    },
    async machineType(ip) {
      return answer.machineType(sim, answering("machineType", ip));
    },
    /** As talosctl: the file written only when the snapshot streamed whole, then its info. */
    async etcdSnapshot(ip, file): Promise<SnapshotInfo> {
      const n = answering("etcdSnapshot", ip);
      sim.actions.push(`etcdSnapshot ${n.spec.name}`);
      answer.etcdMembers(sim, n); // a snapshot needs a healthy member of a quorate cluster
      const database: SimulatedDatabase = { simulatedEtcd: true, revision: sim.etcdRevision, hash: true };
      fs.writeFileSync(file, JSON.stringify(database), { mode: 0o600 });
      const bytes = fs.statSync(file).size;
      return { bytes, hash: "c25fd181", revision: sim.etcdRevision, totalKeys: 1287, totalSize: bytes };
    },
    async copyEtcdDatabase(ip, dir) {
      const n = answering("copyEtcdDatabase", ip);
      sim.actions.push(`copyEtcdDatabase ${n.spec.name}`);
      if (!n.etcdData) throw new Error(`error copying: rpc error: code = Unknown desc = lstat /var/lib/etcd/member/snap/db: no such file or directory`);
      const database: SimulatedDatabase = { simulatedEtcd: true, revision: n.dataRevision, hash: false };
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, "db"), JSON.stringify(database), { mode: 0o600 });
      return path.join(dir, "db");
    },
    async resetEphemeral(ip) {
      const n = answering("resetEphemeral", ip);
      sim.actions.push(`resetEphemeral ${n.spec.name}`);
      sim.wipeEphemeral(n);
    },
    /** As Talos: only on a node waiting in Preparing; a file without etcd's hash only with the skip flag. */
    async bootstrapRecover(ip, file, skipHashCheck) {
      const n = answering("bootstrapRecover", ip);
      sim.actions.push(`bootstrapRecover ${n.spec.name} ${path.basename(file)}${skipHashCheck ? " --recover-skip-hash-check" : ""}`);
      const database = JSON.parse(fs.readFileSync(file, "utf8")) as SimulatedDatabase;
      if (n.etcdData) throw new Error("error executing bootstrap: rpc error: code = FailedPrecondition desc = etcd data directory is not empty");
      if (!database.hash && !skipHashCheck) throw new Error("error executing bootstrap: rpc error: code = Unknown desc = snapshot missing hash but --skip-hash-check=false");
      sim.recoverEtcd(n, database.revision);
    },
    async upgradeKubernetes(ip, to) {
      const n = answering("upgradeKubernetes", ip);
      sim.actions.push(`upgradeKubernetes ${n.spec.name} ${to}`);
      const problem = sim.apiProblem();
      if (problem) throw new Error(`upgrade-k8s: ${problem}`);
      const down = sim.nodes().filter((x) => !sim.kubeReady(x.spec.name));
      if (down.length) throw new Error(`upgrade-k8s: node ${down[0].spec.name} is not ready`);
      sim.upgradeKubernetes(to);
    },
  };
}
