/**
 * A fake `terraform` for `npm run secrets`: a POSIX shell script that logs
 * every call to $FAKE_TF_LOG as fake-terraform-plan.ts's does (read it with
 * fakeTerraformCalls) and answers as terraform would, talking to nothing:
 *
 * - `state pull` prints the file $FAKE_TF_STATE (nothing when it is not
 *   there: an empty state);
 * - `import ADDRESS FILE` logs whether FILE is there, then stands in for the
 *   provider: copies $FAKE_TF_IMPORTED (a state file the test made from the
 *   bundle) to $FAKE_TF_STATE and prints "Import successful!"; exits
 *   $FAKE_TF_IMPORT_CODE (default 0).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { MachineSecrets } from "../../ops/secrets-bundle";

export function writeFakeTerraformState(binDir: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  const script = `#!/bin/sh
PATH=/usr/bin:/bin
{ echo "--- call"; echo "cwd $(pwd)"; echo "checkpoint $CHECKPOINT_DISABLE"; for a in "$@"; do echo "arg $a"; done; } >> "$FAKE_TF_LOG"
case "$1" in
  state)
    if [ "$2" = pull ]; then
      if [ -f "$FAKE_TF_STATE" ]; then exec cat "$FAKE_TF_STATE"; fi
      exit 0
    fi ;;
  import)
    for a in "$@"; do last=$a; done
    if [ -f "$last" ]; then echo "bundle present" >> "$FAKE_TF_LOG"; fi
    code=\${FAKE_TF_IMPORT_CODE:-0}
    if [ "$code" = 0 ] && [ -n "$FAKE_TF_IMPORTED" ]; then cp "$FAKE_TF_IMPORTED" "$FAKE_TF_STATE"; echo "Import successful!"; fi
    exit "$code" ;;
esac
echo "fake terraform: $* is not faked" >&2
exit 1
`;
  fs.writeFileSync(path.join(binDir, "terraform"), script, { mode: 0o755 });
}

/** A `terraform state pull` JSON holding these machine secrets at `talos_machine_secrets.<name>`. */
export function stateWithSecrets(name: string, secrets: MachineSecrets, talosVersion: string): string {
  return JSON.stringify({
    version: 4,
    terraform_version: "1.11.0",
    serial: 1,
    lineage: "00000000-0000-0000-0000-000000000000",
    outputs: {},
    resources: [
      {
        mode: "managed",
        type: "talos_machine_secrets",
        name,
        provider: 'provider["registry.terraform.io/siderolabs/talos"]',
        instances: [{ schema_version: 1, attributes: { id: "machine_secrets", talos_version: talosVersion, machine_secrets: secrets, client_configuration: {} } }],
      },
    ],
  });
}

const b64 = (text: string) => Buffer.from(`-----BEGIN ${text}-----\n`).toString("base64");

/** Machine secrets shaped like the provider's (base64 of PEM, tokens, a URL-safe cluster id), every value distinct, none real. */
export const SECRETS_FIXTURE: MachineSecrets = {
  cluster: { id: "cgvh-_test_cluster_id_0123456789abcdefABCDEF=", secret: "Wiu0+test/cluster/secret/0123456789abcdefAB=" },
  secrets: { bootstrap_token: "2psnp2.lry8e9gycdix3bpa", secretbox_encryption_secret: "6zWB+test/secretbox/0123456789abcdefABCDEF0=", aescbc_encryption_secret: null },
  trustdinfo: { token: "oamejv.9tk1nhuwnlc2nghf" },
  certs: {
    etcd: { cert: b64("ETCD CA CERTIFICATE"), key: b64("ETCD CA KEY") },
    k8s: { cert: b64("KUBERNETES CA CERTIFICATE"), key: b64("KUBERNETES CA KEY") },
    k8s_aggregator: { cert: b64("AGGREGATOR CA CERTIFICATE"), key: b64("AGGREGATOR CA KEY") },
    k8s_serviceaccount: { key: b64("SERVICE ACCOUNT KEY") },
    os: { cert: b64("TALOS OS CA CERTIFICATE"), key: b64("TALOS OS CA KEY") },
  },
};

/** Every secret value of SECRETS_FIXTURE: none may appear in anything a command prints. */
export const FIXTURE_VALUES: readonly string[] = [
  SECRETS_FIXTURE.cluster.id!,
  SECRETS_FIXTURE.cluster.secret!,
  SECRETS_FIXTURE.secrets.bootstrap_token!,
  SECRETS_FIXTURE.secrets.secretbox_encryption_secret!,
  SECRETS_FIXTURE.trustdinfo.token!,
  ...Object.values(SECRETS_FIXTURE.certs).flatMap((pair) => Object.values(pair) as string[]),
];
