/**
 * One HTTPS request with a hard deadline (node:https, no agent, no
 * keep-alive), for the adapters that talk to an API directly: Kubernetes
 * and Proxmox. A failure is one line: refused, unreachable, no answer within
 * the deadline, or a certificate the caller's trust does not accept (with
 * the caller's own fix).
 */
import * as https from "node:https";

export interface HttpsCall {
  /**
   * A name or an address as `URL.hostname` gives it: an IPv6 address in
   * brackets (`[fd00::10]`) or without. The brackets are URL syntax: the
   * connection gets the bare address (with them, Node looks the text up as a
   * name and fails with ENOTFOUND); messages show them, as `[fd00::10]:8006`.
   */
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly method: "GET" | "POST";
  readonly headers?: Readonly<Record<string, string>>;
  /** TLS: the CA to trust, a client certificate, and whether to verify at all. */
  readonly tls: Pick<https.RequestOptions, "ca" | "cert" | "key" | "rejectUnauthorized">;
  readonly timeoutMs: number;
  /** What every failure message starts with, e.g. `GET /readyz`. */
  readonly label: string;
  /** The message for a certificate the trust above does not accept, given the error code. */
  readonly untrusted: (code: string) => string;
}

export interface HttpsAnswer {
  readonly status: number;
  /** The reason phrase (Proxmox puts its error there). */
  readonly statusMessage: string;
  readonly body: string;
}

export function httpsCall(call: HttpsCall): Promise<HttpsAnswer> {
  const host = call.host.replace(/^\[(.*)\]$/, "$1");
  const where = `${host.includes(":") ? `[${host}]` : host}:${call.port}`;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (error: Error | undefined, answer?: HttpsAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(answer!);
    };
    const request = https.request(
      { host, port: call.port, path: call.path, method: call.method, headers: call.headers, agent: false, ...call.tls },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", (error) => finish(new Error(`${call.label}: ${error.message}`)));
        response.on("end", () =>
          finish(undefined, { status: response.statusCode ?? 0, statusMessage: response.statusMessage ?? "", body: Buffer.concat(chunks).toString("utf8") }),
        );
      },
    );
    const timer = setTimeout(() => {
      finish(new Error(`${call.label}: no answer from ${where} within ${call.timeoutMs / 1000} s`));
      request.destroy();
    }, call.timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => finish(new Error(`${call.label}: ${describeNetworkError(error, where, call.untrusted)}`)));
    request.end();
  });
}

const UNTRUSTED_CODES = new Set(["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "SELF_SIGNED_CERT_IN_CHAIN", "DEPTH_ZERO_SELF_SIGNED_CERT", "CERT_SIGNATURE_FAILURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"]);

/** One line for the usual failures: refused, unreachable, an untrusted certificate, one for another name. */
export function describeNetworkError(error: NodeJS.ErrnoException, host: string, untrusted: (code: string) => string): string {
  const code = error.code ?? "";
  if (code === "ECONNREFUSED") return `connection refused by ${host}`;
  if (code === "EHOSTUNREACH" || code === "ENETUNREACH") return `${host} is unreachable`;
  if (code === "ETIMEDOUT") return `connection to ${host} timed out`;
  if (UNTRUSTED_CODES.has(code)) return untrusted(code);
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `the server's certificate is not valid for ${host}: refused`;
  return code ? `${code} ${error.message}` : error.message;
}
