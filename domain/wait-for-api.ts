/**
 * The script behind the "cluster answers through the VIP" gate: a Node.js
 * one-shot that waits, up to TIMEOUT_SECONDS, until https://HOST:PORT
 * answers `/readyz` with 200 (the API server and its etcd are ready) and
 * every control plane in NODES is a Ready Kubernetes node, authenticating
 * with the admin client certificate and verifying the server against the
 * cluster CA.
 *
 * It is the first deploy's health wait: a resource runs it once (and again
 * when the VIP or the bootstrap changes, or a control plane's VM is
 * re-created), so later plans never block on it.
 * Talos disables anonymous access to the API server, hence the client
 * certificate; CA, CERT and KEY are base64 PEM, as the talos provider's
 * `kubernetes_client_configuration` holds them.
 *
 * It runs as `node -e <script>` with everything in environment variables, so
 * it needs only `node` and no shell quoting. It must not contain `${` or `%{`:
 * Terraform would read those as its own template syntax in the command.
 */
export const WAIT_FOR_API_SCRIPT = [
  'const https = require("node:https");',
  "const env = process.env;",
  "const deadline = Date.now() + 1000 * Number(env.TIMEOUT_SECONDS);",
  "const retryMs = 1000 * Number(env.RETRY_SECONDS || 5);",
  'const pem = (name) => Buffer.from(env[name], "base64");',
  'const expected = env.NODES.split(",");',
  'const where = "https://" + env.HOST + ":" + env.PORT;',
  "function get(path, done) {",
  "  const options = { host: env.HOST, port: Number(env.PORT), path, ca: pem(\"CA\"), cert: pem(\"CERT\"), key: pem(\"KEY\"), agent: false, timeout: retryMs };",
  "  const request = https.get(options, (response) => {",
  '    let body = "";',
  '    response.setEncoding("utf8");',
  '    response.on("data", (chunk) => { body += chunk; });',
  '    response.on("end", () => done(undefined, response.statusCode, body));',
  "  });",
  '  request.on("timeout", () => request.destroy(new Error("no answer within " + retryMs + " ms")));',
  '  request.on("error", (error) => done(error.code || error.message));',
  "}",
  "function notReady(body) {",
  "  const ready = new Set((JSON.parse(body).items || []).filter((node) =>",
  '    ((node.status || {}).conditions || []).some((c) => c.type === "Ready" && c.status === "True")).map((node) => node.metadata.name));',
  "  return expected.filter((name) => !ready.has(name));",
  "}",
  "function retry(why) {",
  '  if (Date.now() >= deadline) { console.error(where + " is not ready after " + env.TIMEOUT_SECONDS + " s (last: " + why + ")"); process.exit(1); }',
  '  console.log(where + ": " + why + "; retrying");',
  "  setTimeout(attempt, retryMs);",
  "}",
  "function attempt() {",
  '  get("/readyz", (error, status) => {',
  '    if (error || status !== 200) return retry(error || "/readyz answered " + status);',
  '    get("/api/v1/nodes", (error, status, body) => {',
  '      if (error || status !== 200) return retry(error || "/api/v1/nodes answered " + status);',
  "      const missing = notReady(body);",
  '      if (missing.length > 0) return retry("not Ready yet: " + missing.join(", "));',
  '      console.log(where + " is ready, with every control plane Ready: " + expected.join(", "));',
  "      process.exit(0);",
  "    });",
  "  });",
  "}",
  "attempt();",
].join("\n");

export interface WaitForApiTarget {
  readonly host: string;
  readonly port: number;
  readonly timeoutSeconds: number;
  /** Kubernetes node names that must be Ready. */
  readonly nodeNames: readonly string[];
  /** Base64 PEM: the cluster CA, the admin client certificate and its key (Terraform references). */
  readonly caCertificate: string;
  readonly clientCertificate: string;
  readonly clientKey: string;
}

/** Environment for {@link WAIT_FOR_API_SCRIPT}. */
export function waitForApiEnvironment(target: WaitForApiTarget): Record<string, string> {
  return {
    HOST: target.host,
    PORT: String(target.port),
    TIMEOUT_SECONDS: String(target.timeoutSeconds),
    NODES: target.nodeNames.join(","),
    CA: target.caCertificate,
    CERT: target.clientCertificate,
    KEY: target.clientKey,
  };
}
