/**
 * The Kubernetes adapter over HTTPS against local API servers (127.0.0.1)
 * that demand a client certificate: TLS verified against the cluster CA,
 * /readyz, nodes and version, and quick clear failures.
 */
import { HttpsKubernetesClient, parseKubeconfig } from "../../../ops/adapters/kubernetes";
import { ApiState, close, closedPort, fakeApi, listen, mintPki } from "../../support/ops-api";
import { kubeconfigYaml } from "../../support/cluster-fixture";
import { SimulatedCluster } from "../../support/simulated-cluster";
import { kubernetesApiState } from "../../support/simulated-kubernetes";

const minted = mintPki();
const otherCa = mintPki();
const healthy = (): ApiState => ({
  readyzStatus: 200,
  gitVersion: "v1.36.3",
  nodes: [
    { name: "k8s-controller1", ready: true, kubeletVersion: "v1.36.3" },
    { name: "k8s-worker1", ready: false, kubeletVersion: "v1.36.3", unschedulable: true },
  ],
});

describe("parseKubeconfig", () => {
  test("reads the current context's server, CA and client certificate", async () => {
    const pki = await minted;
    const access = parseKubeconfig(kubeconfigYaml("https://127.0.0.1:6443/", pki.ca, pki.clientCert, pki.clientKey));
    expect(access.server).toBe("https://127.0.0.1:6443");
    expect(access.ca).toBe(pki.ca);
    expect(access.clientKey).toBe(pki.clientKey);
  });

  test("fails naming the missing field, not its value", async () => {
    const text = kubeconfigYaml("https://127.0.0.1:6443", "ca", "cert", "key").replace(/ *client-key-data: .*\n/, "");
    expect(() => parseKubeconfig(text)).toThrow(/no client-key-data \(admin key\)/);
  });
});

describe("HttpsKubernetesClient", () => {
  test.concurrent("reads /readyz, the nodes and the version with the admin certificate", async () => {
    const pki = await minted;
    const server = fakeApi(pki, healthy());
    const port = await listen(server);
    try {
      const client = new HttpsKubernetesClient({ access: parseKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey)) });
      expect(await client.readyz()).toEqual({ ok: true, detail: "200 ok" });
      expect(await client.nodes()).toEqual([
        { name: "k8s-controller1", ready: true, kubeletVersion: "v1.36.3", unschedulable: false },
        { name: "k8s-worker1", ready: false, kubeletVersion: "v1.36.3", unschedulable: true },
      ]);
      expect(await client.serverVersion()).toBe("v1.36.3");
    } finally {
      await close(server);
    }
  });

  test.concurrent("the simulated cluster's API, served in the API's shapes, reads as its in-memory client answers", async () => {
    // GIVEN a worker rebooting (NotReady) and Kubernetes upgraded on the control planes' API
    const sim = new SimulatedCluster();
    await sim.talos.reboot("127.0.0.21");
    sim.upgradeKubernetes("v1.36.4");
    const pki = await minted;
    const server = fakeApi(pki, kubernetesApiState(sim));
    const port = await listen(server);
    try {
      const client = new HttpsKubernetesClient({ access: parseKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey)) });
      expect(await client.readyz()).toEqual(await sim.kube.readyz());
      expect(await client.nodes()).toEqual(await sim.kube.nodes());
      expect((await client.nodes()).find((n) => n.name === "k8s-worker1")).toEqual({ name: "k8s-worker1", ready: false, kubeletVersion: "v1.36.4", unschedulable: false });
      expect(await client.serverVersion()).toBe(await sim.kube.serverVersion());
    } finally {
      await close(server);
    }
  });

  test.concurrent("a 500 /readyz is not ok, with the failed checks", async () => {
    const pki = await minted;
    const server = fakeApi(pki, { ...healthy(), readyzStatus: 500 });
    const port = await listen(server);
    try {
      const client = new HttpsKubernetesClient({ access: parseKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey)) });
      expect(await client.readyz()).toEqual({ ok: false, detail: "500 [-]etcd failed: reason withheld" });
    } finally {
      await close(server);
    }
  });

  test.concurrent("fails when the server's certificate is not from the cluster CA (refused)", async () => {
    const pki = await minted;
    const impostor = await otherCa;
    const server = fakeApi(impostor, healthy());
    const port = await listen(server);
    try {
      const client = new HttpsKubernetesClient({ access: parseKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey)) });
      await expect(client.readyz()).rejects.toThrow(/GET \/readyz: the server's certificate is not signed by the cluster CA .*refused/);
    } finally {
      await close(server);
    }
  });

  test.concurrent("fails quickly and clearly on a closed port", async () => {
    const pki = await minted;
    const port = await closedPort();
    const client = new HttpsKubernetesClient({ access: parseKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey)), timeoutMs: 3_000 });
    const started = Date.now();
    await expect(client.nodes()).rejects.toThrow(`GET /api/v1/nodes: connection refused by 127.0.0.1:${port}`);
    // Refused, not timed out (the message says so); the bound only proves it does not hang.
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  test.concurrent("fails at the deadline when the server accepts but never answers", async () => {
    const pki = await minted;
    const net = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    try {
      const client = new HttpsKubernetesClient({ access: parseKubeconfig(kubeconfigYaml(`https://127.0.0.1:${port}`, pki.ca, pki.clientCert, pki.clientKey)), timeoutMs: 300 });
      await expect(client.serverVersion()).rejects.toThrow(`GET /version: no answer from 127.0.0.1:${port} within 0.3 s`);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await close(silent);
    }
  });
});
