/**
 * A kubeconfig with one extra context per control plane, for the minute
 * after a VIP holder crashes: the VIP moves only when the holder's etcd lease
 * expires, but every surviving API server still answers on its own address
 * (its certificate carries the node's addresses), so
 * `kubectl --context <node>` works throughout.
 */

export interface NodeEndpoint {
  /** Context name: the node name, as operators type it. */
  readonly name: string;
  readonly ip: string;
}

/**
 * The Terraform expression (a `${...}` string) that takes the admin
 * kubeconfig Talos issues (server = the VIP) and adds, per node, a cluster
 * entry and a context of the node's name whose server is
 * `https://<node ip>:<port>`, with the same CA and user. The default context
 * stays the VIP's. Built in Terraform, so the credentials stay references.
 *
 * @param kubeconfigRaw Terraform reference (no `${}`) to the raw kubeconfig, e.g. `talos_cluster_kubeconfig.x.kubeconfig_raw`
 * @param server the default cluster's server instead of Talos's (the fast VIP's `https://<ip>:<port>`); the node contexts are unchanged
 */
export function kubeconfigWithNodeContexts(kubeconfigRaw: string, nodes: readonly NodeEndpoint[], port: number, server?: string): string {
  const kubeconfig = decodedKubeconfig(kubeconfigRaw, server);
  // A map iterates in key order in Terraform: the output is deterministic.
  const byName = `{ ${nodes.map((node) => `${JSON.stringify(node.name)} = ${JSON.stringify(node.ip)}`).join(", ")} }`;
  const clusters = `concat(${kubeconfig}.clusters, [for name, ip in ${byName} : { name = name, cluster = merge(${kubeconfig}.clusters[0].cluster, { server = format("https://%s:${port}", ip) }) }])`;
  const contexts = `concat(${kubeconfig}.contexts, [for name, ip in ${byName} : { name = name, context = merge(${kubeconfig}.contexts[0].context, { cluster = name }) }])`;
  return `\${yamlencode(merge(${kubeconfig}, { clusters = ${clusters}, contexts = ${contexts} }))}`;
}

/**
 * The Terraform expression (a `${...}` string) of the admin kubeconfig with
 * its clusters' server replaced (the fast VIP's, issue 21); CA and user stay.
 */
export function kubeconfigWithServer(kubeconfigRaw: string, server: string): string {
  return `\${yamlencode(${decodedKubeconfig(kubeconfigRaw, server)})}`;
}

/** The decoded kubeconfig, its clusters' server replaced when one is given (an HCL expression, no `${}`). */
function decodedKubeconfig(kubeconfigRaw: string, server: string | undefined): string {
  const decoded = `yamldecode(${kubeconfigRaw})`;
  if (server === undefined) return decoded;
  return `merge(${decoded}, { clusters = [for entry in ${decoded}.clusters : merge(entry, { cluster = merge(entry.cluster, { server = ${JSON.stringify(server)} }) })] })`;
}
