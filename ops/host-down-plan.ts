/**
 * `npm run host-down -- <host>`: which resources of a synthesized stack a
 * plan must leave out while one Proxmox host is down, and the `-target`
 * addresses of the rest. Pure: it reads the stack's cdk.tf.json as parsed
 * JSON and knows no resource type (docs/host-down.md says why each rule).
 *
 * - **On the host**: every resource or data source whose `node_name` names
 *   it (its VMs, its image downloads, whatever the provider calls them). bpg
 *   reads a VM through that host, and the host's 595 is not "gone", so one
 *   such VM in the plan fails the whole plan.
 * - **Depends on them**: every block that references one of those,
 *   transitively: `depends_on`, `lifecycle.replace_triggered_by`, and any
 *   `${type.name...}` or `${data.type.name...}` in its body. `-target` pulls
 *   the dependencies of a target into the plan, so a target depending on a
 *   VM of the down host would bring that VM (and its failing read) back.
 * - **Except** a block placed on another, healthy host (its own `node_name`)
 *   is not left out because it references a block on the down host. The
 *   case that matters: with a shared image datastore the one download goes
 *   through the first host, and every VM's disk references it. The command
 *   plans with `-refresh=false`, so nothing in the state is read through the
 *   down host: the download stays in the plan as its state says, unchanged,
 *   and the VM on the healthy host is read and changed through its own host
 *   (a new VM imports the image from the shared datastore through its own
 *   host too). Leaving those VMs out would leave out the whole cluster.
 *   Should such a pulled-in block plan a change (the image changed, or the
 *   download is missing from the state), the apply would fail on the down
 *   host: the command checks the saved plan for that before applying.
 */

/** A block of the stack (a resource or a data source) and where it is. */
export interface StackBlock {
  /** `type.name`, or `data.type.name` for a data source. */
  readonly address: string;
  readonly kind: "resource" | "data";
  /** The construct path below the stack (`ControlPlane/Nodes/cp1/Vm`), when cdktf recorded one. */
  readonly constructPath?: string;
}

/** A block left out because it references one already left out. */
export interface DependentBlock extends StackBlock {
  /** The left-out block it references (the first one, in address order). */
  readonly references: string;
}

/** What a plan with `host` down leaves out, and what it targets. */
export interface HostDownSelection {
  readonly host: string;
  /** Every Proxmox host a block of the stack names in `node_name`, sorted. */
  readonly hosts: readonly string[];
  /** The blocks whose `node_name` is the down host. */
  readonly onHost: readonly StackBlock[];
  /** Blocks that reference one of those, transitively (healthy-host blocks excepted, see above). */
  readonly dependents: readonly DependentBlock[];
  /** Blocks on a healthy host that reference one on the down host: kept, and planned from state (-refresh=false). */
  readonly keptOnHealthyHosts: readonly DependentBlock[];
  /** `-target` addresses: every resource not left out (data sources are never targets), sorted. */
  readonly targets: readonly string[];
}

/** The host is not one the stack places anything on. */
export class UnknownHostError extends Error {
  constructor(host: string, stackId: string, hosts: readonly string[]) {
    super(
      hosts.length === 0
        ? `the stack ${stackId} names no Proxmox host (no node_name in cdk.tf.json): nothing to leave out for ${host}`
        : `no Proxmox host named ${host} in the stack ${stackId}; its hosts are: ${hosts.join(", ")}`,
    );
    this.name = "UnknownHostError";
  }
}

interface Block extends StackBlock {
  readonly nodeName?: string;
  readonly body: Record<string, unknown>;
}

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

/** Every resource and data source of a synthesized stack (check blocks' scoped data sources are neither targets nor referenced). */
function blocksOf(stack: unknown): Block[] {
  const json = (stack ?? {}) as { resource?: Blocks; data?: Blocks };
  const blocks: Block[] = [];
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of Object.entries(json[kind] ?? {})) {
      for (const [name, body] of Object.entries(byName ?? {})) {
        const metadataPath = ((body["//"] as { metadata?: { path?: unknown } } | undefined)?.metadata?.path);
        const constructPath = typeof metadataPath === "string" ? metadataPath.split("/").slice(1).join("/") : undefined;
        const nodeName = typeof body.node_name === "string" && !body.node_name.includes("${") ? body.node_name : undefined;
        blocks.push({ address: `${kind === "data" ? "data." : ""}${type}.${name}`, kind, constructPath, nodeName, body });
      }
    }
  }
  return blocks.sort((a, b) => a.address.localeCompare(b.address));
}

/** Every Proxmox host the stack places something on (`node_name`), sorted. */
export function stackHosts(stack: unknown): string[] {
  return [...new Set(blocksOf(stack).flatMap((block) => (block.nodeName === undefined ? [] : [block.nodeName])))].sort();
}

/** A reference-shaped word: `type.name` or `data.type.name` (names may hold `-`, as cdktf's do). */
const REFERENCE = /(?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*/g;

/**
 * The addresses of known blocks a body refers to: in `depends_on` and
 * `lifecycle.replace_triggered_by` (bare addresses), and in any string
 * holding an interpolation `${...}`. Matches are kept only when they are
 * blocks of the stack, so text that merely looks like one is ignored.
 */
function referencesOf(body: Record<string, unknown>, known: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  const scan = (text: string) => {
    for (const match of text.matchAll(REFERENCE)) if (known.has(match[0])) found.add(match[0]);
  };
  const walk = (value: unknown, bare: boolean) => {
    if (typeof value === "string") {
      if (bare || value.includes("${")) scan(value);
    } else if (Array.isArray(value)) value.forEach((item) => walk(item, bare));
    else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) if (key !== "//") walk(child, bare || key === "depends_on" || key === "replace_triggered_by");
    }
  };
  walk(body, false);
  return found;
}

const plain = ({ address, kind, constructPath }: Block): StackBlock => ({ address, kind, ...(constructPath !== undefined ? { constructPath } : {}) });

/**
 * What to leave out of a plan while `host` is down, and the `-target`
 * addresses of everything else. Throws UnknownHostError, listing the
 * stack's hosts, when no block of the stack is on `host`.
 */
export function hostDownSelection(stack: unknown, host: string, stackId = "?"): HostDownSelection {
  const blocks = blocksOf(stack);
  const hosts = stackHosts(stack);
  if (!hosts.includes(host)) throw new UnknownHostError(host, stackId, hosts);
  const known = new Set(blocks.map((block) => block.address));
  const references = new Map(blocks.map((block) => [block.address, referencesOf(block.body, known)]));
  const onHost = blocks.filter((block) => block.nodeName === host);
  const excluded = new Set(onHost.map((block) => block.address));
  const dependents: DependentBlock[] = [];
  const kept = new Map<string, DependentBlock>();
  // Until nothing changes: a block referencing a left-out one is left out, unless it sits on a healthy host.
  for (let changed = true; changed; ) {
    changed = false;
    for (const block of blocks) {
      if (excluded.has(block.address)) continue;
      const via = [...references.get(block.address)!].filter((address) => excluded.has(address)).sort()[0];
      if (via === undefined) continue;
      if (block.nodeName !== undefined) {
        if (!kept.has(block.address)) kept.set(block.address, { ...plain(block), references: via });
        continue;
      }
      excluded.add(block.address);
      dependents.push({ ...plain(block), references: via });
      changed = true;
    }
  }
  return {
    host,
    hosts,
    onHost: onHost.map(plain),
    dependents: dependents.sort((a, b) => a.address.localeCompare(b.address)),
    keptOnHealthyHosts: [...kept.values()],
    targets: blocks.filter((block) => block.kind === "resource" && !excluded.has(block.address)).map((block) => block.address),
  };
}

/** The planned actions of one resource, as `terraform show -json <plan>` lists them in `resource_changes`. */
export interface PlannedChange {
  readonly address: string;
  readonly actions: readonly string[];
}

/**
 * The left-out blocks that the saved plan would still change: `-target`
 * pulls a target's dependencies into the plan (the shared download, above),
 * and applying a change to a block on the down host fails there. Empty when
 * the plan only reads them or leaves them as they are.
 */
export function changesOnDownHost(selection: HostDownSelection, changes: readonly PlannedChange[]): PlannedChange[] {
  const leftOut = new Set([...selection.onHost, ...selection.dependents].map((block) => block.address));
  return changes.filter((change) => leftOut.has(change.address) && change.actions.some((action) => action !== "no-op" && action !== "read"));
}

/** The `resource_changes` of `terraform show -json <plan>` output; throws when the text is not a plan. */
export function plannedChanges(showJson: string): PlannedChange[] {
  let plan: { resource_changes?: { address?: unknown; change?: { actions?: unknown } }[] };
  try {
    plan = JSON.parse(showJson);
  } catch {
    throw new Error("terraform show -json did not print JSON");
  }
  return (plan.resource_changes ?? []).flatMap((entry) =>
    typeof entry.address === "string" && Array.isArray(entry.change?.actions) ? [{ address: entry.address, actions: entry.change!.actions.map(String) }] : [],
  );
}
