/**
 * Tolerant parsers for what `talosctl` v1.13 prints, each taken from Talos's
 * source (siderolabs/talos, tag v1.13.9). Pure: text in, values out; a
 * malformed or empty answer is an Error that says what was expected.
 *
 * - `talosctl get <resource> -o json` prints one indented JSON object per
 *   resource, one after the other (not an array): `{"metadata": {...},
 *   "node": "<node>", "spec": {...}}` (cmd/talosctl/cmd/talos/output/json.go:41-72
 *   builds the map, :75-80 encodes it with json.Encoder and a 4-space indent).
 * - `talosctl etcd members` and `talosctl etcd status` have no JSON output in
 *   v1.13: they print a tabwriter table (cmd/talosctl/cmd/talos/etcd.go:205-265
 *   and :267-332, padding 3, so columns line up under their header), with a
 *   leading NODE column when the answer names its node (always with `-n`).
 *   Member ids are `%016x` (pkg/machinery/resources/etcd/etcd.go:21-23).
 */
import { parse as parseYaml } from "yaml";
import type { EtcdMember, EtcdStatus, ServiceInfo, SnapshotInfo } from "../contracts";

/** One resource of `talosctl get -o json`. */
export interface TalosResource {
  readonly node?: string;
  readonly metadata: { readonly id?: string; readonly type?: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly spec: unknown;
}

/** Splits a stream of JSON values (concatenated, whitespace between) into the values. */
export function parseJsonStream(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth < 0) throw new Error(`unexpected '${c}' at offset ${i}`);
      if (depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
    } else if (depth === 0 && !/\s/.test(c)) {
      throw new Error(`unexpected text outside a JSON object at offset ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
    }
  }
  if (depth !== 0) throw new Error("truncated JSON (an object is not closed)");
  return values;
}

/** The resources of a `talosctl get ... -o json` answer (an empty answer is no resource). */
export function parseResources(text: string): TalosResource[] {
  return parseJsonStream(text).map((value, index) => {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !("spec" in value) || !("metadata" in value)) {
      throw new Error(`resource ${index + 1} of the answer has no metadata and spec`);
    }
    return value as TalosResource;
  });
}

/** `talosctl get addresses -o json`: each spec.address without its prefix length (AddressStatusSpec, pkg/machinery/resources/network/address_status.go:27-39). */
export function parseAddresses(text: string): string[] {
  const addresses = parseResources(text)
    .map((resource) => (resource.spec as { address?: unknown }).address)
    .filter((address): address is string => typeof address === "string")
    .map((address) => address.replace(/\/\d+$/, ""));
  return [...new Set(addresses)];
}

/** `talosctl get version -o json`: spec.version, the release tag (VersionSpec, pkg/machinery/resources/runtime/version.go:25-28; set to version.Tag by internal/app/machined/pkg/controllers/runtime/version.go:44-47). */
export function parseTalosVersion(text: string): string {
  const version = parseResources(text)
    .map((resource) => (resource.spec as { version?: unknown }).version)
    .find((value): value is string => typeof value === "string" && value !== "");
  if (version === undefined) throw new Error("no Talos version in the answer (expected a Versions.runtime.talos.dev resource)");
  return version;
}

/** `talosctl get services <id> -o json`: ServiceSpec {running, healthy, unknown} (pkg/machinery/resources/v1alpha1/service.go:25-29). */
export function parseService(text: string, id: string): { readonly state: string; readonly healthy: boolean } {
  const resource = parseResources(text).find((candidate) => candidate.metadata.id === undefined || candidate.metadata.id === id);
  if (resource === undefined) throw new Error(`no service ${id} in the answer`);
  const spec = resource.spec as { running?: unknown; healthy?: unknown; unknown?: unknown };
  const running = spec.running === true;
  return { state: running ? "Running" : "Not running", healthy: running && spec.healthy === true && spec.unknown !== true };
}

/** Rows of a tabwriter table, by header name; cells are cut at the header's column positions, so an empty cell stays empty. */
export function parseTable(text: string, required: readonly string[]): Record<string, string>[] {
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const headerIndex = lines.findIndex((line) => required.every((name) => new RegExp(`(^|\\s)${escapeRegExp(name)}(\\s|$)`).test(line)));
  if (headerIndex < 0) throw new Error(`no table with columns ${required.join(", ")} in the answer`);
  const header = lines[headerIndex];
  // Header names are separated by at least the tabwriter padding (3 spaces); names themselves hold single spaces.
  const columns: { name: string; start: number }[] = [];
  for (const match of header.matchAll(/\S+(?: \S+)*/g)) columns.push({ name: match[0], start: match.index ?? 0 });
  return lines.slice(headerIndex + 1).map((line) => {
    const row: Record<string, string> = {};
    columns.forEach((column, i) => {
      const end = i + 1 < columns.length ? columns[i + 1].start : undefined;
      row[column.name] = line.slice(column.start, end).trim();
    });
    return row;
  });
}

/** `talosctl etcd members` (etcd.go:223-258): NODE? ID HOSTNAME PEER URLS CLIENT URLS LEARNER. */
export function parseEtcdMembers(text: string): EtcdMember[] {
  if (text.trim() === "") throw new Error("empty answer (no etcd member listed)");
  return parseTable(text, ["ID", "HOSTNAME", "PEER URLS", "LEARNER"]).map((row) => ({
    id: row["ID"],
    hostname: row["HOSTNAME"],
    peerUrls: row["PEER URLS"] === "" ? [] : row["PEER URLS"].split(","),
    isLearner: row["LEARNER"] === "true",
  }));
}

/** `talosctl etcd status` (etcd.go:283-326): NODE? MEMBER DB SIZE IN USE LEADER RAFT INDEX ...; one row for `-n <node>`. */
export function parseEtcdStatus(text: string, node: string): EtcdStatus {
  const rows = parseTable(text, ["MEMBER", "LEADER"]);
  const row = rows.find((candidate) => candidate["NODE"] === undefined || candidate["NODE"] === node) ?? rows[0];
  if (row === undefined) throw new Error("empty answer (no etcd status row)");
  const raftIndex = /^\d+$/.test(row["RAFT INDEX"] ?? "") ? Number(row["RAFT INDEX"]) : undefined;
  return { node: row["NODE"] ?? node, memberId: row["MEMBER"], leader: row["LEADER"], ...(raftIndex !== undefined ? { raftIndex } : {}) };
}

/**
 * `talosctl etcd snapshot <path>` (etcd.go:334-393): `etcd snapshot saved to
 * "<path>" (<bytes> bytes)`, then `snapshot info: hash %08x, revision %d,
 * total keys %d, total size %d` (etcdutl's snapshot status of the file).
 */
export function parseSnapshotInfo(text: string): SnapshotInfo {
  const saved = /etcd snapshot saved to ".*" \((\d+) bytes\)/.exec(text);
  const info = /snapshot info: hash ([0-9a-f]+), revision (\d+), total keys (\d+), total size (\d+)/.exec(text);
  if (saved === null || info === null) throw new Error(`no snapshot info in the answer (expected "etcd snapshot saved to ..." and "snapshot info: hash ..., revision ..."): ${JSON.stringify(text.slice(0, 120))}`);
  return { bytes: Number(saved[1]), hash: info[1], revision: Number(info[2]), totalKeys: Number(info[3]), totalSize: Number(info[4]) };
}

/**
 * `talosctl service <id>` (service.go:107-121, formatters.RenderServicesInfo):
 * `NODE`, `ID`, `STATE` (Preparing, Waiting, Running, Finished, Failed, ...)
 * and `HEALTH` (OK, Fail, or ? while unknown) lines of a two-column tabwriter.
 */
export function parseServiceInfo(text: string, id: string): ServiceInfo {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^([A-Z][A-Z ]*?) {2,}(.*)$/.exec(line.trimEnd());
    if (match && !fields.has(match[1])) fields.set(match[1], match[2].trim());
  }
  const state = fields.get("STATE");
  if (state === undefined || (fields.get("ID") ?? id) !== id) throw new Error(`no service ${id} in the answer (expected its ID, STATE and HEALTH lines)`);
  return { state, health: fields.get("HEALTH") ?? "?" };
}

/** `talosctl get machinetype -o json`: the spec is the type itself, `init`, `controlplane` or `worker` (pkg/machinery/resources/config/machine_type.go marshals it as a string). */
export function parseMachineType(text: string): string {
  const type = parseResources(text)
    .map((resource) => resource.spec)
    .find((spec): spec is string => typeof spec === "string" && spec !== "");
  if (type === undefined) throw new Error("no machine type in the answer (expected a MachineTypes.config.talos.dev resource)");
  return type;
}

/** The talosconfig's endpoints for its current context (pkg/machinery/client/config/config.go:22-60: `context`, `contexts.<name>.endpoints`). */
export function parseTalosconfigEndpoints(yamlText: string): string[] {
  const document = parseYaml(yamlText) as { context?: unknown; contexts?: Record<string, { endpoints?: unknown }> } | null;
  const name = typeof document?.context === "string" ? document.context : undefined;
  const context = name !== undefined ? document?.contexts?.[name] : undefined;
  if (context === undefined) throw new Error(`the talosconfig has no context ${name === undefined ? "selected" : `"${name}"`}`);
  const endpoints = context.endpoints;
  if (!Array.isArray(endpoints)) return [];
  // An endpoint may carry a port (`10.0.0.1:50000`); the check compares addresses.
  return endpoints.map((endpoint) => hostOf(String(endpoint)));
}

/** `10.0.0.1:50000` -> `10.0.0.1`, `[fd00::1]:50000` -> `fd00::1`, `fd00::1` unchanged. */
export function hostOf(endpoint: string): string {
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(endpoint);
  if (bracketed) return bracketed[1];
  const colons = endpoint.split(":").length - 1;
  return colons === 1 ? endpoint.replace(/:\d+$/, "") : endpoint;
}

/** The boot id `talosctl read /proc/sys/kernel/random/boot_id` prints (as talosctl's own reboot check reads it: cmd/talosctl/pkg/talos/action/tracker.go:356-375). */
export function parseBootId(text: string): string {
  const id = text.trim();
  if (!/^[0-9a-f-]{8,}$/i.test(id)) throw new Error(`not a boot id: ${JSON.stringify(id.slice(0, 60))}`);
  return id;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * What a failed talosctl run says, from its stderr. talosctl's root command
 * silences cobra's own error and usage printing (cmd/talosctl/cmd/root.go:
 * SilenceErrors, SilenceUsage) and prints `err.Error()` itself, then, when
 * the error text mentions "arg(s)", "flag" or "command", an empty line and
 * the command's usage (`Usage:`, `Flags:`, `Global Flags:` ...): the error
 * comes first, the usage after it. Progress and `WARNING:` lines may come
 * before the error. go-multierror's `N error(s) occurred:` list (`get`'s
 * per-node errors in 1.13) is one error of several lines. Returns the error
 * line(s), joined with "; ".
 */
export function talosctlFailure(stderr: string): string {
  const lines = stderr.split("\n").map((line) => line.trim());
  // The usage block: "Usage:" right after an empty line.
  const usageAt = lines.findIndex((line, i) => line === "Usage:" && i > 0 && lines[i - 1] === "");
  const before = (usageAt < 0 ? lines : lines.slice(0, usageAt)).filter((line) => line !== "");
  const listAt = before.map((line) => /^\d+ errors? occurred:$/.test(line)).lastIndexOf(true);
  if (listAt >= 0 && listAt < before.length - 1) return before.slice(listAt + 1).map((line) => line.replace(/^\* /, "")).join("; ");
  return before[before.length - 1] ?? "";
}

/**
 * Whether talosctl failed because the resource asked for does not exist:
 * COSI's `resource <type>(<namespace>/<id>@<version>) doesn't exist`
 * (cosi-project/runtime pkg/state/impl/inmem/errors.go), carried as gRPC
 * NotFound (`rpc error: code = NotFound desc = ...`). talosctl 1.13 prints it
 * in go-multierror's list, 1.14 as `error getting resource on node <ip>: ...`.
 */
export function isResourceNotFound(stderr: string): boolean {
  return /code = NotFound desc = resource \S+ doesn't exist/.test(stderr);
}
