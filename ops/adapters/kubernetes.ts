/**
 * KubernetesClient straight over HTTPS (node:https; kubectl is not needed):
 * the server, cluster CA and admin client certificate come from the
 * kubeconfig, the server's certificate is verified against that CA, and every
 * request has a deadline.
 */
import { parse as parseYaml } from "yaml";
import type { KubeNode, KubernetesClient } from "../contracts";
import { HttpsAnswer, httpsCall } from "./https-call";

/** What a kubeconfig's current context gives a client. PEM strings; never printed. */
export interface KubeconfigAccess {
  /** e.g. `https://192.168.1.100:6443`. */
  readonly server: string;
  readonly ca: string;
  readonly clientCertificate: string;
  readonly clientKey: string;
}

interface KubeconfigDocument {
  readonly "current-context"?: string;
  readonly contexts?: readonly { name: string; context?: { cluster?: string; user?: string } }[];
  readonly clusters?: readonly { name: string; cluster?: Record<string, unknown> }[];
  readonly users?: readonly { name: string; user?: Record<string, unknown> }[];
}

/** Reads the current context's server, CA and client certificate (the `*-data` fields, base64, as Talos writes them). */
export function parseKubeconfig(yamlText: string): KubeconfigAccess {
  let document: KubeconfigDocument | null;
  try {
    document = parseYaml(yamlText) as KubeconfigDocument | null;
  } catch (error) {
    throw new Error(`the kubeconfig is not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  const contextName = document?.["current-context"] ?? document?.contexts?.[0]?.name;
  const context = document?.contexts?.find((candidate) => candidate.name === contextName)?.context;
  if (context === undefined) throw new Error(`the kubeconfig has no context ${contextName === undefined ? "" : `"${contextName}"`}`.trim());
  const cluster = document?.clusters?.find((candidate) => candidate.name === context.cluster)?.cluster;
  const user = document?.users?.find((candidate) => candidate.name === context.user)?.user;
  if (cluster === undefined) throw new Error(`the kubeconfig has no cluster "${context.cluster}"`);
  if (user === undefined) throw new Error(`the kubeconfig has no user "${context.user}"`);
  const field = (record: Record<string, unknown>, name: string, what: string): string => {
    const value = record[name];
    if (typeof value !== "string" || value === "") throw new Error(`the kubeconfig has no ${name} (${what}); only embedded *-data credentials are read`);
    return value;
  };
  const decode = (value: string) => Buffer.from(value, "base64").toString("utf8");
  return {
    server: field(cluster, "server", "API address").replace(/\/+$/, ""),
    ca: decode(field(cluster, "certificate-authority-data", "cluster CA")),
    clientCertificate: decode(field(user, "client-certificate-data", "admin certificate")),
    clientKey: decode(field(user, "client-key-data", "admin key")),
  };
}

/** The Kubernetes nodes of a `GET /api/v1/nodes` answer (NodeList). */
export function parseNodeList(body: unknown): KubeNode[] {
  const items = (body as { items?: unknown } | null)?.items;
  if (!Array.isArray(items)) throw new Error("not a NodeList (no items)");
  type Item = { metadata?: { name?: string }; spec?: { unschedulable?: boolean }; status?: { conditions?: { type?: string; status?: string }[]; nodeInfo?: { kubeletVersion?: string } } };
  return items.map((item: Item) => ({
    name: item.metadata?.name ?? "",
    ready: (item.status?.conditions ?? []).some((condition) => condition.type === "Ready" && condition.status === "True"),
    kubeletVersion: item.status?.nodeInfo?.kubeletVersion ?? "",
    // NodeSpec.unschedulable is omitted (omitempty) unless the node is cordoned.
    unschedulable: item.spec?.unschedulable === true,
  }));
}

export interface HttpsKubernetesClientProps {
  readonly access: KubeconfigAccess;
  /** Deadline of each request, connection included. @default 5000 */
  readonly timeoutMs?: number;
}

export class HttpsKubernetesClient implements KubernetesClient {
  private readonly timeoutMs: number;
  private readonly server: URL;

  constructor(private readonly props: HttpsKubernetesClientProps) {
    this.timeoutMs = props.timeoutMs ?? 5_000;
    this.server = new URL(props.access.server);
  }

  async readyz(): Promise<{ readonly ok: boolean; readonly detail: string }> {
    const answer = await this.get("/readyz");
    const text = answer.body.trim();
    const failed = text.split("\n").filter((line) => line.startsWith("[-]"));
    const detail = answer.status === 200 ? `${answer.status} ${text.slice(0, 80)}` : `${answer.status} ${(failed.length > 0 ? failed.join(", ") : text).slice(0, 200)}`;
    return { ok: answer.status === 200, detail };
  }

  async nodes(): Promise<KubeNode[]> {
    return parseNodeList(await this.getJson("/api/v1/nodes"));
  }

  async serverVersion(): Promise<string> {
    const body = (await this.getJson("/version")) as { gitVersion?: unknown };
    if (typeof body.gitVersion !== "string") throw new Error("GET /version: no gitVersion in the answer");
    return body.gitVersion;
  }

  private async getJson(path: string): Promise<unknown> {
    const answer = await this.get(path);
    if (answer.status !== 200) throw new Error(`GET ${path}: HTTP ${answer.status} ${answer.body.trim().slice(0, 200)}`);
    try {
      return JSON.parse(answer.body);
    } catch {
      throw new Error(`GET ${path}: the answer is not JSON`);
    }
  }

  private get(path: string): Promise<HttpsAnswer> {
    const { access } = this.props;
    return httpsCall({
      host: this.server.hostname,
      port: Number(this.server.port || 443),
      path,
      method: "GET",
      headers: { accept: "application/json" },
      tls: { ca: access.ca, cert: access.clientCertificate, key: access.clientKey, rejectUnauthorized: true },
      timeoutMs: this.timeoutMs,
      label: `GET ${path}`,
      untrusted: (code) => `the server's certificate is not signed by the cluster CA (${code}): refused`,
    }).catch((error: Error) => {
      // A kubeconfig whose PEM does not parse fails in TLS setup: say which file is at fault.
      throw /PEM|asn1|OSSL/i.test(error.message) ? new Error(`GET ${path}: the kubeconfig's CA or client certificate is not usable PEM (${error.message.replace(/^GET \S+: /, "")})`) : error;
    });
  }
}
