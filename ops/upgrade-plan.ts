/**
 * The pure half of `npm run upgrade`: which targets are allowed, in which
 * order the nodes go, with which image, and the plan as text. No I/O: the
 * orchestration (ops/upgrade.ts) observes the cluster and passes what it saw.
 */
import { failuresTolerated } from "../domain/quorum";
import { SemanticVersion, parseVersion, supportsKubernetes, talosOsRelease, TALOS_OS_RELEASES } from "../domain/talos-versions";
import type { ClusterNode, StackFacts } from "./contracts";
import { controlPlanesOf } from "../domain/stack-outputs";

/** What the operator asked for. */
export type UpgradeTarget = { readonly kind: "talos"; readonly version: string } | { readonly kind: "kubernetes"; readonly version: string };

/** What the orchestration saw of the cluster before planning. */
export interface ObservedCluster {
  /** Running Talos version of each node, by node name. */
  readonly talosVersions: Readonly<Record<string, string>>;
  /** The control plane holding the VIP, if any answered with it. */
  readonly vipHolder?: string;
  /** The API server's version. */
  readonly kubernetesVersion: string;
  /** kubelet version of each Kubernetes node, by node name (Kubernetes path). */
  readonly kubeletVersions?: Readonly<Record<string, string>>;
}

export interface TalosUpgradeStep {
  readonly node: ClusterNode;
  readonly from: string;
  /** `skip`: the node already runs the target (a re-run resumes here). */
  readonly action: "upgrade" | "skip";
  readonly holdsVip: boolean;
}

export interface TalosUpgradePlan {
  readonly kind: "talos";
  readonly target: string;
  readonly image: string;
  /** In execution order: control planes (VIP holder last among them), then workers. */
  readonly steps: readonly TalosUpgradeStep[];
}

export interface KubernetesUpgradePlan {
  readonly kind: "kubernetes";
  readonly target: string;
  readonly from: string;
  /** The node `talosctl upgrade-k8s` runs against. */
  readonly controlPlane: ClusterNode;
  /** Everything already runs the target: nothing to do. */
  readonly upToDate: boolean;
}

export type UpgradePlan = TalosUpgradePlan | KubernetesUpgradePlan;

/** `--talos v1.13.10` or `--kubernetes v1.36.4`: what a re-run types. */
export function resumeCommand(target: UpgradeTarget): string {
  return `npm run upgrade -- --${target.kind} ${target.version}`;
}

/** The configuration change that makes the next deploy agree with the cluster. */
export function configChange(target: UpgradeTarget): string {
  const field = target.kind === "talos" ? "talosVersion" : "kubernetesVersion";
  return `set ${field}: ${target.version} in your HOMELAB_CONFIG and deploy, so the next deploy agrees with the cluster`;
}

function compare(a: SemanticVersion, b: SemanticVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Minors from `from` to `to` (1.12 -> 1.14 is 2); a major change counts as many. */
function minorsAhead(from: SemanticVersion, to: SemanticVersion): number {
  return to.major === from.major ? to.minor - from.minor : Number.POSITIVE_INFINITY;
}

function notAVersion(flag: string, text: string, example: string): string {
  return `--${flag} "${text}" is not a version: use the vX.Y.Z form, e.g. ${example}`;
}

/**
 * Every reason to refuse a Talos target, at once (empty: allowed). Refused:
 * a malformed tag, a release the nodes may not run, a downgrade of any node,
 * skipping a minor for any node (Talos upgrades one minor at a time), a
 * release that does not run the cluster's Kubernetes version, and upgrading
 * control planes when etcd cannot lose one member.
 */
export function talosTargetProblems(facts: StackFacts, observed: ObservedCluster, target: string): string[] {
  const to = parseVersion(target);
  if (!to) return [notAVersion("talos", target, "v1.13.10")];
  const release = talosOsRelease(target);
  if (!release) {
    const known = TALOS_OS_RELEASES.map((r) => r.minor).join(", ");
    return [`Talos ${target} is not a release the nodes may run here (${known})`];
  }
  const problems: string[] = [];
  if (facts.installerImageBase === "") {
    problems.push(
      "no installer image: the Terraform state's installer_image_base is unknown (run from the deployed project, or give --installer-image-base, e.g. factory.talos.dev/nocloud-installer/<schematic id>, the image of `talosctl get machineconfig -o yaml`'s machine.install.image without its tag)",
    );
  }
  for (const node of facts.nodes) {
    const running = observed.talosVersions[node.name];
    const from = running === undefined ? undefined : parseVersion(running);
    if (!from) {
      problems.push(`${node.name}: running Talos version unknown (${running ?? "no answer"}); cannot plan an upgrade`);
    } else if (compare(to, from) < 0) {
      problems.push(`${node.name} runs ${running}, newer than ${target}: downgrades are refused`);
    } else if (minorsAhead(from, to) > 1) {
      problems.push(
        `${node.name} runs ${running}: Talos upgrades one minor at a time; upgrade to the newest v${from.major}.${from.minor + 1}.x first, then to ${target}`,
      );
    }
  }
  if (!supportsKubernetes(release, observed.kubernetesVersion)) {
    problems.push(
      `Talos ${release.minor} runs Kubernetes ${release.kubernetes.oldest} to ${release.kubernetes.newest}, the cluster runs ${observed.kubernetesVersion}: upgrade Kubernetes first`,
    );
  }
  const controlPlanes = controlPlanesOf(facts);
  const controlPlaneToUpgrade = controlPlanes.some((n) => observed.talosVersions[n.name] !== target);
  if (controlPlaneToUpgrade && (controlPlanes.length === 0 || failuresTolerated(controlPlanes.length) < 1)) {
    problems.push(
      `${controlPlanes.length} control plane(s): etcd tolerates no failure, so rebooting one loses quorum; upgrade it by hand (docs/operations.md, Reboots, upgrades and recovery by hand)`,
    );
  }
  return problems;
}

/**
 * Every reason to refuse a Kubernetes target, at once: a malformed tag, a
 * downgrade, skipping a minor (upgrade-k8s goes one minor at a time), a
 * version some node's Talos release does not run.
 */
export function kubernetesTargetProblems(facts: StackFacts, observed: ObservedCluster, target: string): string[] {
  const to = parseVersion(target);
  if (!to) return [notAVersion("kubernetes", target, "v1.36.4")];
  const problems: string[] = [];
  const running: [string, string][] = [["the API server", observed.kubernetesVersion]];
  for (const [name, version] of Object.entries(observed.kubeletVersions ?? {})) running.push([`${name}'s kubelet`, version]);
  for (const [who, version] of running) {
    const from = parseVersion(version);
    if (!from) problems.push(`${who}: version unknown (${version}); cannot plan an upgrade`);
    else if (compare(to, from) < 0) problems.push(`${who} runs ${version}, newer than ${target}: downgrades are refused`);
    else if (minorsAhead(from, to) > 1)
      problems.push(`${who} runs ${version}: Kubernetes upgrades one minor at a time; upgrade to v${from.major}.${from.minor + 1}.x first`);
  }
  for (const node of facts.nodes) {
    const talos = observed.talosVersions[node.name];
    const release = talos === undefined ? undefined : talosOsRelease(talos);
    if (!release) problems.push(`${node.name}: Talos ${talos ?? "version unknown"} is not a release this project knows`);
    else if (!supportsKubernetes(release, target))
      problems.push(
        `${node.name} runs Talos ${talos}, which runs Kubernetes ${release.kubernetes.oldest} to ${release.kubernetes.newest}, not ${target}: upgrade Talos first`,
      );
  }
  return problems;
}

/**
 * Why `text` is not an installer image without its tag (undefined: it is
 * one): `<registry>/<path>`, lower case, no `:tag` or `@digest` (the
 * upgrade adds the version), e.g. `factory.talos.dev/nocloud-installer/<schematic id>`.
 */
export function installerImageBaseProblem(text: string): string | undefined {
  const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
  const registry = "[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\\d+)?";
  if (new RegExp(`^${registry}(?:/${component})+$`).test(text)) return undefined;
  const last = text.split("/").slice(1).pop() ?? "";
  const tagged = last.includes(":") || last.includes("@");
  const why = tagged ? "give it without the tag or digest: the upgrade adds the version" : "expected <registry>/<path> in lower case";
  return `--installer-image-base "${text}" is not an image name: ${why}, e.g. factory.talos.dev/nocloud-installer/<schematic id>`;
}

/** `<factory>/nocloud-installer/<schematic>:<version>`: the installer that keeps this cluster's extensions. */
export function installerImage(facts: StackFacts, version: string): string {
  return `${facts.installerImageBase}:${version}`;
}

/**
 * One node at a time: control planes in the stack's order with the VIP
 * holder moved last (so the VIP moves once), then workers. Nodes already on
 * the target stay in the plan as `skip`.
 */
export function planTalosUpgrade(facts: StackFacts, observed: ObservedCluster, target: string): TalosUpgradePlan {
  const step = (node: ClusterNode): TalosUpgradeStep => {
    const from = observed.talosVersions[node.name] ?? "unknown";
    return { node, from, action: from === target ? "skip" : "upgrade", holdsVip: node.name === observed.vipHolder };
  };
  const controlPlanes = controlPlanesOf(facts);
  const ordered = [
    ...controlPlanes.filter((n) => n.name !== observed.vipHolder),
    ...controlPlanes.filter((n) => n.name === observed.vipHolder),
    ...facts.nodes.filter((n) => n.role === "worker"),
  ];
  return { kind: "talos", target, image: installerImage(facts, target), steps: ordered.map(step) };
}

/** `talosctl upgrade-k8s` against the first control plane; up to date when the API server and every kubelet run the target. */
export function planKubernetesUpgrade(facts: StackFacts, observed: ObservedCluster, target: string): KubernetesUpgradePlan {
  const controlPlane = controlPlanesOf(facts)[0];
  if (!controlPlane) throw new Error("the stack has no control plane");
  const kubelets = Object.values(observed.kubeletVersions ?? {});
  const upToDate = observed.kubernetesVersion === target && kubelets.every((v) => v === target);
  return { kind: "kubernetes", target, from: observed.kubernetesVersion, controlPlane, upToDate };
}

/** The plan as the operator reads it before anything happens. */
export function renderPlan(plan: UpgradePlan): string {
  if (plan.kind === "kubernetes") {
    if (plan.upToDate) return `Kubernetes: the API server and every kubelet already run ${plan.target}; nothing to do.`;
    return [
      `Kubernetes upgrade ${plan.from} -> ${plan.target}`,
      `  talosctl -n ${plan.controlPlane.ip} upgrade-k8s --to ${plan.target}   (rolling, one node at a time; manifests synced)`,
    ].join("\n");
  }
  const lines = [`Talos upgrade to ${plan.target}, one node at a time`, `  image: ${plan.image}`];
  let index = 0;
  for (const s of plan.steps) {
    const role = s.node.role === "control-plane" ? "control plane" : "worker";
    const vip = s.holdsVip ? ", VIP holder (last: the VIP moves once)" : "";
    const what = s.action === "skip" ? `already on ${plan.target}: skipped` : `${s.from} -> ${plan.target}`;
    lines.push(`  ${s.action === "skip" ? "-" : `${++index}.`} ${s.node.name} (${s.node.ip}, ${role}${vip}): ${what}`);
  }
  if (index === 0) lines.push(`  every node already runs ${plan.target}; nothing to do`);
  return lines.join("\n");
}
