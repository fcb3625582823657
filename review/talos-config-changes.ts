/**
 * Which nodes' Talos configurations a change touches, where, and whether it
 * takes effect live or at the node's next reboot (domain/talos-live-apply.ts).
 * A node's configuration is its role's patches (the `config_patches` of the
 * role's talos_machine_configuration) followed by its own (the
 * `config_patches` of its talos_machine_configuration_apply). Pure.
 */
import { parseAllDocuments } from "yaml";
import { ConfigChange, appliesLive, changedPlaces } from "../domain/talos-live-apply";
import { code, table } from "./markdown";
import { StackModel, TerraformJson } from "./stack-model";

export interface NodeConfigChange {
  readonly node: string;
  readonly changes: readonly ConfigChange[];
  /** Whether every change applies live; false: it is staged until the node reboots. */
  readonly live: boolean;
}

/** Nodes in both stacks whose patches differ, in the head's node order. */
export function nodeConfigChanges(base: TerraformJson, head: TerraformJson, baseModel: StackModel, headModel: StackModel): NodeConfigChange[] {
  const before = patchesByNode(base, baseModel);
  const after = patchesByNode(head, headModel);
  return [...headModel.nodes, ...headModel.workers].flatMap(({ name }) => {
    const was = before.get(name);
    const now = after.get(name);
    if (was === undefined || now === undefined) return [];
    const changes = changedPlaces(was, now);
    return changes.length === 0 ? [] : [{ node: name, changes, live: changes.every(appliesLive) }];
  });
}

/** The review's lines for them (none when no node's configuration changes). */
export function renderNodeConfigChanges(changes: readonly NodeConfigChange[]): string[] {
  if (changes.length === 0) return [];
  const shown = (change: NodeConfigChange) => {
    const places = change.changes.map(({ path, v1alpha1 }) => code(v1alpha1 ? path : `${path} document`));
    return places.length > 4 ? `${places.slice(0, 4).join(", ")} and ${places.length - 4} more` : places.join(", ");
  };
  const staged = changes.filter(({ live }) => !live).map(({ node }) => node);
  return [
    "### Talos configuration of the nodes",
    "",
    ...table(
      ["Node", "What changes in its configuration", "Takes effect"],
      changes.map((change) => [change.node, shown(change), change.live ? "live, no reboot" : "at its next reboot (staged until then)"]),
    ),
    "",
    ...(staged.length > 0
      ? [
          `Talos applies these changes live except where it says otherwise (its \`CanApplyImmediate\` rule); the rest are staged by \`apply_mode = "staged_if_needing_reboot"\`: reboot ${staged.join(", ")} one at a time, each back in etcd before the next (docs/operations.md).`,
          "",
        ]
      : []),
  ];
}

type Documents = unknown[];

/** Each node's patch documents, role's first, by node name; undefined where a patch is not literal text. */
function patchesByNode(json: TerraformJson, model: StackModel): Map<string, Documents> {
  const roleOf = new Map<string, string>([...model.nodes.map((vm) => [vm.ip, "controlplane"] as const), ...model.workers.map((vm) => [vm.ip, "worker"] as const)]);
  const nameOf = new Map([...model.nodes, ...model.workers].map((vm) => [vm.ip, vm.name]));
  const rolePatches = new Map<string, Documents>();
  for (const block of Object.values(json.data?.talos_machine_configuration ?? {})) {
    const documents = documentsOf(block.config_patches);
    if (typeof block.machine_type === "string" && documents) rolePatches.set(block.machine_type, documents);
  }
  const byNode = new Map<string, Documents>();
  for (const block of Object.values(json.resource?.talos_machine_configuration_apply ?? {})) {
    const ip = typeof block.node === "string" ? block.node : undefined;
    const name = ip && nameOf.get(ip);
    const own = documentsOf(block.config_patches ?? []);
    const role = ip && rolePatches.get(roleOf.get(ip) ?? "");
    if (name && own && role) byNode.set(name, [...role, ...own]);
  }
  return byNode;
}

function documentsOf(patches: unknown): Documents | undefined {
  if (!Array.isArray(patches) || !patches.every((patch) => typeof patch === "string")) return undefined;
  return patches.flatMap((patch: string) => parseAllDocuments(patch).flatMap((document) => ("toJS" in document ? [document.toJS()] : [])));
}
