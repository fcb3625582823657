/**
 * What talosctl v1.13.9 prints, shaped as Talos's source prints it (the
 * parsers in ops/adapters/talosctl-output.ts cite the lines): the tables of
 * `etcd members` and `etcd status`, and the JSON stream of `get -o json`.
 * The simulated cluster answers with these, and the adapter's tests parse them.
 */
import type { EtcdMember } from "../../ops/contracts";

/** Go's text/tabwriter as talosctl configures it (minwidth 0, padding 3, spaces): cells padded to their column, the last cell as is. */
export function tabwriter(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i < row.length - 1 ? cell.padEnd(widths[i] + 3) : cell)).join("")).join("\n") + "\n";
}

/** `talosctl -n <node> etcd members` (etcd.go:223-258); each member's client URL is its peer URL's host on 2379. */
export function etcdMembersOutput(node: string, members: readonly EtcdMember[]): string {
  const clientUrl = (peerUrl: string) => peerUrl.replace(/:2380$/, ":2379");
  return tabwriter([
    ["NODE", "ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"],
    ...members.map((m) => [node, m.id, m.hostname, m.peerUrls.join(","), m.peerUrls.map(clientUrl).join(","), String(m.isLearner)]),
  ]);
}

/** `talosctl -n <node> etcd status` (etcd.go:283-326); `leader` empty while the member sees none. */
export function etcdStatusOutput(node: string, memberId: string, leader: string, raftIndex = 51234): string {
  return tabwriter([
    ["NODE", "MEMBER", "DB SIZE", "IN USE", "LEADER", "RAFT INDEX", "RAFT TERM", "RAFT APPLIED INDEX", "LEARNER", "PROTOCOL", "STORAGE", "ERRORS"],
    [node, memberId, "25 MB", "12 MB (48.10%)", leader, String(raftIndex), "7", String(raftIndex), "false", "3.6.0", "3.6.0", ""],
  ]);
}

/** `talosctl -n <node> service <id>` (formatters.RenderServicesInfo: NODE, ID, STATE, HEALTH and EVENTS lines, tabwriter padding 3). */
export function serviceInfoOutput(node: string, id: string, state: string, health: string): string {
  return tabwriter([
    ["NODE", node],
    ["ID", id],
    ["STATE", state],
    ["HEALTH", health],
    ["EVENTS", `[${state}]: ${state === "Preparing" ? "Running pre state" : "Health check successful"} (12s ago)`],
  ]);
}

/** `talosctl -n <node> get machinetype -o json`: the spec is the type as a string (machine_type.go's MarshalYAML). */
export function machineTypeOutput(node: string, type: string): string {
  return resourceJson(node, "MachineTypes.config.talos.dev", "config", "machine-type", type);
}

/** What `talosctl etcd snapshot <path>` prints on stdout once the file is saved (etcd.go:376-385). */
export function snapshotOutput(file: string, bytes: number, revision: number): string {
  return `etcd snapshot saved to "${file}" (${bytes} bytes)\nsnapshot info: hash c25fd181, revision ${revision}, total keys 1287, total size ${bytes}\n`;
}

/** One resource as `talosctl get -o json` prints it (output/json.go: a map with metadata, node and spec, json.Encoder with a 4-space indent). */
export function resourceJson(node: string, type: string, namespace: string, id: string, spec: unknown): string {
  const data = {
    metadata: { created: "2026-01-10T09:12:44Z", id, namespace, owner: "", phase: "running", type, updated: "2026-01-10T09:12:44Z", version: 1 },
    node,
    spec,
  };
  return JSON.stringify(data, null, 4) + "\n";
}

/** `talosctl -n <node> get addresses -o json`: loopback, the node IP, and `extra` (e.g. the VIP, which Talos adds as a /32). */
export function addressesOutput(node: string, ip: string, extra: readonly string[] = []): string {
  const address = (cidr: string, link: string, scope: string) =>
    resourceJson(node, "AddressStatuses.net.talos.dev", "network", `${link}/${cidr}`, {
      address: cidr,
      local: cidr.split("/")[0],
      linkIndex: link === "lo" ? 1 : 2,
      linkName: link,
      family: "inet4",
      scope,
      flags: "permanent",
      priority: 0,
    });
  return [address("127.0.0.1/8", "lo", "host"), address(`${ip}/24`, "eth0", "global"), ...extra.map((a) => address(`${a}/32`, "eth0", "global"))].join("");
}

/** `talosctl -n <node> get version -o json`. */
export function versionOutput(node: string, version: string): string {
  return resourceJson(node, "Versions.runtime.talos.dev", "runtime", "version", { name: "Talos", version });
}

/** `talosctl -n <node> get services <id> -o json`. */
export function serviceOutput(node: string, id: string, running: boolean, healthy: boolean): string {
  return resourceJson(node, "Services.v1alpha1.talos.dev", "runtime", id, { running, healthy, unknown: false });
}

/** `talosctl -n <node> read /proc/sys/kernel/random/boot_id`: the kernel's boot id, a UUID. */
export function bootIdOutput(bootId: string): string {
  return `${bootId}\n`;
}

/** Which talosctl prints: the layouts that differ between 1.13.9 and 1.14.0-rc.1 (the `get` errors). */
export type TalosctlRelease = "1.13" | "1.14";

/**
 * How talosctl ends on an error (cmd/talosctl/cmd/root.go, Execute; main.go
 * exits 1): cobra's own printing is silenced, talosctl prints `err.Error()`
 * on stderr, then, when that text contains "arg(s)", "flag" or "command", an
 * empty line and `cmd.UsageString()` (which ends in a newline) with Println.
 */
export function talosctlError(message: string, command: string): { readonly stderr: string; readonly code: number } {
  const usage = /arg\(s\)|flag|command/.test(message) ? `\n${usageString(command)}\n` : "";
  return { stderr: `${message}\n${usage}`, code: 1 };
}

/**
 * cobra v1.10.2's default usage (command.go, defaultUsageFunc) of a leaf
 * command such as `talosctl upgrade`: `Usage:`, the use line, then `Flags:`
 * (the command's own and talosctl's per-command global flags, trimmed of
 * trailing space), then the newline. Shortened to a few flags.
 */
export function usageString(command: string): string {
  const flags = [
    "  -c, --cluster string             Cluster to connect to if a proxy endpoint is used.",
    "      --context string             Context to be used in command",
    "  -e, --endpoints strings          override default endpoints in Talos configuration",
    "  -h, --help                       help for " + command.split(" ").pop(),
    "  -n, --nodes strings              target the specified nodes",
    "      --talosconfig string         The path to the Talos configuration file. Defaults to 'TALOSCONFIG' env variable if set, otherwise '$HOME/.talos/config' and '/var/run/secrets/talos.dev/config' in order.",
  ];
  return `Usage:\n  talosctl ${command} [flags]\n\nFlags:\n${flags.join("\n")}\n`;
}

/**
 * `talosctl -n <node> get <type> <id>` when the resource does not exist
 * (COSI's NotFound: `resource <type>(<namespace>/<id>@undefined) doesn't
 * exist`, cosi-project/runtime pkg/state/impl/inmem/errors.go, as gRPC
 * NotFound). 1.13.9 collects per-node errors in a go-multierror
 * (cmd/talosctl/cmd/talos/get.go, ListFormatFunc: `1 error occurred:\n\t* %s\n\n`),
 * 1.14.0-rc.1 joins `error getting resource on node <node>: %w`; root.go adds
 * the newline. Exit 1, nothing on stdout.
 */
export function resourceNotFound(node: string, type: string, namespace: string, id: string, release: TalosctlRelease = "1.13"): { readonly stderr: string; readonly code: number } {
  const error = `rpc error: code = NotFound desc = resource ${type}(${namespace}/${id}@undefined) doesn't exist`;
  const message = release === "1.13" ? `1 error occurred:\n\t* ${error}\n\n` : `error getting resource on node ${node}: ${error}`;
  return { stderr: `${message}\n`, code: 1 };
}
