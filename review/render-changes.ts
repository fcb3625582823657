/**
 * The "changes against the base" part of the review, and the warnings a
 * base comparison raises (replacements and removals first). Pure.
 */
import { contractMinor } from "../domain/talos-versions";
import { DOWNLOAD_FILE_TYPE } from "../domain/proxmox-type-names";
import { ReplaceTrigger } from "./replace-triggers";
import { ArgumentChange, ArgumentOutcome, IndirectEffect, ResourceChange, StackDiff } from "./resource-diff";
import { HaFacts } from "./ha-facts";
import { haChangeWarnings } from "./ha-changes";
import { dataDiskWarnings } from "./data-disk-changes";
import { NodeConfigChange, renderNodeConfigChanges } from "./talos-config-changes";
import { code, formatChange, lineDiff, plural } from "./markdown";
import { ControlPlaneVm, StackModel } from "./stack-model";
import { stackDirOf, stackIdOf } from "../domain/stack-outputs";

export interface ChangeContext {
  readonly diff: StackDiff;
  readonly base: StackModel;
  readonly head: StackModel;
  readonly baseFacts: HaFacts | undefined;
  readonly headFacts: HaFacts | undefined;
  readonly baseLabel: string;
  /** Nodes whose Talos configuration changes, and whether live. */
  readonly nodeConfigChanges: readonly NodeConfigChange[];
}

/** What replacing a resource of this type costs, in a few words. */
const REPLACEMENT_CONSEQUENCES: Readonly<Record<string, string>> = {
  proxmox_virtual_environment_vm: "a VM replacement destroys its disk, and with it that node's etcd data",
  [DOWNLOAD_FILE_TYPE]: "the image file is deleted from the host and downloaded again",
  talos_machine_secrets: "a new cluster PKI, which no node or client trusts",
  talos_machine_bootstrap: "etcd would be bootstrapped again",
  null_resource: "its provisioner runs again",
};

/** Warnings from the comparison: what would be destroyed, what blocks the plan, what cannot be predicted. */
export function changeWarnings({ diff, base, head, baseFacts }: ChangeContext): string[] {
  const warnings: string[] = [];
  const backendChange = stateBackendChangeWarning(base.stateBackend, head.stateBackend, head.clusterName && stackDirOf(stackIdOf(head.clusterName)));
  if (backendChange) warnings.push(backendChange);
  const contractChange = contractChangeWarning(base.configContract, head.configContract);
  if (contractChange) warnings.push(contractChange);
  if (base.kubernetesVersion && head.kubernetesVersion && base.kubernetesVersion !== head.kubernetesVersion) {
    warnings.push(kubernetesUpgradeWarning(base.kubernetesVersion, head.kubernetesVersion, head.nodes.length));
  }
  warnings.push(...haChangeWarnings(base, head));
  const vmNames = new Map([...base.nodes, ...base.workers, ...head.nodes, ...head.workers].map((vm) => [vm.address, vm.name]));
  warnings.push(...dataDiskWarnings(diff.changed, (address) => vmNames.get(address)));
  const vms = vmsByAddress(base, head);
  const replaced = diff.changed.filter(({ action }) => action === "replace");
  const baseVms = new Set(base.nodes.map(({ address }) => address));
  const destroyedVms = [...replaced, ...diff.removed].filter(({ address }) => baseVms.has(address)).length;
  if (baseFacts && destroyedVms > 0 && baseFacts.members - destroyedVms < baseFacts.quorum) {
    const left = baseFacts.members - destroyedVms;
    warnings.push(
      `Destroys ${destroyedVms} of the base's ${baseFacts.members} control-plane VMs in one apply (replaced or removed; Terraform does not wait for one to rejoin before the next): ` +
        `${left} of ${baseFacts.members} etcd members would remain, below the quorum of ${baseFacts.quorum}. ` +
        (left === 0 ? "The cluster stops, and no member keeps its etcd data." : "etcd writes and the VIP freeze until enough members are back.")
    );
  }
  // One line per reason: three VMs replaced for the same argument read as one warning.
  const groups = new Map<string, { readonly because: string; readonly type: string; readonly vms: string[]; readonly others: string[] }>();
  for (const change of replaced) {
    const because = replacementCause(change);
    const vm = vms.get(change.address);
    const key = vm ? `vm ${because}` : `${change.address} ${because}`;
    const group = groups.get(key) ?? { because, type: change.type, vms: [], others: [] };
    (vm ? group.vms : group.others).push(vm ? vm.name : code(change.address));
    groups.set(key, group);
  }
  for (const { because, type, vms: names, others } of groups.values()) {
    const subject = names.length === 0 ? others[0] : names.length === 1 ? `the VM ${names[0]}` : `${names.length} VMs (${names.join(", ")})`;
    const consequence = REPLACEMENT_CONSEQUENCES[type];
    warnings.push(`Replaces ${subject} because ${because}${consequence ? `: ${consequence}` : ""}.`);
  }
  for (const change of replaced.filter(({ preventDestroy }) => preventDestroy)) {
    warnings.push(`terraform plan fails: ${code(change.address)} has lifecycle.prevent_destroy and would be replaced.`);
  }
  for (const effect of unlistedIndirect(diff).filter(({ outcome }) => outcome.kind === "replaces")) {
    warnings.push(`${code(effect.address)} may be replaced: its ${code(effect.path)} refers to ${code(effect.upstream)}, which ${effect.upstreamChange}.`);
  }
  const removedVms = diff.removed.map(({ address }) => vms.get(address)).filter((vm): vm is ControlPlaneVm => vm !== undefined);
  if (removedVms.length > 0) {
    warnings.push(
      `Removes ${removedVms.length === 1 ? "the VM" : `${removedVms.length} VMs:`} ${removedVms.map(({ name }) => name).join(", ")}, destroying ${
        removedVms.length === 1 ? "it and its disk" : "them and their disks"
      }. ` +
        `etcd counts a removed member as failed until it leaves (${code("talosctl reset")} on the node first, or ${code("talosctl etcd remove-member")} after).`
    );
  }
  for (const removed of diff.removed.filter(({ block }) => (block.lifecycle as { prevent_destroy?: unknown } | undefined)?.prevent_destroy === true)) {
    warnings.push(
      `Removes ${code(removed.address)}, which had lifecycle.prevent_destroy: deleting the block lifts that protection, and Terraform destroys it.`
    );
  }
  const unpredictable = diff.changed.filter(({ action }) => action === "unpredictable").length;
  if (unpredictable > 0) {
    warnings.push(`${plural(unpredictable, "changed resource")}: replacement cannot be predicted without terraform plan (see below).`);
  }
  return warnings;
}

/** The "Changes against the base" section. */
export function renderChanges(context: ChangeContext): string[] {
  const { diff } = context;
  const count = (action: ResourceChange["action"]) => diff.changed.filter((change) => change.action === action).length;
  const lines = [
    "## Changes against the base",
    "",
    `Compared with ${context.baseLabel}, by Terraform address (from the JSON; \`terraform plan\` has the last word): ` +
      `**${count("replace")} to replace**, ${count("update")} to update in place, ${count("unpredictable")} unpredictable, ` +
      `${diff.added.length} to add, ${diff.removed.length} to remove, ${count("no-op")} with no planned change` +
      (diff.moved.length > 0 ? `; ${diff.moved.length} moved to a new address (\`moved\` blocks).` : "."),
    "",
    ...controlPlaneChanges(context),
    ...renderNodeConfigChanges(context.nodeConfigChanges),
  ];
  const vms = vmsByAddress(context.base, context.head);
  const indirect = groupIndirect(diff.indirect);
  const section = (title: string, changes: readonly ResourceChange[]) =>
    changes.length === 0 ? [] : [`### ${title}`, "", ...changes.flatMap((change) => renderResourceChange(change, vms, indirect.get(change.address) ?? [])), ""];

  const withAction = (action: ResourceChange["action"]) => diff.changed.filter((change) => change.action === action);
  const addresses = (title: string, blocks: readonly { address: string }[]) =>
    blocks.length === 0 ? [] : [`### ${title}`, "", ...blocks.map(({ address }) => `- ${code(address)}${vmLabel(vms.get(address))}`), ""];
  // Replacements first: a replaced VM is a destroyed disk.
  lines.push(
    ...section("Replaced (destroyed, then created again)", withAction("replace")),
    ...section("Replacement cannot be predicted without terraform plan", withAction("unpredictable")),
    ...movedOnly(diff),
    ...addresses("Added", diff.added),
    ...addresses("Removed", diff.removed),
    ...section("Updated in place", withAction("update")),
    ...section("No change planned (only ignored arguments or meta-arguments differ)", withAction("no-op"))
  );

  const fed = unlistedIndirect(diff);
  if (fed.length > 0) {
    lines.push("### Unchanged in the JSON, but fed by a change", "", ...fed.map((effect) => `- ${code(effect.address)}: ${indirectText(effect)}`), "");
  }
  if (diff.dataSources.length > 0) {
    lines.push("### Data sources read again with new arguments", "");
    for (const source of diff.dataSources) lines.push(`- ${code(source.address)}`, ...source.changes.flatMap((change) => renderArgument(change, false)));
    lines.push("");
  }
  if (diff.providers.length > 0) lines.push(`Provider configuration changes: ${diff.providers.map(code).join(", ")}.`, "");
  if (diff.added.length + diff.removed.length + diff.changed.length + diff.dataSources.length + diff.providers.length + diff.moved.length === 0) {
    lines.push("No resource, data source or provider changes against the base.", "");
  }
  return lines;
}

/** Before/after lines for what a reviewer thinks in: members, quorum, hosts, VIP, versions. */
function controlPlaneChanges({ base, head, baseFacts, headFacts }: ChangeContext): string[] {
  const changes: string[] = [];
  const [before, after] = [baseFacts?.members ?? 0, headFacts?.members ?? 0];
  if (before !== after) {
    changes.push(
      `Control planes: ${before} → ${after} (quorum ${baseFacts?.quorum ?? 0} → ${headFacts?.quorum ?? 0}, failures tolerated ${baseFacts?.tolerated ?? 0} → ${
        headFacts?.tolerated ?? 0
      })`
    );
  }
  const hosts = (model: StackModel) => model.hosts.map(({ name }) => name).join(", ");
  if (hosts(base) !== hosts(head)) changes.push(`Proxmox hosts with control planes: ${hosts(base) || "none"} → ${hosts(head) || "none"}`);
  const compare = (what: string, a: string | undefined, b: string | undefined) => {
    if (a !== b) changes.push(`${what}: ${a ?? "(none)"} → ${b ?? "(none)"}`);
  };
  compare("VIP", base.vip, head.vip);
  compare("Cluster endpoint", base.clusterEndpoint, head.clusterEndpoint);
  compare("Talos", base.talosVersion, head.talosVersion);
  compare("Kubernetes", base.kubernetesVersion, head.kubernetesVersion);
  return changes.length === 0 ? [] : [...changes.map((change) => `- ${change}`), ""];
}

/** Resources a `moved` block takes to a new address with nothing else changing: one line each. */
function movedOnly(diff: StackDiff): string[] {
  const changed = new Set(diff.changed.map(({ address }) => address));
  const moves = diff.moved.filter(({ to }) => !changed.has(to));
  if (moves.length === 0) return [];
  return [
    "### Moved (Terraform moves the state to the new address; nothing is destroyed or created)",
    "",
    ...moves.map(({ from, to }) => `- ${code(to)}: moved from ${code(from)}: no change in Proxmox`),
    "",
  ];
}

function renderResourceChange(change: ResourceChange, vms: ReadonlyMap<string, ControlPlaneVm>, indirect: readonly IndirectEffect[]): string[] {
  const lines = [`- ${code(change.address)}${vmLabel(vms.get(change.address))}`];
  if (change.movedFrom) lines.push(`  - moved from ${code(change.movedFrom)} (a \`moved\` block: the same object, at a new address)`);
  for (const argument of change.changes) lines.push(...renderArgument(argument, true));
  for (const trigger of change.triggeredBy) lines.push(`  - ${triggerText(trigger)}`);
  for (const effect of indirect) lines.push(`  - ${indirectText(effect)}`);
  if (change.action === "replace" && vms.has(change.address) && change.dependsOnOnly.length > 0) {
    lines.push(
      `  - Terraform plans nothing for resources that name this VM only in \`depends_on\`; not applied again to the new VM: ${change.dependsOnOnly
        .map(code)
        .join(", ")}`
    );
  }
  return lines;
}

function renderArgument(change: ArgumentChange, withOutcome: boolean): string[] {
  const what = `${code(change.path)}${change.referenceOnly ? " (only a reference changed)" : ""}`;
  const values = formatChange(change.path, change.before, change.after);
  const lines = [`  - ${what}: ${values}${withOutcome ? `: ${outcomeText(change.outcome)}` : ""}`];
  const diff = lineDiff(change.path, change.before, change.after);
  if (diff.length > 0) lines.push("    ```diff", ...diff.map((line) => `    ${line}`), "    ```");
  return lines;
}

function outcomeText(outcome: ArgumentOutcome): string {
  switch (outcome.kind) {
    case "replaces":
      return `**forces replacement** (${outcome.rule}; [source](${outcome.see}))`;
    case "in-place":
      return outcome.note ? `updated in place (${outcome.note})` : "updated in place";
    case "ignored":
      return `ignored (lifecycle.ignore_changes ${outcome.by === "all" ? "all" : code(outcome.by)})`;
    case "meta":
      return "meta-argument: no change planned";
    case "unclassified":
      return `replacement cannot be predicted without terraform plan (${outcome.why})`;
  }
}

function indirectText(effect: IndirectEffect): string {
  const consequence: Record<ArgumentOutcome["kind"], string> = {
    replaces: "**may be replaced**",
    "in-place": "may be updated in place",
    ignored: "no change (ignored by lifecycle.ignore_changes)",
    meta: "no change planned",
    unclassified: "replacement cannot be predicted without terraform plan",
  };
  const result = effect.address.startsWith("data.") ? "may read different values" : consequence[effect.outcome.kind];
  return `${code(effect.path)} refers to ${code(effect.upstream)}, which ${effect.upstreamChange}: ${result}`;
}

/** Indirect effects on resources and data sources not listed as changed themselves. */
function unlistedIndirect(diff: StackDiff): IndirectEffect[] {
  const listed = new Set([...diff.changed.map(({ address }) => address), ...diff.dataSources.map(({ address }) => address)]);
  return diff.indirect.filter(({ address }) => !listed.has(address));
}

function groupIndirect(effects: readonly IndirectEffect[]): Map<string, IndirectEffect[]> {
  const groups = new Map<string, IndirectEffect[]>();
  for (const effect of effects) groups.set(effect.address, [...(groups.get(effect.address) ?? []), effect]);
  return groups;
}

function vmsByAddress(base: StackModel, head: StackModel): Map<string, ControlPlaneVm> {
  return new Map([...base.nodes, ...head.nodes].map((node) => [node.address, node]));
}

/** Why a resource is replaced: its force-new arguments, then the replace_triggered_by entries that fire. */
function replacementCause(change: ResourceChange): string {
  const paths = change.changes.filter(({ outcome }) => outcome.kind === "replaces").map(({ path }) => code(path));
  const triggers = change.triggeredBy.filter(({ certain }) => certain).map(({ subject, verb }) => `${code(subject)} ${verb}`);
  const causes = [
    ...(paths.length > 0 ? [`${listText(paths)} ${paths.length > 1 ? "change" : "changes"}`] : []),
    ...(triggers.length > 0 ? [`${listText(triggers)} (lifecycle.replace_triggered_by)`] : []),
  ];
  return causes.join(" and ");
}

function triggerText({ certain, subject, verb }: ReplaceTrigger): string {
  return `${certain ? "**replaced**" : "**may be replaced**"} because ${code(subject)} ${verb} (lifecycle.replace_triggered_by)`;
}

/** `a`, `a and b`, `a, b and c`. */
function listText(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

function vmLabel(vm: ControlPlaneVm | undefined): string {
  if (!vm) return "";
  const where = [vm.ip, vm.proxmoxHost !== "" ? `on ${vm.proxmoxHost}` : ""].filter(Boolean).join(" ");
  return ` (VM ${vm.name}${where ? `, ${where}` : ""})`;
}

/**
 * A Kubernetes version change through Terraform re-applies every control
 * plane's configuration live and in parallel: every API server restarts at
 * once, and none of `talosctl upgrade-k8s`'s work happens (its pre-checks,
 * one node at a time, the sync of the bootstrap manifests: kube-proxy,
 * CoreDNS, flannel).
 */
export function kubernetesUpgradeWarning(from: string, to: string, controlPlanes: number): string {
  return (
    `Kubernetes ${from} → ${to} through Terraform: the configuration of all ${controlPlanes} control planes is applied live and at the same time, so every API server restarts at once (the API is down meanwhile), ` +
    `and what \`talosctl upgrade-k8s\` does is skipped: its pre-checks, one node at a time, and the update of kube-proxy, CoreDNS and flannel. ` +
    `Run \`talosctl -n <a control plane> upgrade-k8s --to ${to.replace(/^v/, "")}\` first, then merge this change: it then changes nothing on the nodes (docs/operations.md, Reboots, upgrades and recovery by hand).`
  );
}

/**
 * The state moves to another backend (or schema): unless it is migrated
 * first, Terraform finds no state there and plans the whole cluster anew.
 */
export function stateBackendChangeWarning(base: string | undefined, head: string | undefined, stackDir = "the stack's folder"): string | undefined {
  if (base === undefined || head === undefined || base === head) return undefined;
  return (
    `The Terraform state moves from ${code(base)} to ${code(head)}. Before the next apply, move it with \`terraform init -migrate-state\` in ${stackDir} (docs/state.md); ` +
    "without that, Terraform finds no state there and plans to create the whole cluster again: new machine secrets and new VMs on the same addresses."
  );
}

/**
 * A change of the machine-configuration contract under a running cluster:
 * bumping it is how etcd secret encryption broke after moving to Talos 1.14
 * (siderolabs/talos issue 13885, terraform-provider-talos issue 399).
 */
export function contractChangeWarning(base: string | undefined, head: string | undefined): string | undefined {
  const minor = (contract: string) => {
    const found = contractMinor(contract);
    return found === undefined ? contract : `v${found}`;
  };
  if (!base || !head || base === head || (base !== "creation" && head !== "creation" && minor(base) === minor(head))) return undefined;
  if (head === "creation") return undefined; // back to the cluster's own creation contract
  const from = base === "creation" ? "the contract the cluster was created with" : minor(base);
  return (
    `The machine-configuration contract changes from ${from} to ${minor(head)} under a running cluster: the provider regenerates every node's configuration for the new contract, ` +
    "and such a change is how etcd secret encryption broke after moving to Talos 1.14 (siderolabs/talos issue 13885). Keep the contract across OS upgrades; change it only deliberately, with a tested plan."
  );
}
