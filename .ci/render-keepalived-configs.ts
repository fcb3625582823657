// Renders the keepalived.conf of every control plane as the stack does, with
// the domain's own renderer, for the CI tests of the fast API failover
// (.ci/keepalived-config-test.sh, .ci/netns-keepalived-test.sh):
//
//   node --import tsx .ci/render-keepalived-configs.ts OUT_DIR [CONFIG_FILE]
//
// From CONFIG_FILE (a HOMELAB_CONFIG file; without one, the reference homelab)
// it takes what the stack takes: the cluster name (the virtual router id and
// the nodes' MAC addresses derive from it), the control planes in order (their
// priorities), fastFailover.advertIntervalMs when the file sets it. The
// addresses are mapped to 198.18.0.0/24 (the benchmarking range, never
// routed), so the files run unchanged in network namespaces: control plane i
// at 198.18.0.(10+i), the fast VIP at 198.18.0.100. The interface is the
// placeholder, as the stack renders it; the start script (or the test, as it
// does) fills in the NIC it finds by MAC.
//
// Writes OUT_DIR/<node>.conf and OUT_DIR/nodes.tsv: one line a control plane,
// `name<TAB>ip<TAB>mac<TAB>priority<TAB>conf file`, and OUT_DIR/env with VIP=,
// ROUTER_ID=, ADVERT_MS=, CLUSTER=, PLACEHOLDER= for the shell.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadHomelabConfig } from "../config/load-homelab-config";
import { resolveClusterSpec } from "../domain/cluster-spec";
import {
  KEEPALIVED_INTERFACE_PLACEHOLDER,
  controlPlanePriorities,
  fastFailoverVirtualRouterId,
  renderKeepalivedConfig,
} from "../domain/keepalived-config";

const [outDir, configFile] = process.argv.slice(2);
if (!outDir) {
  console.error("usage: node --import tsx .ci/render-keepalived-configs.ts OUT_DIR [CONFIG_FILE]");
  process.exit(2);
}

const props = configFile ? loadHomelabConfig(configFile) : {};
const spec = resolveClusterSpec(props);
const fastFailover = (props as { fastFailover?: { advertIntervalMs?: number; virtualRouterId?: number } }).fastFailover ?? {};
const advertIntervalMs = fastFailover.advertIntervalMs ?? 500;
const virtualRouterId = fastFailover.virtualRouterId ?? fastFailoverVirtualRouterId(spec.clusterName);
const vip = "198.18.0.100";
const ips = spec.nodes.map((_, index) => `198.18.0.${11 + index}`);
const priorities = controlPlanePriorities(spec.nodes.length);

fs.mkdirSync(outDir, { recursive: true });
const rows = spec.nodes.map((node, index) => {
  const text = renderKeepalivedConfig({
    clusterName: spec.clusterName,
    virtualRouterId,
    vip,
    prefixLength: 24,
    self: { ip: ips[index], priority: priorities[index] },
    peers: ips.filter((_, other) => other !== index),
    interface: KEEPALIVED_INTERFACE_PLACEHOLDER,
    advertIntervalMs,
  });
  const file = path.resolve(outDir, `${node.name}.conf`);
  fs.writeFileSync(file, text);
  return [node.name, ips[index], node.macAddress.toLowerCase(), String(priorities[index]), file].join("\t");
});
fs.writeFileSync(path.join(outDir, "nodes.tsv"), rows.join("\n") + "\n");
fs.writeFileSync(
  path.join(outDir, "env"),
  [`VIP=${vip}`, `ROUTER_ID=${virtualRouterId}`, `ADVERT_MS=${advertIntervalMs}`, `CLUSTER=${spec.clusterName}`, `PLACEHOLDER='${KEEPALIVED_INTERFACE_PLACEHOLDER}'`].join("\n") + "\n",
);
console.log(`rendered ${rows.length} keepalived.conf for cluster ${spec.clusterName} (virtual router id ${virtualRouterId}, advert ${advertIntervalMs} ms) in ${outDir}`);
