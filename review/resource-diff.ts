/**
 * What a change does to the Terraform resources, from two synthesized stacks:
 * added, removed and changed addresses, and for each changed argument whether
 * Terraform replaces the resource, updates it in place, ignores the change
 * (lifecycle.ignore_changes), or whether only `terraform plan` can tell;
 * and which resources lifecycle.replace_triggered_by replaces along with them.
 * The head's `moved` blocks are honoured as Terraform honours them: a base
 * resource at a block's `from` is the head's resource at `to`, compared with
 * it, and references to it read as references to the new address.
 * Pure. `${...}` references are compared as text.
 */
import { argumentEffect } from "./force-new";
import { ReplaceTrigger, actionWithTriggers, replaceTriggers } from "./replace-triggers";
import { TerraformJson, compareText } from "./stack-model";

type Block = Readonly<Record<string, unknown>>;

/** Keys of a block that are meta-arguments or cdktf metadata, not provider arguments. */
const META_ARGUMENTS = new Set(["depends_on", "provisioner", "lifecycle", "connection"]);
const CDKTF_METADATA = "//";

export type ArgumentOutcome =
  | { readonly kind: "replaces"; readonly rule: string; readonly see: string }
  | { readonly kind: "in-place"; readonly note?: string }
  | { readonly kind: "ignored"; readonly by: string }
  | { readonly kind: "meta" }
  | { readonly kind: "unclassified"; readonly why: string };

export interface ArgumentChange {
  /** Path with list indexes, e.g. `disk.0.file_id`, `triggers.vip`. */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
  /** Both sides hold the same text outside their `${...}` references. */
  readonly referenceOnly: boolean;
  readonly outcome: ArgumentOutcome;
}

/** What Terraform would do to a resource, as far as the JSON tells. */
export type ResourceAction = "replace" | "update" | "unpredictable" | "no-op";

export interface ResourceChange {
  readonly address: string;
  readonly type: string;
  readonly action: ResourceAction;
  /** Empty when only lifecycle.replace_triggered_by replaces the resource. */
  readonly changes: readonly ArgumentChange[];
  /** lifecycle.replace_triggered_by entries that fire: the resource is replaced for a change elsewhere. */
  readonly triggeredBy: readonly ReplaceTrigger[];
  /** The new configuration has lifecycle.prevent_destroy. */
  readonly preventDestroy: boolean;
  /** Resources that name this one only in depends_on (Terraform plans nothing for them). */
  readonly dependsOnOnly: readonly string[];
  /** The base's address of it, when a `moved` block of the head takes that over. */
  readonly movedFrom?: string;
}

/** A resource a `moved` block of the head takes over from the base: Terraform moves its state, destroying nothing. */
export interface MovedResource {
  readonly from: string;
  readonly to: string;
}

export interface AddressedBlock {
  readonly address: string;
  readonly type: string;
  readonly block: Block;
}

export interface DataSourceChange {
  readonly address: string;
  readonly changes: readonly ArgumentChange[];
}

/** An argument that refers to something that changes, in a resource whose own text may not change. */
export interface IndirectEffect {
  readonly address: string;
  readonly path: string;
  /** The changing resource or data source referred to. */
  readonly upstream: string;
  readonly upstreamChange: "is replaced" | "is updated in place" | "changes" | "is re-read with new arguments" | "may change";
  readonly outcome: ArgumentOutcome;
}

export interface StackDiff {
  readonly added: readonly AddressedBlock[];
  readonly removed: readonly AddressedBlock[];
  /** Replacements first, then unpredictable, updates, no-ops; by address within each. */
  readonly changed: readonly ResourceChange[];
  readonly dataSources: readonly DataSourceChange[];
  readonly indirect: readonly IndirectEffect[];
  /** Provider configurations whose arguments differ. */
  readonly providers: readonly string[];
  /** Resources at a new address through a `moved` block, by new address; those that also change are in `changed` too. */
  readonly moved: readonly MovedResource[];
}

const ACTION_ORDER: readonly ResourceAction[] = ["replace", "unpredictable", "update", "no-op"];

/** Compares the base stack with the new one. */
export function diffStacks(original: TerraformJson, head: TerraformJson): StackDiff {
  const moved = movesFrom(original, head);
  const base = moved.length === 0 ? original : withMovedAddresses(original, moved);
  const movedFrom = new Map(moved.map(({ from, to }) => [to, from]));
  const [before, after] = [blocksOf(base, "resource"), blocksOf(head, "resource")];
  const byAddress = (a: AddressedBlock, b: AddressedBlock) => compareText(a.address, b.address);
  const added = [...after.values()].filter(({ address }) => !before.has(address)).sort(byAddress);
  const removed = [...before.values()].filter(({ address }) => !after.has(address)).sort(byAddress);
  const kept = [...after.values()].filter(({ address }) => before.has(address));
  const own = new Map(
    kept
      .map((next) => ownChange(before.get(next.address)!, next))
      .filter((change): change is OwnChange => change !== undefined)
      .map((change) => [change.address, change] as const)
  );
  const triggers = replaceTriggers(new Map(kept.map(({ address, block }) => [address, block])), own);
  const changed = kept
    .filter(({ address }) => own.has(address) || triggers.has(address))
    .map(({ address, type, block }): ResourceChange => {
      const triggeredBy = triggers.get(address) ?? [];
      const { action, changes } = own.get(address) ?? { action: "no-op" as const, changes: [] };
      return {
        address,
        type,
        action: actionWithTriggers(action, triggeredBy),
        changes,
        triggeredBy,
        preventDestroy: preventsDestroy(block),
        dependsOnOnly: dependsOnOnly(address, after).filter((dependent) => !triggers.get(dependent)?.some(({ upstream }) => upstream === address)),
        ...(movedFrom.has(address) ? { movedFrom: movedFrom.get(address) } : {}),
      };
    })
    .sort((a, b) => ACTION_ORDER.indexOf(a.action) - ACTION_ORDER.indexOf(b.action) || compareText(a.address, b.address));

  const [dataBefore, dataAfter] = [blocksOf(base, "data"), blocksOf(head, "data")];
  const dataSources = [...dataAfter.values()]
    .sort(byAddress)
    .filter(({ address }) => dataBefore.has(address))
    .map(({ address, block }) => ({ address, changes: leafChanges(providerArguments(dataBefore.get(address)!.block), providerArguments(block), "") }))
    .filter(({ changes }) => changes.length > 0)
    .map(({ address, changes }) => ({ address, changes: changes.map((leaf) => ({ ...leaf, outcome: { kind: "in-place" } as const })) }));

  return {
    added,
    removed,
    changed,
    dataSources,
    indirect: indirectEffects(head, before, changed, dataSources, added),
    providers: providerChanges(base, head),
    moved,
  };
}

/**
 * The head's `moved` blocks that apply to the base, as Terraform applies them
 * to a state: the base has a resource at `from` and none at `to`. By new address.
 */
function movesFrom(base: TerraformJson, head: TerraformJson): MovedResource[] {
  const resources = blocksOf(base, "resource");
  return (head.moved ?? [])
    .filter(({ from, to }) => typeof from === "string" && typeof to === "string" && resources.has(from) && !resources.has(to))
    .map(({ from, to }) => ({ from, to }))
    .sort((a, b) => compareText(a.to, b.to));
}

/** The base as if its state had moved: each `from` resource at its `to` address, and every mention of `from` naming `to`. */
function withMovedAddresses(base: TerraformJson, moves: readonly MovedResource[]): TerraformJson {
  const renamed = new Map(moves.map(({ from, to }) => [from, to]));
  // An address inside text (`${type.name.id}`, a depends_on entry): not preceded or followed by more of a name.
  const mention = new RegExp(`(?<![A-Za-z0-9_.-])(${moves.map(({ from }) => from.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})(?![A-Za-z0-9_-])`, "g");
  const rewrite = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(mention, (address) => renamed.get(address) ?? address);
    if (Array.isArray(value)) return value.map(rewrite);
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, rewrite(item)]));
    return value;
  };
  const resource: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [type, byName] of Object.entries(base.resource ?? {})) {
    for (const [name, block] of Object.entries(byName)) {
      const [newType, newName] = splitAddress(renamed.get(`${type}.${name}`) ?? `${type}.${name}`);
      (resource[newType] ??= {})[newName] = rewrite(block) as Record<string, unknown>;
    }
  }
  const rest = { data: base.data, output: base.output, check: base.check };
  return { ...base, ...(rewrite(rest) as typeof rest), resource };
}

/** `type.name` -> [type, name]. */
function splitAddress(address: string): [string, string] {
  const dot = address.indexOf(".");
  return [address.slice(0, dot), address.slice(dot + 1)];
}

/** What a resource's own argument changes plan, before replace_triggered_by. */
interface OwnChange {
  readonly address: string;
  readonly action: ResourceAction;
  readonly changes: readonly ArgumentChange[];
}

function ownChange(previous: AddressedBlock, next: AddressedBlock): OwnChange | undefined {
  const leaves = leafChanges(withoutMetadata(previous.block), withoutMetadata(next.block), "");
  if (leaves.length === 0) return undefined;
  const changes = leaves.map((leaf) => ({ ...leaf, outcome: outcomeOf(next.type, leaf.path, leaf.before, leaf.after, next.block, previous.block) }));
  return { address: next.address, action: actionOf(changes.map((change) => change.outcome)), changes };
}

/** The outcome of one changed argument of a resource, honouring the new lifecycle.ignore_changes. */
function outcomeOf(type: string, path: string, before: unknown, after: unknown, block: Block, previous?: Block): ArgumentOutcome {
  const [top] = path.split(".");
  if (META_ARGUMENTS.has(top)) return { kind: "meta" };
  const ignoredBy = ignoringEntry(block, path);
  if (ignoredBy !== undefined) return { kind: "ignored", by: ignoredBy };
  return argumentEffect(type, withoutIndexes(path), before, after, block, previous);
}

function actionOf(outcomes: readonly ArgumentOutcome[]): ResourceAction {
  if (outcomes.some((outcome) => outcome.kind === "replaces")) return "replace";
  if (outcomes.some((outcome) => outcome.kind === "unclassified")) return "unpredictable";
  if (outcomes.some((outcome) => outcome.kind === "in-place")) return "update";
  return "no-op";
}

/** The ignore_changes entry (or "all") that covers this path, if any. */
function ignoringEntry(block: Block, path: string): string | undefined {
  const ignore = (block.lifecycle as Block | undefined)?.ignore_changes;
  if (ignore === "all") return "all";
  if (!Array.isArray(ignore)) return undefined;
  return ignore.find((entry): entry is string => {
    if (typeof entry !== "string") return false;
    const normalized = entry.replace(/\[(\d+)\]/g, ".$1").replace(/\["([^"]+)"\]/g, ".$1");
    return path === normalized || path.startsWith(`${normalized}.`);
  });
}

function preventsDestroy(block: Block): boolean {
  return (block.lifecycle as Block | undefined)?.prevent_destroy === true;
}

function dependsOnOnly(address: string, all: ReadonlyMap<string, AddressedBlock>): string[] {
  return [...all.values()]
    .filter(({ block }) => Array.isArray(block.depends_on) && block.depends_on.includes(address))
    .filter(({ block }) => !referencesIn(providerArguments(block)).some(({ target }) => target === address))
    .map(({ address: dependent }) => dependent)
    .sort(compareText);
}

/**
 * Arguments that refer to something that changes: replaced, updated or
 * unpredictable resources, re-read data sources, and (transitively) whatever
 * refers to those. Added resources are left out: they are created anyway.
 */
function indirectEffects(
  head: TerraformJson,
  before: ReadonlyMap<string, AddressedBlock>,
  changed: readonly ResourceChange[],
  dataSources: readonly DataSourceChange[],
  added: readonly AddressedBlock[]
): IndirectEffect[] {
  const upstream = new Map<string, IndirectEffect["upstreamChange"]>();
  for (const change of changed) {
    if (change.action === "replace") upstream.set(change.address, "is replaced");
    else if (change.action === "update") upstream.set(change.address, "is updated in place");
    else if (change.action === "unpredictable") upstream.set(change.address, "changes");
  }
  for (const { address } of dataSources) upstream.set(address, "is re-read with new arguments");
  const newlyAdded = new Set(added.map(({ address }) => address));
  const direct = new Set([...changed, ...dataSources].flatMap(({ address, changes }) => changes.map(({ path }) => `${address} ${path}`)));
  const candidates = [...blocksOf(head, "resource").values(), ...blocksOf(head, "data").values()].filter(({ address }) => !newlyAdded.has(address));

  const effects = new Map<string, IndirectEffect>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const { address, type, block } of candidates) {
      for (const { path, target, attribute } of referencesIn(providerArguments(block))) {
        const upstreamChange = upstream.get(target);
        const key = `${address} ${path} ${target}`;
        if (!upstreamChange || target === address || effects.has(key) || direct.has(`${address} ${path}`)) continue;
        // A resource keeps its id when it is updated in place.
        if (upstreamChange === "is updated in place" && attribute === "id") continue;
        const isData = address.startsWith("data.");
        const outcome: ArgumentOutcome = isData
          ? { kind: "in-place" }
          : before.has(address)
          ? outcomeOf(type, path, undefined, undefined, block)
          : { kind: "unclassified", why: "new resource" };
        effects.set(key, { address, path, upstream: target, upstreamChange, outcome });
        const mayChange = isData || (outcome.kind !== "ignored" && outcome.kind !== "meta");
        if (mayChange && !upstream.has(address)) {
          upstream.set(address, "may change");
          grew = true;
        }
      }
    }
  }
  return [...effects.values()].sort((a, b) => compareText(a.address, b.address) || compareText(a.path, b.path) || compareText(a.upstream, b.upstream));
}

/** Every `${type.name...}` / `${data.type.name...}` reference, the attribute it reads (if any) and the argument path it sits in. */
function referencesIn(value: unknown, path = ""): { path: string; target: string; attribute?: string }[] {
  if (typeof value === "string") {
    return [...value.matchAll(/\$\{(data\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(?:\.([A-Za-z0-9_]+))?/g)].map((match) => ({
      path,
      target: match[1],
      attribute: match[2],
    }));
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => referencesIn(item, join(path, String(index))));
  if (isObject(value))
    return Object.keys(value)
      .sort(compareText)
      .flatMap((key) => referencesIn(value[key], join(path, key)));
  return [];
}

/** Leaf differences between two JSON values; lists of plain values count as one leaf. */
function leafChanges(before: unknown, after: unknown, path: string): Omit<ArgumentChange, "outcome">[] {
  if (sameJson(before, after)) return [];
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compareText);
    return keys.flatMap((key) => leafChanges(before[key], after[key], join(path, key)));
  }
  if (Array.isArray(before) && Array.isArray(after) && [...before, ...after].some((item) => isObject(item) || Array.isArray(item))) {
    return Array.from({ length: Math.max(before.length, after.length) }, (_, index) =>
      leafChanges(before[index], after[index], join(path, String(index)))
    ).flat();
  }
  return [{ path, before, after, referenceOnly: referenceOnly(before, after) }];
}

function referenceOnly(before: unknown, after: unknown): boolean {
  const withoutReferences = (value: unknown) => JSON.stringify(value ?? null).replace(/\$\{[^}]*\}/g, "${}");
  return JSON.stringify(before ?? null).includes("${") && withoutReferences(before) === withoutReferences(after);
}

function providerChanges(base: TerraformJson, head: TerraformJson): string[] {
  const names = [...new Set([...Object.keys(base.provider ?? {}), ...Object.keys(head.provider ?? {})])];
  return names.filter((name) => !sameJson(base.provider?.[name], head.provider?.[name])).sort(compareText);
}

function blocksOf(json: TerraformJson, kind: "resource" | "data"): Map<string, AddressedBlock> {
  const prefix = kind === "data" ? "data." : "";
  return new Map(
    Object.entries(json[kind] ?? {}).flatMap(([type, byName]) =>
      Object.entries(byName).map(([name, block]) => [`${prefix}${type}.${name}`, { address: `${prefix}${type}.${name}`, type, block }] as const)
    )
  );
}

function withoutMetadata(block: Block): Block {
  return Object.fromEntries(Object.entries(block).filter(([key]) => key !== CDKTF_METADATA));
}

function providerArguments(block: Block): Block {
  return Object.fromEntries(Object.entries(block).filter(([key]) => key !== CDKTF_METADATA && !META_ARGUMENTS.has(key)));
}

/** `disk.0.file_id` -> `disk.file_id`. */
export function withoutIndexes(path: string): string {
  return path
    .split(".")
    .filter((part) => !/^\d+$/.test(part))
    .join(".");
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (isObject(value)) {
    return `{${Object.keys(value)
      .sort(compareText)
      .map((key) => `${JSON.stringify(key)}:${stableJson(value[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
