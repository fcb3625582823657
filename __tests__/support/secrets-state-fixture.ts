/**
 * The Terraform state a `npm run secrets` test starts from: machine secrets
 * shaped like the provider's, as `terraform state pull` prints them (the fake
 * terraform that prints them is fake-terraform.ts's).
 */
import type { MachineSecrets } from "../../ops/secrets-bundle";

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
