// Renders the keepalived.conf of every control plane as the stack does, with
// the domain's own renderer, for the CI tests of the fast API failover
// (.ci/keepalived-config-test.sh, .ci/netns-keepalived-test.sh):
//
//   node --import tsx .ci/render-keepalived-configs.ts OUT_DIR [CONFIG_FILE]
//
// From CONFIG_FILE (a HOMELAB_CONFIG file; without one, the reference homelab)
// it takes what the stack takes: the cluster name (the virtual router id and
// the nodes' MAC addresses derive from it), the control planes in order (their
// priorities), its fastFailover settings (advert interval, router id) when the file sets them. The
// addresses are mapped to 198.18.0.0/24 (the benchmarking range, never
// routed), so the files run unchanged in network namespaces: control plane i
// at 198.18.0.(10+i), the fast VIP at 198.18.0.100. The interface is the
// placeholder, as the stack renders it; the start script (or the test, as it
// does) fills in the NIC it finds by MAC.
//
// Through the stack's own functions (domain/fast-failover.ts: fastFailoverOf,
// keepalivedConfigOf, renderKeepalivedStartScript). Writes
// OUT_DIR/<node>/keepalived.conf and start.sh (the node's /var/etc/keepalived),
// OUT_DIR/nodes.tsv: one line a control plane,
// `name<TAB>ip<TAB>mac<TAB>priority<TAB>conf file`, and OUT_DIR/env with VIP=,
// ROUTER_ID=, ADVERT_MS=, CLUSTER=, PLACEHOLDER= for the shell.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadHomelabConfig } from "../config/load-homelab-config";
import { resolveClusterSpec } from "../domain/cluster-spec";
import { fastFailoverOf, keepalivedConfigOf, renderKeepalivedStartScript } from "../domain/fast-failover";
import { KEEPALIVED_INTERFACE_PLACEHOLDER } from "../domain/keepalived-config";

const [outDir, configFile] = process.argv.slice(2);
if (!outDir) {
  console.error("usage: node --import tsx .ci/render-keepalived-configs.ts OUT_DIR [CONFIG_FILE]");
  process.exit(2);
}

const vip = "198.18.0.100";
const spec = resolveClusterSpec(configFile ? loadHomelabConfig(configFile) : {});
// The stack's own plan (domain/fast-failover.ts), its addresses mapped; on where the file leaves it off.
const plan = fastFailoverOf({
  ...spec,
  fastFailoverEnabled: true,
  fastFailoverVip: vip,
  fastFailoverImage: spec.fastFailoverImage ?? "keepalived@sha256:" + "0".repeat(64),
  networkCidr: "198.18.0.0/24",
  nodes: spec.nodes.map((node, index) => ({ ...node, ip: `198.18.0.${11 + index}` })),
});
if (!plan) throw new Error("fastFailoverOf returned no plan with fastFailoverEnabled set");

fs.mkdirSync(outDir, { recursive: true });
const rows = plan.nodes.map((node) => {
  const folder = path.resolve(outDir, node.name); // the node's /var/etc/keepalived
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, "keepalived.conf"), keepalivedConfigOf(plan, node.name));
  fs.writeFileSync(path.join(folder, "start.sh"), renderKeepalivedStartScript(node.macAddress), { mode: 0o755 });
  return [node.name, node.ip, node.macAddress.toLowerCase(), String(node.priority), path.join(folder, "keepalived.conf")].join("\t");
});
fs.writeFileSync(path.join(outDir, "nodes.tsv"), rows.join("\n") + "\n");
fs.writeFileSync(
  path.join(outDir, "env"),
  [`VIP=${plan.vip}`, `ROUTER_ID=${plan.virtualRouterId}`, `ADVERT_MS=${plan.advertIntervalMs}`, `CLUSTER=${plan.clusterName}`, `PLACEHOLDER='${KEEPALIVED_INTERFACE_PLACEHOLDER}'`].join("\n") + "\n",
);
console.log(`rendered ${rows.length} keepalived.conf and start.sh for cluster ${plan.clusterName} (virtual router id ${plan.virtualRouterId}, advert ${plan.advertIntervalMs} ms) in ${outDir}`);
