// A stand-in API server for .ci/netns-vip-test.sh and .ci/netns-keepalived-test.sh:
// HTTPS on 0.0.0.0:PORT. A client that only completes the TLS handshake (the
// drill's probe) is served like any other. GET /readyz answers 200 "ok", or 500
// while NOT_READY_FILE exists (the test creates it to make this "API server"
// lose readiness, as one does whose etcd has no quorum); any other path is 404.
// Run inside a network namespace.
//   node .ci/netns-tls-server.js KEY_PEM CERT_PEM [PORT] [NOT_READY_FILE]
"use strict";
const fs = require("node:fs");
const https = require("node:https");

const [keyFile, certFile, port = "6443", notReadyFile] = process.argv.slice(2);
const server = https.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (req, res) => {
  if (req.url === "/readyz") {
    const ready = notReadyFile === undefined || !fs.existsSync(notReadyFile);
    res.writeHead(ready ? 200 : 500, { "content-type": "text/plain", connection: "close" });
    res.end(ready ? "ok" : "[-]etcd failed: reason withheld\nreadyz check failed");
    return;
  }
  res.writeHead(404, { connection: "close" });
  res.end();
});
// Probes cut off by their deadline or by the test's link changes reset handshakes: expected.
server.on("tlsClientError", () => undefined);
server.on("clientError", (_err, socket) => socket.destroy());
server.listen(Number(port), "0.0.0.0", () => console.log(`listening on 0.0.0.0:${port}`));
process.on("SIGTERM", () => process.exit(0));
