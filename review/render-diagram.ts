/**
 * The control plane as a Mermaid flowchart: one subgraph per Proxmox host
 * with its VMs, the VIP and who reaches the cluster through it, and
 * talosctl's endpoints. Pure.
 */
import { StackModel } from "./stack-model";

/** The ```mermaid block, fence lines included. */
export function renderDiagram(model: StackModel): string[] {
  const nodeId = new Map(model.nodes.map((node, index) => [node.address, `n${index + 1}`]));
  const idOfIp = new Map(model.nodes.filter((node) => node.ip !== "").map((node) => [node.ip, nodeId.get(node.address)!]));
  const allNodes = model.nodes.map((node) => nodeId.get(node.address)!).join(" & ");
  const lines = ["```mermaid", "flowchart LR"];

  if (model.vip) {
    const endpoint = model.clusterEndpoint ? `<br/>${model.clusterEndpoint}` : "";
    lines.push(`  clients["kubectl, workers${label(endpoint)}"] --> vip(("VIP ${label(model.vip)}<br/>one holder at a time"))`);
  }
  const talosctlTargets = [
    ...new Set(
      model.talosctlEndpoints.map((endpoint) => (endpoint === model.vip ? "vip" : idOfIp.get(endpoint))).filter((id): id is string => id !== undefined)
    ),
  ];
  if (talosctlTargets.length > 0) {
    const what = talosctlTargets.includes("vip") ? "endpoints include the VIP" : "endpoints = node IPs";
    lines.push(`  talosctl["talosctl<br/>${what}"] --> ${talosctlTargets.join(" & ")}`);
  }

  model.workers.forEach((worker, index) => nodeId.set(worker.address, `w${index + 1}`));
  const hosts = [...new Set([...model.hosts.map(({ name }) => name), ...model.workers.map(({ proxmoxHost }) => proxmoxHost)])];
  hosts.forEach((host, index) => {
    lines.push(`  subgraph h${index + 1}["Proxmox host ${label(host)}"]`);
    for (const node of [...model.nodes, ...model.workers].filter((item) => item.proxmoxHost === host)) {
      const details = [node.ip, node.vmId !== undefined ? `VM ${node.vmId}` : undefined].filter(Boolean).join(", ");
      const notes = [node.bootstrapped ? "bootstrapped" : undefined, node.role === "worker" ? "worker" : undefined, node.haManaged ? "Proxmox HA" : undefined].filter(Boolean);
      const suffix = notes.length > 0 ? `<br/>(${notes.join(", ")})` : "";
      lines.push(`    ${nodeId.get(node.address)}["${label(node.name)}<br/>${label(details)}${suffix}"]`);
    }
    lines.push("  end");
  });
  if (model.workers.length > 0) {
    lines.push(`  ${model.workers.map((worker) => nodeId.get(worker.address)).join(" & ")} -.KubePrism 127.0.0.1:7445.-> ${allNodes}`);
  }

  if (model.vip && model.nodes.length > 0) lines.push(`  vip -.held by one of.-> ${allNodes}`);
  if (model.nodes.length > 1) lines.push(`  ${model.nodes.map((node) => nodeId.get(node.address)).join(" <-- etcd --> ")}`);
  lines.push("```");
  return lines;
}

/** Text safe inside a quoted Mermaid label. */
function label(text: string): string {
  return text.replace(/"/g, "#quot;");
}
