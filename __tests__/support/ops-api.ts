/**
 * A fake Kubernetes API on 127.0.0.1 that demands a client certificate from
 * its CA, as Talos's API server does. Loopback only.
 */
import * as https from "node:https";
import * as net from "node:net";
import { generate } from "selfsigned";

export interface Pki {
  readonly ca: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

/** A throwaway CA (also the server certificate, valid for 127.0.0.1, ::1 and the fixtures' fast VIP 127.0.0.101) and an admin client certificate it signed. */
export async function mintPki(): Promise<Pki> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], {
    keyType: "ec",
    algorithm: "sha256",
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", keyCertSign: true, digitalSignature: true, keyEncipherment: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }, { type: 7, ip: "127.0.0.101" }] },
    ],
    clientCertificate: { cn: "admin" },
  });
  return { ca: pems.cert, serverKey: pems.private, clientCert: pems.clientcert!, clientKey: pems.clientprivate! };
}

export interface ApiState {
  readyzStatus: number;
  nodes: { name: string; ready: boolean; kubeletVersion: string; unschedulable?: boolean }[];
  gitVersion: string;
}

export function fakeApi(pki: Pki, state: ApiState): https.Server {
  return https.createServer({ key: pki.serverKey, cert: pki.ca, ca: [pki.ca], requestCert: true, rejectUnauthorized: true }, (request, response) => {
    if (request.url === "/readyz") {
      response.writeHead(state.readyzStatus).end(state.readyzStatus === 200 ? "ok" : "[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed");
    } else if (request.url === "/api/v1/nodes") {
      const items = state.nodes.map((n) => ({
        metadata: { name: n.name },
        // NodeSpec.unschedulable is omitempty: present only on a cordoned node.
        ...(n.unschedulable ? { spec: { unschedulable: true } } : {}),
        status: { conditions: [{ type: "Ready", status: n.ready ? "True" : "False" }], nodeInfo: { kubeletVersion: n.kubeletVersion } },
      }));
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ kind: "NodeList", apiVersion: "v1", items }));
    } else if (request.url === "/version") {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ major: "1", minor: "36", gitVersion: state.gitVersion, platform: "linux/amd64" }));
    } else response.writeHead(404).end();
  });
}

/** Listens on 127.0.0.1 (or `host`, e.g. `::1`; a free port, or `port` to come back on the same one); resolves to the port. */
export function listen(server: net.Server, port = 0, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** Stops listening (and ends an HTTP server's open connections); a server not listening is already closed. */
export function close(server: https.Server | net.Server): Promise<void> {
  if ("closeAllConnections" in server) server.closeAllConnections();
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await close(probe);
  return port;
}
