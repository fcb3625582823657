/**
 * `npm run restore`: Talos's disaster recovery (v1.13 guide, "Disaster
 * Recovery") as one command, over the contracts' clients.
 *
 * Refuses while etcd has quorum (unless forced), when a node is of machine
 * type `init`, or when no control plane is up. The plan: every control plane
 * that is up and whose etcd is not healthy (with --force: every one that is
 * up) has its EPHEMERAL partition wiped (`reset --graceful=false --reboot
 * --system-labels-to-wipe=EPHEMERAL`); the first of them in the stack's order
 * recovers (`bootstrap --recover-from`): once wiped they are alike, and the
 * stack's order makes the choice predictable. Control planes that are down
 * are not touched. Then, each with a wait and a message: every wiped node
 * rebooted with etcd `Preparing`, the bootstrap, the API through the VIP, the
 * other wiped members joined; then verify.
 *
 * Waiting goes through an injected clock, so tests run a simulated cluster.
 */
import * as fs from "node:fs";
import { etcdQuorum } from "../domain/quorum";
import { controlPlanesOf } from "../domain/stack-outputs";
import type { CheckResult, ClusterNode, EtcdRecoveryClient, KubernetesClient, ServiceInfo, StackFacts, TalosClient } from "./contracts";
import { BackupMetadata, metadataPathOf, sha256File } from "./backup";
import { Clock, Seen, errorMessage, pollUntil, realClock } from "./poll";
import { Answer, answerOf, peerAddress } from "./verify";

/** The snapshot file to restore, as checked. */
export interface SnapshotFile {
  readonly path: string;
  /** A disaster copy (or a file its metadata says needs it): `--recover-skip-hash-check`. */
  readonly skipHashCheck: boolean;
  /** The revision its metadata records, when it does. */
  readonly revision?: number;
  /** How the file was checked, in words. */
  readonly checked: string;
}

/**
 * Checks the file: it exists and is not empty; with metadata beside it (as
 * `npm run backup` writes it), its sha256 matches and a disaster copy implies
 * `--recover-skip-hash-check`. Problems come back all at once.
 */
export async function checkSnapshotFile(file: string, skipHashCheckFlag: boolean): Promise<{ readonly file?: SnapshotFile; readonly problems: string[] }> {
  let size: number;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return { problems: [`--from ${file} is not a file`] };
    size = stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : code === "EACCES" || code === "EPERM" ? "may not be read by this user" : `cannot be read (${code ?? errorMessage(error)})`;
    return { problems: [`--from ${file} ${why}; name a snapshot npm run backup wrote (by default in backups/)`] };
  }
  if (size === 0) return { problems: [`--from ${file} is empty`] };
  const metadataFile = metadataPathOf(file);
  if (!fs.existsSync(metadataFile)) {
    return { file: { path: file, skipHashCheck: skipHashCheckFlag, checked: `no metadata beside it (${metadataFile}): not checked against a recorded sha256${skipHashCheckFlag ? "; --recover-skip-hash-check as asked" : ""}` }, problems: [] };
  }
  let metadata: Partial<BackupMetadata>;
  try {
    metadata = JSON.parse(fs.readFileSync(metadataFile, "utf8")) as Partial<BackupMetadata>;
  } catch (error) {
    return { problems: [`${metadataFile}: not the JSON npm run backup writes (${errorMessage(error)}); move it away to restore without the check`] };
  }
  const sha256 = await sha256File(file);
  if (typeof metadata.sha256 !== "string" || metadata.sha256 !== sha256) {
    return {
      problems: [
        `--from ${file}: its sha256 is ${sha256}, but ${metadataFile} records ${JSON.stringify(metadata.sha256 ?? null)}: the file changed or is not the one backed up; take another backup or use the right file`,
      ],
    };
  }
  const disaster = metadata.kind === "disaster-copy" || (metadata.recoverFlags ?? []).includes("--recover-skip-hash-check");
  const revision = metadata.snapshotInfo?.revision;
  return {
    file: {
      path: file,
      skipHashCheck: disaster || skipHashCheckFlag,
      ...(revision !== undefined ? { revision } : {}),
      checked: `sha256 matches ${metadataFile}; ${disaster ? "a disaster copy: --recover-skip-hash-check" : `a snapshot of revision ${revision ?? "unknown"} taken ${metadata.takenAt ?? "at an unknown time"} from ${metadata.node ?? "an unknown node"}`}`,
    },
    problems: [],
  };
}

/** Each control plane as the restore found it. */
export interface ControlPlaneSeen {
  readonly node: ClusterNode;
  readonly etcd: Answer<ServiceInfo>;
  readonly machineType: Answer<string>;
}

export interface RestorePlan {
  /** Up, etcd not healthy (with --force, every one up): EPHEMERAL wiped. */
  readonly wipe: readonly ClusterNode[];
  /** Where `bootstrap --recover-from` runs: the first of `wipe` in the stack's order. */
  readonly recover?: ClusterNode;
  /** Not answering: not touched. */
  readonly down: readonly ClusterNode[];
  /** Healthy etcd members (wiped only with --force). */
  readonly healthy: readonly ClusterNode[];
  readonly quorum: boolean;
}

/** One step as it went. */
export interface RestoreStep {
  readonly step: string;
  readonly ok: boolean;
  readonly seen: string;
}

export interface RestoreResult {
  /** refused: nothing touched; planned: dry run; declined: not confirmed; restored: every step done; stopped: a step failed. */
  readonly outcome: "refused" | "planned" | "declined" | "restored" | "stopped";
  readonly problems: readonly string[];
  readonly controlPlanes: readonly ControlPlaneSeen[];
  readonly plan?: RestorePlan;
  readonly steps: readonly RestoreStep[];
  /** verify's checks after the restore. */
  readonly checks?: readonly CheckResult[];
}

export interface RestoreTimings {
  /** Until a wiped node has rebooted with etcd `Preparing`. @default 15 min */
  readonly wipeTimeoutMs: number;
  /** Until the API answers after the bootstrap. @default 15 min */
  readonly apiTimeoutMs: number;
  /** Until every other wiped member has joined. @default 15 min */
  readonly joinTimeoutMs: number;
  /** @default 5 s */
  readonly pollMs: number;
}

export const DEFAULT_RESTORE_TIMINGS: RestoreTimings = { wipeTimeoutMs: 900_000, apiTimeoutMs: 900_000, joinTimeoutMs: 900_000, pollMs: 5_000 };

export interface RestoreProps {
  readonly facts: StackFacts;
  readonly talos: TalosClient & EtcdRecoveryClient;
  readonly kube: KubernetesClient;
  readonly snapshot: SnapshotFile;
  /** Restore although etcd has quorum. @default false */
  readonly force?: boolean;
  /** Print the plan and stop. @default false */
  readonly dryRun?: boolean;
  /** Asked once with the plan; false declines. */
  readonly confirm: (prompt: string) => Promise<boolean>;
  /** `npm run verify`'s checks, run at the end. */
  readonly verify: () => Promise<CheckResult[]>;
  /** @default realClock */
  readonly clock?: Clock;
  /** @default - discard */
  readonly log?: (line: string) => void;
  /** @default DEFAULT_RESTORE_TIMINGS */
  readonly timings?: Partial<RestoreTimings>;
  /** The command a refusal names, e.g. `npm run restore -- --from FILE --force`. @default that */
  readonly command?: string;
}

/** What --force does, for the refusal and the docs. */
export const FORCE_EXPLAINED =
  "--force restores anyway: it wipes EPHEMERAL on every control plane that is up, the healthy members too, and replaces the cluster's whole state with the snapshot's; every change since the snapshot (objects, Secrets, leases, what controllers wrote) is lost and workloads see the cluster as it was. Only for a cluster whose data is wrong, never for one that merely runs";

/** The plan from what was seen. Pure. */
export function restorePlan(facts: StackFacts, seen: readonly ControlPlaneSeen[], force: boolean): RestorePlan {
  const healthyOf = (s: ControlPlaneSeen) => s.etcd.ok && s.etcd.value.health === "OK";
  const up = seen.filter((s) => s.etcd.ok || s.machineType.ok);
  const healthy = seen.filter(healthyOf).map((s) => s.node);
  const wipe = up.filter((s) => force || !healthyOf(s)).map((s) => s.node);
  const quorum = healthy.length >= etcdQuorum(controlPlanesOf(facts).length);
  return { wipe, recover: wipe[0], down: seen.filter((s) => !up.includes(s)).map((s) => s.node), healthy, quorum };
}

/** Every reason to refuse, at once. Pure. */
export function restoreRefusals(facts: StackFacts, seen: readonly ControlPlaneSeen[], workers: readonly { node: ClusterNode; machineType: Answer<string> }[], plan: RestorePlan, force: boolean, command: string): string[] {
  const problems: string[] = [];
  if (plan.quorum && !force) {
    problems.push(
      `etcd has quorum: ${plan.healthy.length} of ${controlPlanesOf(facts).length} members are healthy (${plan.healthy.map((n) => n.name).join(", ")}), so there is nothing to recover; a restore would roll the cluster back to the snapshot. ${FORCE_EXPLAINED} (${command} --force)`,
    );
  }
  for (const s of [...seen, ...workers]) {
    if (s.machineType.ok && s.machineType.value === "init") {
      problems.push(`${s.node.name} (${s.node.ip}) is of machine type init: an init node bootstraps etcd by itself, which Talos's recovery cannot work with; give it machine type controlplane first (its machine configuration's machine.type), then restore`);
    }
  }
  for (const s of seen) {
    if (s.etcd.ok && !s.machineType.ok) problems.push(`${s.node.name} (${s.node.ip}): its machine type could not be read (${s.machineType.error}); the restore must know that no node is of type init`);
  }
  if (plan.recover === undefined) {
    problems.push(`no control plane answers (${plan.down.map((n) => n.name).join(", ")}): nothing to recover on; bring one back (start its VM, or rebuild it with npm run deploy), then restore`);
  }
  return problems;
}

/** The plan in words, as printed before the question. */
export function renderRestorePlan(plan: RestorePlan, snapshot: SnapshotFile): string {
  const lines = [`Restore from ${snapshot.path} (${snapshot.checked}):`];
  plan.wipe.forEach((node, i) => lines.push(`  ${i + 1}. ${node.name} (${node.ip}): wipe EPHEMERAL (its etcd data) and reboot, until etcd is Preparing`));
  if (plan.recover !== undefined) {
    lines.push(
      `  ${plan.wipe.length + 1}. ${plan.recover.name} (${plan.recover.ip}) recovers: talosctl bootstrap --recover-from${snapshot.skipHashCheck ? " --recover-skip-hash-check" : ""} (the first wiped control plane in the stack's order)`,
    );
    lines.push(`  ${plan.wipe.length + 2}. wait for the API through the VIP, then for ${plan.wipe.length > 1 ? plan.wipe.filter((n) => n !== plan.recover).map((n) => n.name).join(", ") + " to join" : "nothing else to join"}; then verify`);
  }
  for (const node of plan.down) lines.push(`  not touched: ${node.name} (${node.ip}) does not answer; when it returns, wipe it the same way (talosctl -n ${node.ip} reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL) and it joins`);
  lines.push("Every change made since the snapshot is lost.");
  return lines.join("\n");
}

/** Runs (or with `dryRun` plans) the restore; never throws for a cluster problem, returns it. */
export async function runRestore(props: RestoreProps): Promise<RestoreResult> {
  const log = props.log ?? (() => undefined);
  const { facts, talos } = props;
  const force = props.force ?? false;
  const command = props.command ?? `npm run restore -- --from ${props.snapshot.path}`;
  const controlPlanes = await Promise.all(
    controlPlanesOf(facts).map(async (node): Promise<ControlPlaneSeen> => {
      const [etcd, machineType] = await Promise.all([answerOf(() => talos.serviceInfo(node.ip, "etcd")), answerOf(() => talos.machineType(node.ip))]);
      return { node, etcd, machineType };
    }),
  );
  const workers = await Promise.all(facts.nodes.filter((n) => n.role !== "control-plane").map(async (node) => ({ node, machineType: await answerOf(() => talos.machineType(node.ip)) })));
  const plan = restorePlan(facts, controlPlanes, force);
  const problems = restoreRefusals(facts, controlPlanes, workers, plan, force, command);
  if (problems.length > 0) {
    log("Refused, nothing was changed:");
    for (const p of problems) log(`  - ${p}`);
    return { outcome: "refused", problems, controlPlanes, plan, steps: [] };
  }
  const text = renderRestorePlan(plan, props.snapshot);
  log(text);
  if (props.dryRun) return { outcome: "planned", problems: [], controlPlanes, plan, steps: [] };
  const prompt = `Wipe ${plan.wipe.map((n) => n.name).join(", ")} and recover cluster ${facts.clusterName} on ${plan.recover!.name} from ${props.snapshot.path}? [y/N]`;
  if (!(await props.confirm(prompt))) {
    log("Not confirmed: nothing was changed.");
    return { outcome: "declined", problems: [], controlPlanes, plan, steps: [] };
  }
  return execute(props, plan, controlPlanes, log);
}

async function execute(props: RestoreProps, plan: RestorePlan, controlPlanes: readonly ControlPlaneSeen[], log: (line: string) => void): Promise<RestoreResult> {
  const { talos, kube, snapshot } = props;
  const timings = { ...DEFAULT_RESTORE_TIMINGS, ...props.timings };
  const clock = props.clock ?? realClock;
  const steps: RestoreStep[] = [];
  const wait = (timeoutMs: number, look: () => Promise<Seen>) => pollUntil({ clock, timeoutMs, pollMs: timings.pollMs }, look);
  const done = (step: string, seen: string) => {
    steps.push({ step, ok: true, seen });
    log(`${step}: ${seen}`);
  };
  const stop = (step: string, seen: string): RestoreResult => {
    steps.push({ step, ok: false, seen });
    log(`Stopped: ${step}: ${seen}`);
    log(`  done so far: ${steps.filter((s) => s.ok).map((s) => s.step).join("; ") || "nothing"}`);
    log("  once the cause is fixed, run the restore again: it plans from what it finds (a wiped node waiting in Preparing is wiped again)");
    return { outcome: "stopped", problems: [], controlPlanes, plan, steps };
  };
  const minutes = (ms: number) => `${Math.round(ms / 60_000)} min`;

  // 1. Wipe: every reset sent, then every node waited for.
  const bootBefore = new Map<string, string>();
  for (const node of plan.wipe) {
    const step = `wipe ${node.name}`;
    try {
      bootBefore.set(node.name, await talos.bootId(node.ip));
      log(`${node.name}: wiping EPHEMERAL (talosctl reset --graceful=false --reboot --system-labels-to-wipe=EPHEMERAL)`);
      await talos.resetEphemeral(node.ip);
    } catch (error) {
      return stop(step, `reset failed: ${errorMessage(error)}`);
    }
  }
  log(`waiting for ${plan.wipe.map((n) => n.name).join(", ")} to reboot with etcd Preparing (up to ${minutes(timings.wipeTimeoutMs)})`);
  for (const node of plan.wipe) {
    const preparing = await wait(timings.wipeTimeoutMs, async () => {
      if ((await talos.bootId(node.ip)) === bootBefore.get(node.name)) return { ok: false, seen: "has not rebooted yet (boot ID unchanged)" };
      const etcd = await talos.serviceInfo(node.ip, "etcd");
      return etcd.state === "Preparing" ? { ok: true, seen: "rebooted, etcd Preparing" } : { ok: false, seen: `rebooted, etcd ${etcd.state}` };
    });
    if (!preparing.ok) return stop(`wipe ${node.name}`, `not Preparing within ${minutes(timings.wipeTimeoutMs)}; last seen: ${preparing.seen}`);
    done(`wipe ${node.name}`, "EPHEMERAL wiped, rebooted, etcd Preparing");
  }

  // 2. Bootstrap from the snapshot.
  const recover = plan.recover!;
  try {
    log(`${recover.name}: talosctl bootstrap --recover-from=${snapshot.path}${snapshot.skipHashCheck ? " --recover-skip-hash-check" : ""}`);
    await talos.bootstrapRecover(recover.ip, snapshot.path, snapshot.skipHashCheck);
  } catch (error) {
    return stop(`bootstrap ${recover.name}`, `bootstrap failed: ${errorMessage(error)}`);
  }
  done(`bootstrap ${recover.name}`, `etcd recovered from ${snapshot.path}${snapshot.revision !== undefined ? ` (revision ${snapshot.revision})` : ""}`);

  // 3. The API through the VIP.
  log(`waiting for the Kubernetes API through the VIP (up to ${minutes(timings.apiTimeoutMs)})`);
  const api = await wait(timings.apiTimeoutMs, async () => {
    const readyz = await kube.readyz();
    return { ok: readyz.ok, seen: readyz.detail };
  });
  if (!api.ok) return stop("the API answers", `not within ${minutes(timings.apiTimeoutMs)}; last seen: ${api.seen}`);
  done("the API answers", `/readyz: ${api.seen}`);

  // 4. The other wiped members join.
  const others = plan.wipe.filter((n) => n !== recover);
  if (others.length > 0) {
    log(`waiting for ${others.map((n) => n.name).join(", ")} to join etcd (up to ${minutes(timings.joinTimeoutMs)})`);
    const joined = await wait(timings.joinTimeoutMs, async () => {
      const members = await talos.etcdMembers(recover.ip);
      const missing: string[] = [];
      for (const node of others) {
        const member = members.find((m) => m.peerUrls.some((url) => peerAddress(url) === node.ip) || m.hostname === node.name);
        const etcd = await answerOf(() => talos.serviceInfo(node.ip, "etcd"));
        if (member === undefined || member.isLearner || !etcd.ok || etcd.value.health !== "OK") {
          missing.push(`${node.name} (${member === undefined ? "not a member" : member.isLearner ? "learner" : "member"}, etcd ${etcd.ok ? `${etcd.value.state} ${etcd.value.health}` : "no answer"})`);
        }
      }
      return missing.length === 0 ? { ok: true, seen: `${members.length} members` } : { ok: false, seen: `not joined yet: ${missing.join(", ")}` };
    });
    if (!joined.ok) return stop("the others join", `not within ${minutes(timings.joinTimeoutMs)}; last seen: ${joined.seen}`);
    done("the others join", `${others.map((n) => n.name).join(", ")} joined (${joined.seen})`);
  }

  // 5. verify.
  let checks: CheckResult[];
  try {
    checks = await props.verify();
  } catch (error) {
    return stop("verify", `could not run: ${errorMessage(error)}`);
  }
  const failed = checks.filter((c) => !c.ok);
  steps.push({ step: "verify", ok: failed.length === 0, seen: failed.length === 0 ? `all ${checks.length} checks hold` : `${failed.length} of ${checks.length} checks fail: ${failed.map((c) => c.id).join(", ")}` });
  log(`Restored from ${snapshot.path}; verify: ${steps[steps.length - 1].seen}`);
  if (plan.down.length > 0) log(`  still down: ${plan.down.map((n) => n.name).join(", ")}: when each returns, wipe EPHEMERAL on it and it joins`);
  return { outcome: "restored", problems: [], controlPlanes, plan, steps, checks };
}
