/**
 * The pull-request review page: warnings first, the control plane at a
 * glance, its HA arithmetic, what fails over and what does not, the
 * resources, and (given a base) what the change adds, changes and removes.
 * Pure and deterministic: the same JSON gives the same bytes; no paths,
 * times or secret values.
 */
import { ChangeContext, changeWarnings, renderChanges } from "./render-changes";
import { renderDiagram } from "./render-diagram";
import { HaFacts, HostLossRecovery, configurationWarnings, haFacts } from "./ha-facts";
import { FAILOVER_FACTS, FAST_FAILOVER_FACTS } from "./failover-facts";
import { code, plural, table } from "./markdown";
import { diffStacks } from "./resource-diff";
import { nodeConfigChanges } from "./talos-config-changes";
import { ControlPlaneVm, StackModel, TerraformJson, TypeCount, stackModel } from "./stack-model";

export interface ReviewInput {
  /** The synthesized stack under review. */
  readonly head: TerraformJson;
  /** The HOMELAB_CONFIG file it came from, as a project-relative path; unset for the reference homelab. */
  readonly config?: string;
  /** The stack to compare with, and how to name it in the text (never an absolute path). */
  readonly base?: { readonly json: TerraformJson; readonly label: string };
}

/** The review as Markdown, ending in a newline. */
export function renderReview(input: ReviewInput): string {
  const model = stackModel(input.head);
  const facts = haFacts(model);
  const context: ChangeContext | undefined = input.base && changeContextOf(input.base, input.head, model, facts);
  const warnings = [...(context ? changeWarnings(context) : []), ...configurationWarnings(model, facts)];

  const lines = [
    `# Control plane review${model.clusterName ? `: ${code(model.clusterName)}` : ""}`,
    "",
    input.config ? `Synthesized from ${code(input.config)}.` : "Synthesized from the reference homelab (no `HOMELAB_CONFIG`).",
    "",
  ];
  if (warnings.length > 0) lines.push("## Warnings", "", ...warnings.map((warning) => `- ${warning}`), "");
  lines.push(...renderAtAGlance(model), ...renderHa(model, facts), ...renderFailover(model, facts), ...renderResources(model));
  if (context) lines.push(...renderChanges(context));
  return `${lines
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

function changeContextOf(base: NonNullable<ReviewInput["base"]>, head: TerraformJson, model: StackModel, facts: HaFacts | undefined): ChangeContext {
  const baseModel = stackModel(base.json);
  return {
    diff: diffStacks(base.json, head),
    base: baseModel,
    head: model,
    baseFacts: haFacts(baseModel),
    headFacts: facts,
    baseLabel: base.label,
    nodeConfigChanges: nodeConfigChanges(base.json, head, baseModel, model),
  };
}

function renderAtAGlance(model: StackModel): string[] {
  const show = (value: number | undefined) => (value === undefined ? "?" : String(value));
  const ha = (node: ControlPlaneVm) => (!node.haManaged ? "no" : model.ha?.datastoreShared ? "yes, any host" : "yes, own host only");
  const rows = [...model.nodes, ...model.workers].map((node) => [
    node.name,
    node.role,
    node.ip || "?",
    show(node.vmId),
    node.proxmoxHost,
    show(node.cores),
    show(node.memoryMib),
    show(node.diskSizeGib),
    ha(node),
  ]);
  const bootstrap = model.nodes.find((node) => node.bootstrapped);
  const facts = [
    model.vip && `VIP ${code(model.vip)}: Layer 2 failover, not load balancing. One control plane holds it at a time and answers for it with gratuitous ARP.`,
    model.clusterEndpoint &&
      (model.fastVip
        ? `Cluster endpoint ${code(model.clusterEndpoint)}: what the nodes use; kubectl and CI use the fast VIP.`
        : `Cluster endpoint ${code(model.clusterEndpoint)}: what kubectl, kubelets and CI use.`),
    model.fastVip &&
      `Fast VIP ${code(model.fastVip)}: keepalived (VRRP) on every control plane, held only by a node whose API server is ready; the kubeconfig's server. It moves in about 2 s after a crash, Talos's VIP in 40 to 64 s.`,
    (model.talosVersion || model.kubernetesVersion) && `Talos ${model.talosVersion ?? "?"}, Kubernetes ${model.kubernetesVersion ?? "?"}.`,
    bootstrap && `etcd is bootstrapped once, on ${bootstrap.name} (${bootstrap.ip}); the others join it.`,
    model.talosctlEndpoints.length > 0 && `talosctl endpoints: ${model.talosctlEndpoints.map(code).join(", ")}.`,
    model.workers.length > 0 &&
      `${plural(model.workers.length, "worker")}: they hold no etcd member and reach the API through KubePrism (127.0.0.1:7445 on every node, balancing over every API server); the VIP is only their first contact and fallback.`,
  ].filter((fact): fact is string => typeof fact === "string" && fact !== "");
  return [
    "## The control plane at a glance",
    "",
    ...renderDiagram(model),
    "",
    ...table(["Node", "Role", "IP", "VM id", "Proxmox host", "Cores", "Memory (MiB)", "Disk (GiB)", "Proxmox HA"], rows),
    "",
    ...facts.map((fact) => `- ${fact}`),
    "",
  ];
}

function renderHa(model: StackModel, facts: HaFacts | undefined): string[] {
  if (!facts) return [];
  const { members, quorum, tolerated } = facts;
  const lines = [
    "## High availability, from this configuration",
    "",
    ...table(
      ["etcd", "Value"],
      [
        ["Members (one per control plane)", String(members)],
        [`Quorum: floor(${members}/2)+1, the votes a write or a VIP move needs`, String(quorum)],
        [`Failures tolerated: floor((${members}-1)/2)`, String(tolerated)],
      ]
    ),
    "",
    `Failure domains: ${plural(members, "control plane")} on ${plural(model.hosts.length, "Proxmox host")}.`,
    "",
  ];
  lines.push(...renderHostLosses(model, facts));
  return [...lines, ""];
}

/**
 * One row per Proxmox host: what survives its loss, what Terraform can still
 * do (every plan fails on a VM read through a down host: bpg/proxmox treats
 * the 595 as an error, not as "gone"), and what the operator runs.
 */
function renderHostLosses(model: StackModel, facts: HaFacts): string[] {
  if (facts.hostLosses.length === 0) return [];
  const { members, quorum } = facts;
  const hostDown = (host: string) => code(`npm run host-down -- ${host}${model.clusterName ? ` --cluster ${model.clusterName}` : ""}`);
  const rows = facts.hostLosses.map((loss) => {
    const { host } = loss;
    const until = loss.recovery === "restart-elsewhere" ? "Proxmox HA restarts them elsewhere" : `${host} is back`;
    const etcd = loss.quorumKept
      ? `${loss.remaining} of ${members} control planes: quorum kept, the VIP moves if ${host} held it.`
      : loss.remaining === 0
        ? `Nothing: the cluster stops (API, etcd and the VIP) until ${until}.`
        : `${loss.remaining} of ${members} control planes: quorum lost (needs ${quorum}), etcd writes stop and the VIP is released until ${until}; running pods keep running.`;
    const workers = model.workers.length > 0 ? ` ${model.workers.filter((worker) => worker.proxmoxHost !== host).length} of ${plural(model.workers.length, "worker")} keep running.` : "";
    const elsewhere = [...model.nodes, ...model.workers].filter((vm) => vm.proxmoxHost !== host).length;
    const terraform =
      elsewhere === 0
        ? `Nothing until ${host} is back: every VM is on it, and a plan reads them through it.`
        : `A normal plan reads what is on ${host} through it, and fails. ${hostDown(host)} plans the other ${plural(elsewhere, "VM")} from state, leaving out what is on ${host} or depends on it.`;
    const run = loss.quorumKept
      ? `${hostDown(host)} (add ${code("--apply")} to apply it) while it is down; ${code("npm run deploy")} once it is back.`
      : `Bring ${host} back (etcd needs its members); then ${code("npm run verify")}.`;
    return [`**${host}** (${loss.lost} of ${members})`, `${etcd}${workers}${HA_RECOVERY[loss.recovery](host, members)}`, terraform, run];
  });
  return ["### Losing one Proxmox host", "", ...table(["Host lost (control planes)", "What survives", "What Terraform can still do", "What you run"], rows)];
}

/** What Proxmox HA adds to a host loss, as a sentence (or nothing). */
const HA_RECOVERY: Readonly<Record<HostLossRecovery, (host: string, members: number) => string>> = {
  none: () => "",
  "restart-elsewhere": (host, members) =>
    ` Proxmox HA restarts its control planes on other hosts once ${host} is fenced (a few minutes): etcd is back to ${members} of ${members}, with a host carrying two control planes until ${host} returns and they move back.`,
  "kept-apart": (host) => ` Proxmox HA keeps them down: the strict rule never lets two control planes share a host, and no host is free, so etcd stays short until ${host} is back.`,
  "own-host-only": (host) => ` Proxmox HA can restart them only on ${host}: their disks are not on storage the other hosts see.`,
};

function renderFailover(model: StackModel, facts: HaFacts | undefined): string[] {
  if (!facts) return [];
  const { members, quorum } = facts;
  const rows: string[][] =
    members === 1
      ? [
          [
            "The only control plane reboots, crashes or loses power",
            "It holds the VIP alone: the API is unreachable until it is back. Pods keep running on their nodes.",
          ],
        ]
      : [
          ...FAILOVER_FACTS.map(({ event, effect }) => [event, effect]),
          ...(model.fastVip ? FAST_FAILOVER_FACTS.map(({ event, effect }) => [event, effect]) : []),
        ];
  for (const { down, remaining, quorumKept } of facts.downScenarios) {
    const event = `${down} of ${members} control planes down`;
    if (quorumKept) rows.push([event, `etcd keeps quorum (${remaining} of ${members}, needs ${quorum}): writes, scheduling and VIP moves continue.`]);
    else if (remaining === 0) rows.push([event, "No API and no etcd until one is back. Running pods keep running on their nodes."]);
    else {
      rows.push([
        event,
        `etcd loses quorum (${remaining} of ${members}, needs ${quorum}): **writes freeze** (no new pods, no changes), and the VIP holder cannot keep its etcd lease alive, so **the VIP is released**: the endpoint goes away until quorum is back. Running pods keep running.`,
      ]);
    }
  }
  const talosctl =
    model.talosctlEndpoints.length > 0 && model.vip !== undefined && !model.talosctlEndpoints.includes(model.vip)
      ? ["", "talosctl talks to the node IPs, never the VIP, so it still reaches every node that is up when etcd and the VIP are down."]
      : [];
  if (model.talosctlEndpoints.length > 0 && model.talosctlNodes.length === 0) {
    talosctl.push("", "The talosconfig has no default nodes: every talosctl command names its node with `-n`, so none acts on every control plane at once.");
  }
  return ["## What fails over, and what does not", "", ...table(["What happens", "Effect here"], rows), ...talosctl, ""];
}

function renderResources(model: StackModel): string[] {
  const rows = (counts: readonly TypeCount[]) => counts.map(({ type, count }) => [code(type), String(count)]);
  const total = (counts: readonly TypeCount[]) => counts.reduce((sum, { count }) => sum + count, 0);
  return [
    "## Resources",
    "",
    `${plural(total(model.resources), "resource")} and ${plural(total(model.dataSources), "data source")}.`,
    "",
    ...table(["Resource type", "Count"], rows(model.resources)),
    "",
    ...(model.dataSources.length > 0 ? [...table(["Data source type", "Count"], rows(model.dataSources)), ""] : []),
    ...(model.checks.length > 0
      ? [`Checks run on every plan and apply and report a failure as a warning, never an error: ${model.checks.map(code).join(", ")}.`, ""]
      : []),
  ];
}
