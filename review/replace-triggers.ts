/**
 * `lifecycle.replace_triggered_by`: which resources Terraform replaces
 * because something they name changes, even when their own arguments do not.
 * Pure.
 *
 * Terraform's rule (EvaluateReplaceTriggeredBy, v1.11.4, the version CI pins):
 * an entry naming a resource fires when that resource is planned for an
 * update or a replacement; an entry naming one of its attributes fires when
 * that attribute's planned value differs, which for a computed attribute such
 * as `id` means when the resource is replaced.
 * @see https://github.com/hashicorp/terraform/blob/v1.11.4/internal/terraform/eval_context_builtin.go#L382-L421
 */
import type { ResourceAction } from "./resource-diff";

type Block = Readonly<Record<string, unknown>>;

/** An entry of lifecycle.replace_triggered_by that fires. */
export interface ReplaceTrigger {
  /** The entry as written: `type.name`, `type.name.attribute`, or either inside `${...}`. */
  readonly entry: string;
  /** The resource it names. */
  readonly upstream: string;
  /** What changes: the resource, or `type.name.attribute`. */
  readonly subject: string;
  readonly verb: "is replaced" | "is updated in place" | "changes" | "may be replaced";
  /** False when it fires only if the upstream's own replacement, which cannot be predicted, happens. */
  readonly certain: boolean;
  /** e.g. "replaced because proxmox_virtual_environment_vm.X is replaced (lifecycle.replace_triggered_by)". */
  readonly reason: string;
}

/** What the diff already planned for a resource from its own arguments. */
export interface PlannedResource {
  readonly action: ResourceAction;
  readonly changes: readonly { readonly path: string; readonly outcome: { readonly kind: string } }[];
}

/** Outcomes that mean the planned value of an argument differs. */
const CHANGING = new Set(["replaces", "in-place", "unclassified"]);
const SEVERITY: readonly ResourceAction[] = ["no-op", "update", "unpredictable", "replace"];

/**
 * The firing entries of every resource in `blocks` (the new configuration of
 * resources that exist in both stacks), given what is planned for each of them
 * (`planned`; a resource absent from it is unchanged). Chains are followed: a
 * resource replaced by a trigger can trigger others.
 */
export function replaceTriggers(blocks: ReadonlyMap<string, Block>, planned: ReadonlyMap<string, PlannedResource>): Map<string, ReplaceTrigger[]> {
  const actions = new Map([...planned].map(([address, { action }]) => [address, action]));
  const triggers = new Map<string, ReplaceTrigger[]>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [address, block] of blocks) {
      const fired = entriesOf(block)
        .map((entry) => fires(entry, blocks, planned, actions))
        .filter((trigger): trigger is ReplaceTrigger => trigger !== undefined);
      if (fired.length === 0 || JSON.stringify(fired) === JSON.stringify(triggers.get(address))) continue;
      triggers.set(address, fired);
      const action = fired.some(({ certain }) => certain) ? "replace" : "unpredictable";
      const current = actions.get(address) ?? "no-op";
      if (SEVERITY.indexOf(action) > SEVERITY.indexOf(current)) actions.set(address, action);
      grew = true;
    }
  }
  return triggers;
}

/** The action of a resource once its triggers are counted. */
export function actionWithTriggers(own: ResourceAction, triggers: readonly ReplaceTrigger[]): ResourceAction {
  if (triggers.some(({ certain }) => certain)) return "replace";
  return triggers.length > 0 && SEVERITY.indexOf(own) < SEVERITY.indexOf("unpredictable") ? "unpredictable" : own;
}

function entriesOf(block: Block): string[] {
  const entries = (block.lifecycle as Block | undefined)?.replace_triggered_by;
  return Array.isArray(entries) ? entries.filter((entry): entry is string => typeof entry === "string") : [];
}

/** `${type.name.attr[0]}` -> `type.name` and `attr.0`; undefined for anything that is not a managed resource. */
export function parseEntry(entry: string): { readonly upstream: string; readonly attribute?: string } | undefined {
  const unwrapped = /^\$\{(.*)\}$/.exec(entry.trim())?.[1] ?? entry.trim();
  const match = /^([A-Za-z][A-Za-z0-9_-]*\.[A-Za-z_][A-Za-z0-9_-]*)(?:\[[^\]]*\])?(?:\.(.+))?$/.exec(unwrapped);
  if (!match || match[1].startsWith("data.")) return undefined;
  const attribute = match[2]?.replace(/\[(\d+)\]/g, ".$1").replace(/\["([^"]+)"\]/g, ".$1");
  return { upstream: match[1], attribute };
}

function fires(
  entry: string,
  blocks: ReadonlyMap<string, Block>,
  planned: ReadonlyMap<string, PlannedResource>,
  actions: ReadonlyMap<string, ResourceAction>
): ReplaceTrigger | undefined {
  const parsed = parseEntry(entry);
  // A resource that is new (or gone) has no update or replacement to trigger on.
  if (!parsed || !blocks.has(parsed.upstream)) return undefined;
  const { upstream, attribute } = parsed;
  const action = actions.get(upstream) ?? "no-op";
  const make = (subject: string, verb: ReplaceTrigger["verb"], certain = true): ReplaceTrigger => ({
    entry,
    upstream,
    subject,
    verb,
    certain,
    reason: `${certain ? "replaced" : "may be replaced"} because ${subject} ${verb} (lifecycle.replace_triggered_by)`,
  });

  if (attribute === undefined) {
    if (action === "replace") return make(upstream, "is replaced");
    if (action === "update") return make(upstream, "is updated in place");
    // Unpredictable means updated or replaced: either fires.
    if (action === "unpredictable") return make(upstream, "changes");
    return undefined;
  }
  const changes = planned.get(upstream)?.changes ?? [];
  const overlaps = (path: string) => path === attribute || path.startsWith(`${attribute}.`) || attribute.startsWith(`${path}.`);
  if (changes.some(({ path, outcome }) => CHANGING.has(outcome.kind) && overlaps(path))) return make(`${upstream}.${attribute}`, "changes");
  // A configured, unchanged attribute keeps its value across a replacement; a computed one (`id`) does not.
  if (configured(blocks.get(upstream)!, attribute)) return undefined;
  if (action === "replace") return make(upstream, "is replaced");
  if (action === "unpredictable") return make(upstream, "may be replaced", false);
  return undefined;
}

function configured(block: Block, path: string): boolean {
  let value: unknown = block;
  for (const key of path.split(".")) {
    if (Array.isArray(value) && !/^\d+$/.test(key)) value = value[0];
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value !== undefined && value !== null;
}
