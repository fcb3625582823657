/**
 * Runs the "VIP answers" script for real, against TLS and plain TCP servers
 * on 127.0.0.1 (loopback only), exactly as the null_resource runs it:
 * `node -e <script>` with the target in the environment.
 */
import { execFile } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";
import { generate } from "selfsigned";
import { WAIT_FOR_TLS_SCRIPT, waitForTlsEnvironment } from "../constructs";

function runWait(port: number, timeoutSeconds: number): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["-e", WAIT_FOR_TLS_SCRIPT],
      { env: { ...waitForTlsEnvironment("127.0.0.1", port, timeoutSeconds), RETRY_SECONDS: "0.2" }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as net.AddressInfo).port)));
}

/** A TLS server with a throwaway self-signed certificate, minted in memory for this test. */
async function selfSignedServer(): Promise<tls.Server> {
  const pems = await generate([{ name: "commonName", value: "localhost" }], { keyType: "ec", algorithm: "sha256" });
  return tls.createServer({ key: pems.private, cert: pems.cert });
}

/** A loopback port that nothing listens on (bound once to find it, then released). */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("wait-for-TLS script", () => {
  test("exits 0 once the port completes a TLS handshake", async () => {
    // GIVEN a TLS server that only starts listening after a delay
    const server = await selfSignedServer();
    const port = await freePort();
    setTimeout(() => server.listen(port, "127.0.0.1"), 600);
    try {
      // WHEN the script waits for it
      const result = await runWait(port, 10);
      // THEN it succeeds after retrying
      expect(result.stderr).toBe("");
      expect(result).toMatchObject({ code: 0, stdout: `127.0.0.1:${port} answers TLS\n` });
    } finally {
      server.close();
    }
  });

  test("fails with a clear message when nothing answers before the timeout", async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await runWait(port, 1);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} gave no TLS handshake in time \\(last: ECONNREFUSED\\)`));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test("fails when the port speaks plain TCP but never TLS", async () => {
    const plain = net.createServer((socket) => socket.end("HTTP/1.0 400 nope\r\n\r\n"));
    const port = await listen(plain);
    try {
      const result = await runWait(port, 1);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/gave no TLS handshake in time/);
    } finally {
      plain.close();
    }
  });
});

test("the script holds no Terraform template syntax, so Terraform passes it through verbatim", () => {
  expect(WAIT_FOR_TLS_SCRIPT).not.toMatch(/\$\{|%\{/);
});
