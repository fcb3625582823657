/**
 * `npm run upgrade`: the orchestration, over the contracts' clients.
 *
 * Talos: pre-checks (verify), then one node at a time in the plan's order
 * (ops/upgrade-plan.ts). Before a control plane: etcd must have every member
 * healthy (Talos 1.13's `talosctl upgrade` no longer checks quorum itself),
 * and the node forfeits etcd leadership if it leads. After it: the boot ID
 * changed, the node runs the target, is Ready, and (control planes) every
 * etcd member is healthy again; only then the next node. Stops at the first
 * failure and says where the cluster stands; a re-run skips nodes already on
 * the target. Kubernetes: pre-checks, `talosctl upgrade-k8s`, then the
 * versions are checked.
 *
 * Waiting goes through an injected clock, so tests run a simulated cluster
 * (__tests__/support/simulated-cluster.ts) instantly.
 */
import { Clock, Seen, errorMessage, pollUntil, realClock } from "./poll";
import { controlPlanesOf } from "../domain/stack-outputs";
import type { CheckResult, ClusterNode, KubeNode, KubernetesClient, StackFacts, TalosClient } from "./contracts";
import {
  KubernetesUpgradePlan,
  ObservedCluster,
  TalosUpgradePlan,
  UpgradeTarget,
  configChange,
  kubernetesTargetProblems,
  planKubernetesUpgrade,
  planTalosUpgrade,
  renderPlan,
  resumeCommand,
  talosTargetProblems,
} from "./upgrade-plan";

export type { UpgradeTarget };

export interface UpgradeProps {
  readonly facts: StackFacts;
  readonly talos: TalosClient;
  readonly kube: KubernetesClient;
  /** The pre-checks (`npm run verify`'s checks); any failed check refuses the upgrade. */
  readonly verify: () => Promise<CheckResult[]>;
  readonly target: UpgradeTarget;
  /** Print the plan and stop. @default false */
  readonly dryRun?: boolean;
  /** @default realClock */
  readonly clock?: Clock;
  /** @default - discard */
  readonly log?: (line: string) => void;
  /** How long one node may take to come back healthy. @default 15 minutes */
  readonly nodeTimeoutMs?: number;
  /** @default 5 seconds */
  readonly pollIntervalMs?: number;
}

/** One node as it stands when the command stops. */
export interface NodeState {
  readonly name: string;
  /** Talos version, or `unreachable`. */
  readonly talosVersion: string;
  /** Kubernetes Ready, or undefined when the API did not say. */
  readonly ready?: boolean;
  /** Cordoned (`spec.unschedulable`), e.g. by an upgrade stopped before its uncordon. */
  readonly cordoned?: boolean;
}

export interface UpgradeResult {
  /** refused: nothing touched; planned: dry run; upgraded: done (or nothing to do); stopped: failed part-way. */
  readonly outcome: "refused" | "planned" | "upgraded" | "stopped";
  /** Why it was refused (every reason at once). */
  readonly problems: readonly string[];
  readonly plan?: TalosUpgradePlan | KubernetesUpgradePlan;
  /** Nodes upgraded by this run, in order. */
  readonly done: readonly string[];
  /** Nodes already on the target. */
  readonly skipped: readonly string[];
  readonly failedAt?: string;
  readonly why?: string;
  /** The command to run again once the cause is fixed. */
  readonly resume?: string;
  readonly clusterState?: readonly NodeState[];
  /** The configuration change to make after a complete upgrade. */
  readonly configChange?: string;
}

const MINUTE = 60_000;

/** Runs (or with `dryRun` plans) the upgrade; never throws for a cluster problem, returns it. */
export async function runUpgrade(props: UpgradeProps): Promise<UpgradeResult> {
  const log = props.log ?? (() => undefined);
  const refused = (problems: string[], plan?: UpgradeResult["plan"]): UpgradeResult => {
    log("Refused, nothing was changed:");
    for (const p of problems) log(`  - ${p}`);
    return { outcome: "refused", problems, plan, done: [], skipped: [] };
  };

  const failed = await preChecks(props.verify, log);
  if (failed.length) return refused(failed);

  let observed: ObservedCluster;
  try {
    observed = await observe(props);
  } catch (error) {
    return refused([`could not read the cluster's state: ${errorMessage(error)}`]);
  }
  return props.target.kind === "talos" ? upgradeTalos(props, observed, log, refused) : upgradeKubernetes(props, observed, log, refused);
}

/**
 * verify's checks that the cluster runs the configuration's versions: not
 * pre-checks of an upgrade, which changes exactly that (a re-run after a stop
 * finds nodes on two versions); the upgrade has its own version rules.
 */
export const VERSION_CHECK_IDS: readonly string[] = ["talos-version", "kubernetes-version"];

async function preChecks(verify: UpgradeProps["verify"], log: (line: string) => void): Promise<string[]> {
  let checks: CheckResult[];
  try {
    checks = await verify();
  } catch (error) {
    return [`pre-checks (verify) could not run: ${errorMessage(error)}`];
  }
  for (const c of checks) if (!c.ok && VERSION_CHECK_IDS.includes(c.id)) log(`note (not a pre-check of an upgrade): ${c.title}: ${c.seen}`);
  return checks.filter((c) => !c.ok && !VERSION_CHECK_IDS.includes(c.id)).map((c) => `pre-check failed: ${c.title}: ${c.seen}`);
}

async function observe(props: UpgradeProps): Promise<ObservedCluster> {
  const { facts, talos, kube } = props;
  const talosVersions: Record<string, string> = {};
  let vipHolder: string | undefined;
  for (const node of facts.nodes) {
    talosVersions[node.name] = await talos.version(node.ip);
    if (node.role === "control-plane" && vipHolder === undefined && (await talos.addresses(node.ip)).includes(facts.vip)) vipHolder = node.name;
  }
  const kubernetesVersion = await kube.serverVersion();
  const kubeletVersions = Object.fromEntries((await kube.nodes()).map((n) => [n.name, n.kubeletVersion]));
  return { talosVersions, vipHolder, kubernetesVersion, kubeletVersions };
}

type Refuse = (problems: string[], plan?: UpgradeResult["plan"]) => UpgradeResult;

async function upgradeTalos(props: UpgradeProps, observed: ObservedCluster, log: (line: string) => void, refused: Refuse): Promise<UpgradeResult> {
  const { facts, talos, target } = props;
  const problems = talosTargetProblems(facts, observed, target.version);
  if (problems.length) return refused(problems);
  const plan = planTalosUpgrade(facts, observed, target.version);
  log(renderPlan(plan));
  const skipped = plan.steps.filter((s) => s.action === "skip").map((s) => s.node.name);
  if (props.dryRun) return { outcome: "planned", problems: [], plan, done: [], skipped };

  const done: string[] = [];
  const stop = async (node: ClusterNode, why: string): Promise<UpgradeResult> => {
    const clusterState = await standing(props);
    const untouched = plan.steps.filter((s) => s.action === "upgrade" && s.node !== node && !done.includes(s.node.name)).map((s) => s.node.name);
    const resume = resumeCommand(target);
    log(`Stopped at ${node.name}: ${why}`);
    log(`  upgraded in this run: ${done.join(", ") || "none"}; not touched: ${untouched.join(", ") || "none"}`);
    log(`  the cluster now: ${clusterState.map(renderState).join("; ")}`);
    log(`  once the cause is fixed, resume with: ${resume}   (nodes already on ${target.version} are skipped)`);
    return { outcome: "stopped", problems: [], plan, done, skipped, failedAt: node.name, why, resume, clusterState };
  };

  for (const step of plan.steps) {
    if (step.action === "skip") continue;
    const node = step.node;
    const isControlPlane = node.role === "control-plane";
    try {
      if (isControlPlane) {
        const etcd = await etcdHealth(props);
        if (!etcd.ok) return await stop(node, `etcd does not have every member healthy (${etcd.seen}); ${node.name} was not touched`);
        const status = await talos.etcdStatus(node.ip);
        if (status.leader === status.memberId) {
          log(`${node.name}: leads etcd; forfeiting leadership`);
          await talos.forfeitEtcdLeadership(node.ip);
        }
      }
    } catch (error) {
      return await stop(node, `before its upgrade: ${errorMessage(error)}; ${node.name} was not upgraded`);
    }
    let bootBefore: string;
    try {
      bootBefore = await talos.bootId(node.ip);
      log(`${node.name}: upgrading to ${target.version}`);
      await talos.upgrade(node.ip, plan.image, props.nodeTimeoutMs ?? 15 * MINUTE);
    } catch (error) {
      return await stop(node, `upgrade failed: ${errorMessage(error)}`);
    }
    const back = await waitUntilBack(props, node, bootBefore);
    if (!back.ok) return await stop(node, back.seen);
    log(`${node.name}: back on ${target.version}, Ready${isControlPlane ? ", every etcd member healthy" : ""}`);
    done.push(node.name);
  }

  const change = configChange(target);
  log(`Done: every node runs Talos ${target.version}. Now ${change}.`);
  return { outcome: "upgraded", problems: [], plan, done, skipped, configChange: change };
}

async function upgradeKubernetes(props: UpgradeProps, observed: ObservedCluster, log: (line: string) => void, refused: Refuse): Promise<UpgradeResult> {
  const { facts, talos, target } = props;
  const problems = kubernetesTargetProblems(facts, observed, target.version);
  if (problems.length) return refused(problems);
  const plan = planKubernetesUpgrade(facts, observed, target.version);
  log(renderPlan(plan));
  if (props.dryRun) return { outcome: "planned", problems: [], plan, done: [], skipped: [] };
  const change = configChange(target);
  if (plan.upToDate) {
    log(`Nothing to do. If not done yet, ${change}.`);
    return { outcome: "upgraded", problems: [], plan, done: [], skipped: facts.nodes.map((n) => n.name), configChange: change };
  }
  const stop = async (why: string): Promise<UpgradeResult> => {
    const clusterState = await standing(props);
    const resume = resumeCommand(target);
    log(`Stopped: ${why}`);
    log(`  the cluster now: ${clusterState.map(renderState).join("; ")}`);
    log(`  once the cause is fixed, resume with: ${resume}   (upgrade-k8s skips what already runs ${target.version})`);
    return { outcome: "stopped", problems: [], plan, done: [], skipped: [], failedAt: plan.controlPlane.name, why, resume, clusterState };
  };
  try {
    await talos.upgradeKubernetes(plan.controlPlane.ip, target.version);
  } catch (error) {
    return stop(`talosctl upgrade-k8s failed: ${errorMessage(error)}`);
  }
  const versions = await waitFor(props, async () => {
    const server = await props.kube.serverVersion();
    const behind = (await props.kube.nodes()).filter((n) => n.kubeletVersion !== target.version).map((n) => `${n.name} ${n.kubeletVersion}`);
    if (server !== target.version) return { ok: false, seen: `API server on ${server}` };
    return behind.length ? { ok: false, seen: `kubelets behind: ${behind.join(", ")}` } : { ok: true, seen: "" };
  });
  if (!versions.ok) return stop(`after upgrade-k8s: ${versions.seen}`);
  log(`Done: the API server and every kubelet run ${target.version}. Now ${change}.`);
  return { outcome: "upgraded", problems: [], plan, done: facts.nodes.map((n) => n.name), skipped: [], configChange: change };
}

/** Every control plane's etcd service healthy and the member list exactly the control planes (no learner). */
export async function etcdHealth(props: Pick<UpgradeProps, "facts" | "talos">): Promise<Seen> {
  const controlPlanes = controlPlanesOf(props.facts);
  const unhealthy: string[] = [];
  for (const cp of controlPlanes) {
    try {
      const service = await props.talos.service(cp.ip, "etcd");
      if (!service.healthy) unhealthy.push(service.state === "Running" ? cp.name : `${cp.name} (not running)`);
    } catch {
      unhealthy.push(`${cp.name} (unreachable)`);
    }
  }
  if (unhealthy.length) return { ok: false, seen: `etcd not healthy on ${unhealthy.join(", ")}` };
  const members = await props.talos.etcdMembers(controlPlanes[0].ip);
  const voters = members.filter((m) => !m.isLearner);
  if (voters.length !== controlPlanes.length || voters.length !== members.length) {
    return { ok: false, seen: `${voters.length} voting member(s) of ${members.length}, ${controlPlanes.length} control planes` };
  }
  return { ok: true, seen: `${members.length}/${controlPlanes.length} members healthy` };
}

/** Back = new boot ID, the target version, Ready, and (control planes) every etcd member healthy. */
async function waitUntilBack(props: UpgradeProps, node: ClusterNode, bootBefore: string): Promise<Seen> {
  const { talos, kube, target } = props;
  let cordoned = false;
  const result = await waitFor(props, async () => {
    const boot = await talos.bootId(node.ip);
    if (boot === bootBefore) return { ok: false, seen: "has not rebooted (boot ID unchanged)" };
    const version = await talos.version(node.ip);
    if (version !== target.version) return { ok: false, seen: `rebooted but runs ${version}, not ${target.version} (the upgrade may have rolled back)` };
    const kubeNode = (await kube.nodes()).find((n) => n.name === node.name);
    if (!kubeNode?.ready) return { ok: false, seen: `on ${version} but not Ready in Kubernetes` };
    cordoned = kubeNode.unschedulable;
    if (node.role === "control-plane") {
      const etcd = await etcdHealth(props);
      if (!etcd.ok) return { ok: false, seen: `on ${version} and Ready, but ${etcd.seen}` };
    }
    return { ok: true, seen: "" };
  });
  // talosctl uncordons before it returns: a node still cordoned was left so (its uncordon failed), and nothing else undoes it.
  if (result.ok && cordoned) return { ok: false, seen: `back on ${target.version} and Ready, but left cordoned (spec.unschedulable): run \`kubectl uncordon ${node.name}\`` };
  if (result.ok) return result;
  const minutes = Math.round((props.nodeTimeoutMs ?? 15 * MINUTE) / MINUTE);
  return { ok: false, seen: `not back within ${minutes} min; last seen: ${result.seen}` };
}

/** Polls `look` until it holds or the per-node timeout passes. */
function waitFor(props: UpgradeProps, look: () => Promise<Seen>): Promise<Seen> {
  return pollUntil({ clock: props.clock ?? realClock, timeoutMs: props.nodeTimeoutMs ?? 15 * MINUTE, pollMs: props.pollIntervalMs ?? 5_000 }, look);
}

/** Best effort: a node or the API that does not answer is reported as such. */
async function standing(props: UpgradeProps): Promise<NodeState[]> {
  let kubeNodes: Map<string, KubeNode> | undefined;
  try {
    kubeNodes = new Map((await props.kube.nodes()).map((n) => [n.name, n]));
  } catch {
    kubeNodes = undefined;
  }
  const states: NodeState[] = [];
  for (const node of props.facts.nodes) {
    let talosVersion: string;
    try {
      talosVersion = await props.talos.version(node.ip);
    } catch {
      talosVersion = "unreachable";
    }
    const kubeNode = kubeNodes?.get(node.name);
    states.push({ name: node.name, talosVersion, ready: kubeNode?.ready, ...(kubeNode?.unschedulable ? { cordoned: true } : {}) });
  }
  return states;
}

function renderState(s: NodeState): string {
  const ready = s.ready === undefined ? "Ready unknown" : s.ready ? "Ready" : "NotReady";
  return `${s.name} ${s.talosVersion} ${ready}${s.cordoned ? ` cordoned (kubectl uncordon ${s.name})` : ""}`;
}
