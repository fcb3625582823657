// A stand-in API server for .ci/netns-vip-test.sh: completes a TLS handshake
// on 0.0.0.0:PORT and closes the connection. Run inside a network namespace.
//   node .ci/netns-tls-server.js KEY_PEM CERT_PEM [PORT]
"use strict";
const fs = require("node:fs");
const tls = require("node:tls");

const [keyFile, certFile, port = "6443"] = process.argv.slice(2);
const server = tls.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (socket) => {
  socket.on("error", () => undefined);
  socket.end();
});
// Probes cut off by their deadline or by the test's link changes reset handshakes: expected.
server.on("tlsClientError", () => undefined);
server.listen(Number(port), "0.0.0.0", () => console.log(`listening on 0.0.0.0:${port}`));
process.on("SIGTERM", () => process.exit(0));
