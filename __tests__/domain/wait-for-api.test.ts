/**
 * Runs the first deploy's health wait for real, against HTTPS servers on
 * 127.0.0.1 (loopback only), exactly as the null_resource runs it:
 * `node -e <script>` with the target and the credentials in the environment.
 * The servers demand a client certificate from the cluster CA, as Talos's
 * API server does (anonymous access is off).
 */
import { execFile } from "node:child_process";
import * as https from "node:https";
import * as net from "node:net";
import { close, listen, mintPki } from "../support/ops-api";
import { WAIT_FOR_API_SCRIPT, waitForApiEnvironment } from "../../domain";

interface Cluster {
  /** Base64 PEM, as the talos provider's kubernetes_client_configuration holds them. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  readonly serverKey: string;
  readonly serverCert: string;
}

const base64 = (pem: string) => Buffer.from(pem).toString("base64");

/** The cluster CA, its server certificate and the admin client certificate, as the talos provider holds them (base64 PEM). */
async function mintCluster(): Promise<Cluster> {
  const pki = await mintPki();
  return { ca: base64(pki.ca), cert: base64(pki.clientCert), key: base64(pki.clientKey), serverKey: pki.serverKey, serverCert: pki.ca };
}

interface FakeApiServer {
  readonly server: https.Server;
  /** How many /readyz requests answered 503 before 200. */
  readyAfter: number;
  /** Node name -> Ready. */
  nodes: Record<string, boolean>;
  /** Called on each /api/v1/nodes request, before it is answered. */
  onNodesRequest?: (count: number) => void;
}

function fakeApiServer(cluster: Cluster, options: Partial<Pick<FakeApiServer, "readyAfter" | "nodes">> = {}): FakeApiServer {
  let nodesRequests = 0;
  const state: FakeApiServer = { readyAfter: options.readyAfter ?? 0, nodes: options.nodes ?? {}, server: undefined as never };
  const server = https.createServer(
    { key: cluster.serverKey, cert: cluster.serverCert, ca: [cluster.serverCert], requestCert: true, rejectUnauthorized: true },
    (request, response) => {
      if (request.url === "/readyz") {
        const ready = state.readyAfter-- <= 0;
        response.writeHead(ready ? 200 : 503).end(ready ? "ok" : "[-]etcd failed");
      } else if (request.url === "/api/v1/nodes") {
        state.onNodesRequest?.(++nodesRequests);
        const items = Object.entries(state.nodes).map(([name, ready]) => ({
          metadata: { name },
          status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
        }));
        response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ items }));
      } else {
        response.writeHead(404).end();
      }
    },
  );
  return Object.assign(state, { server });
}

function runWait(cluster: Cluster, port: number, timeoutSeconds: number, nodeNames = ["cp1", "cp2", "cp3"]) {
  const env = waitForApiEnvironment({
    host: "127.0.0.1",
    port,
    timeoutSeconds,
    nodeNames,
    caCertificate: cluster.ca,
    clientCertificate: cluster.cert,
    clientKey: cluster.key,
  });
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ["-e", WAIT_FOR_API_SCRIPT], { env: { ...env, RETRY_SECONDS: "0.2" }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("the first deploy's wait for the cluster through the VIP", () => {
  // Minted once and shared; the tests run concurrently (each waits on its own timeouts).
  const minted = mintCluster();

  test.concurrent("exits 0 once /readyz answers 200 and every control plane is Ready, retrying until then", async () => {
    const cluster = await minted;
    // GIVEN an API server whose etcd is not ready for two probes, and one node not Ready yet
    const api = fakeApiServer(cluster, { readyAfter: 2, nodes: { cp1: true, cp2: true, cp3: false } });
    const port = await listen(api.server);
    // cp3 turns Ready once the script has seen it not Ready.
    api.onNodesRequest = (count) => (api.nodes.cp3 = count > 1);
    try {
      // WHEN the script waits
      const result = await runWait(cluster, port, 15);
      // THEN it saw each stage and succeeded
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain("/readyz answered 503; retrying");
      expect(result.stdout).toContain("not Ready yet: cp3; retrying");
      expect(result.stdout).toContain(`https://127.0.0.1:${port} is ready, with every control plane Ready: cp1, cp2, cp3`);
      expect(result.code).toBe(0);
    } finally {
      await close(api.server);
    }
  });

  test.concurrent("fails, naming the node, when a control plane never becomes Ready", async () => {
    const cluster = await minted;
    const api = fakeApiServer(cluster, { nodes: { cp1: true, cp2: true } });
    const port = await listen(api.server);
    try {
      const result = await runWait(cluster, port, 1);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`https://127.0.0.1:${port} is not ready after 1 s (last: not Ready yet: cp3)`);
    } finally {
      await close(api.server);
    }
  });

  test.concurrent("does not trust a server whose certificate is not from the cluster CA", async () => {
    const cluster = await minted;
    const impostor = fakeApiServer(await mintCluster(), { nodes: { cp1: true, cp2: true, cp3: true } });
    const port = await listen(impostor.server);
    try {
      const result = await runWait(cluster, port, 1);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/is not ready after 1 s \(last: [A-Z_]+\)/);
      expect(result.stdout).not.toContain("is ready");
    } finally {
      await close(impostor.server);
    }
  });

  test.concurrent("fails with a clear message when nothing answers before the timeout", async () => {
    const cluster = await minted;
    const probe = net.createServer();
    const port = await listen(probe);
    await close(probe);
    const result = await runWait(cluster, port, 1);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`https://127.0.0.1:${port} is not ready after 1 s (last: ECONNREFUSED)`);
  });
});

test("the script holds no Terraform template syntax, so Terraform passes it through verbatim", () => {
  expect(WAIT_FOR_API_SCRIPT).not.toMatch(/\$\{|%\{/);
});
