/**
 * The script behind the "VIP answers" gate: a Node.js one-shot that retries
 * a TLS handshake with HOST:PORT until it succeeds or TIMEOUT_SECONDS pass.
 *
 * It runs as `node -e <script>` with the target in environment variables, so
 * it needs only `node` (which every user of this project has), not curl,
 * and no shell quoting. It must not contain `${` or `%{`: Terraform would
 * read those as its own template syntax inside the command string.
 * The handshake alone is the signal: the API server
 * behind the VIP is up; the certificate is checked later by kubectl against
 * the cluster CA in the kubeconfig.
 */
export const WAIT_FOR_TLS_SCRIPT = [
  'const tls = require("node:tls");',
  "const host = process.env.HOST, port = Number(process.env.PORT);",
  "const deadline = Date.now() + 1000 * Number(process.env.TIMEOUT_SECONDS);",
  "const retryMs = Number(process.env.RETRY_SECONDS || 5) * 1000;",
  "function attempt() {",
  "  let settled = false;",
  "  const socket = tls.connect({ host, port, rejectUnauthorized: false, timeout: retryMs });",
  "  const retry = (why) => {",
  "    if (settled) return; settled = true; socket.destroy();",
  '    if (Date.now() >= deadline) { console.error(host + ":" + port + " gave no TLS handshake in time (last: " + why + ")"); process.exit(1); }',
  "    setTimeout(attempt, retryMs);",
  "  };",
  '  socket.once("secureConnect", () => { settled = true; socket.end(); console.log(host + ":" + port + " answers TLS"); process.exit(0); });',
  "  socket.once(\"error\", (error) => retry(error.code || error.message));",
  "  socket.once(\"timeout\", () => retry(\"timeout\"));",
  "}",
  "attempt();",
].join("\n");

/** Environment for {@link WAIT_FOR_TLS_SCRIPT}. */
export function waitForTlsEnvironment(host: string, port: number, timeoutSeconds: number): Record<string, string> {
  return { HOST: host, PORT: String(port), TIMEOUT_SECONDS: String(timeoutSeconds) };
}
