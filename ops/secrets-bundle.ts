/**
 * The cluster's machine secrets as a Talos secrets bundle: the YAML
 * `talosctl gen secrets` writes and `talosctl gen config --with-secrets` and
 * the talos provider's `terraform import talos_machine_secrets.<name> FILE`
 * read (siderolabs/talos pkg/machinery/config/generate/secrets: `Bundle`,
 * marshalled by go-yaml with its 4-space indent; the certificates and keys
 * base64 of their PEM, as the provider also keeps them in the state). Pure:
 * `npm run secrets` (ops/cli/secrets.ts) reads and writes the files.
 *
 * No message here ever holds a secret value: problems name the field only.
 */
import { parse as parseYaml } from "yaml";
import { TALOS_RELEASES, talosRelease } from "../domain/talos-versions";

/** The provider's `machine_secrets` attribute, as the state holds it (terraform-provider-talos pkg/talos/talos_machine_secrets_resource.go). */
export interface MachineSecrets {
  readonly cluster: { readonly id: string | null; readonly secret: string | null };
  readonly secrets: { readonly bootstrap_token: string | null; readonly secretbox_encryption_secret: string | null; readonly aescbc_encryption_secret: string | null };
  readonly trustdinfo: { readonly token: string | null };
  readonly certs: {
    readonly etcd: CertAndKey;
    readonly k8s: CertAndKey;
    readonly k8s_aggregator: CertAndKey;
    readonly k8s_serviceaccount: { readonly key: string | null };
    readonly os: CertAndKey;
  };
}

interface CertAndKey {
  readonly cert: string | null;
  readonly key: string | null;
}

/**
 * Every value of the bundle, in the order go-yaml writes Talos's `Bundle`
 * (its struct fields' order), with where the provider keeps it: the one
 * table both directions use. The two encryption secrets are `omitempty`:
 * a bundle holds exactly one (AES-CBC before contract v1.3, secretbox since).
 */
const FIELDS: readonly { readonly yaml: readonly string[]; readonly state: readonly string[]; readonly optional?: true }[] = [
  { yaml: ["cluster", "id"], state: ["cluster", "id"] },
  { yaml: ["cluster", "secret"], state: ["cluster", "secret"] },
  { yaml: ["secrets", "bootstraptoken"], state: ["secrets", "bootstrap_token"] },
  { yaml: ["secrets", "aescbcencryptionsecret"], state: ["secrets", "aescbc_encryption_secret"], optional: true },
  { yaml: ["secrets", "secretboxencryptionsecret"], state: ["secrets", "secretbox_encryption_secret"], optional: true },
  { yaml: ["trustdinfo", "token"], state: ["trustdinfo", "token"] },
  { yaml: ["certs", "etcd", "crt"], state: ["certs", "etcd", "cert"] },
  { yaml: ["certs", "etcd", "key"], state: ["certs", "etcd", "key"] },
  { yaml: ["certs", "k8s", "crt"], state: ["certs", "k8s", "cert"] },
  { yaml: ["certs", "k8s", "key"], state: ["certs", "k8s", "key"] },
  { yaml: ["certs", "k8saggregator", "crt"], state: ["certs", "k8s_aggregator", "cert"] },
  { yaml: ["certs", "k8saggregator", "key"], state: ["certs", "k8s_aggregator", "key"] },
  { yaml: ["certs", "k8sserviceaccount", "key"], state: ["certs", "k8s_serviceaccount", "key"] },
  { yaml: ["certs", "os", "crt"], state: ["certs", "os", "cert"] },
  { yaml: ["certs", "os", "key"], state: ["certs", "os", "key"] },
];

const ENCRYPTION = ["secrets.aescbcencryptionsecret", "secrets.secretboxencryptionsecret"];

/** What a bundle value may hold: base64 (standard or URL-safe) and the tokens' `abcdef.0123456789abcdef`. */
const BUNDLE_VALUE = /^[A-Za-z0-9+/=._-]+$/;

/** The comment line export writes above the bundle, and adopt reads back. */
const CONTRACT_COMMENT = /^#\s*configContract:\s*(\S+)\s*$/;

function valueAt(root: unknown, keys: readonly string[]): unknown {
  let node = root;
  for (const key of keys) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const present = (value: unknown): value is string => typeof value === "string" && value !== "";

/**
 * Whether go-yaml would quote this string: it writes a string plain unless,
 * read back plain, it would be another type (go-yaml resolve.go: null, bool,
 * YAML 1.1's yes/no/on/off, int in any base, float, .inf/.nan, a date).
 */
export function goYamlQuotes(value: string): boolean {
  return (
    /^(|~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|<<)$/.test(value) ||
    /^[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)$/.test(value) ||
    /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/.test(value) ||
    /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/.test(value) ||
    /^\d{4}-\d{1,2}-\d{1,2}$/.test(value)
  );
}

/** Why these machine secrets do not make a bundle the provider's import accepts: the fields, never their values. */
export function machineSecretsProblems(secrets: MachineSecrets): string[] {
  const problems: string[] = [];
  for (const field of FIELDS) {
    const value = valueAt(secrets, field.state);
    const name = field.yaml.join(".");
    if (!present(value)) {
      if (!field.optional) problems.push(`${name} is missing`);
    } else if (!BUNDLE_VALUE.test(value)) {
      problems.push(`${name} is not base64 or a token`);
    }
  }
  const encryption = FIELDS.filter((field) => field.optional && present(valueAt(secrets, field.state)));
  if (encryption.length !== 1) {
    problems.push(`${encryption.length === 0 ? "neither" : "both"} of ${ENCRYPTION.join(" and ")} ${encryption.length === 0 ? "is set" : "are set"}: a bundle holds exactly one (AES-CBC before contract v1.3, secretbox since)`);
  }
  return problems;
}

/** The header export writes: what the file is, and the contract adopt pins. Comments: Talos and the provider read past them. */
export function bundleHeader(clusterName: string, contract: string): string {
  return `# Talos secrets bundle of cluster ${clusterName}, from npm run secrets -- export: keep it offline or encrypted\n# configContract: ${contract}\n`;
}

/**
 * The bundle YAML, byte for byte as `talosctl gen secrets` writes it
 * (go-yaml: 4-space indent, plain scalars, `omitempty` encryption secrets),
 * after `header`. Throws the problems (field names only) when the secrets
 * do not make a valid bundle.
 */
export function renderSecretsBundle(secrets: MachineSecrets, header = ""): string {
  const problems = machineSecretsProblems(secrets);
  if (problems.length > 0) throw new Error(`the machine secrets do not make a Talos secrets bundle: ${problems.join("; ")}`);
  const lines: string[] = [];
  let open: readonly string[] = [];
  for (const field of FIELDS) {
    const value = valueAt(secrets, field.state);
    if (!present(value)) continue;
    const parents = field.yaml.slice(0, -1);
    let shared = 0;
    while (shared < open.length && shared < parents.length && open[shared] === parents[shared]) shared++;
    for (let depth = shared; depth < parents.length; depth++) lines.push(`${"    ".repeat(depth)}${parents[depth]}:`);
    open = parents;
    lines.push(`${"    ".repeat(parents.length)}${field.yaml[field.yaml.length - 1]}: ${goYamlQuotes(value) ? `"${value}"` : value}`);
  }
  return `${header}${lines.join("\n")}\n`;
}

/** A bundle file as adopt reads it: the secrets as the provider's import will hold them, and the contract export noted, if any. */
export interface ParsedBundle {
  readonly secrets: MachineSecrets;
  /** From the `# configContract: vX.Y` comment export writes; undefined in a bundle talosctl wrote. */
  readonly contract?: string;
}

/**
 * Reads a secrets bundle and checks it as the provider's import needs it
 * (it dereferences every section, so a missing one crashes the import; a key
 * it does not know it silently drops). Throws every problem at once, naming
 * fields, never values.
 */
export function parseSecretsBundle(text: string): ParsedBundle {
  let doc: unknown;
  try {
    // failsafe: every scalar a string, as go-yaml reads them into the Bundle's string fields
    doc = parseYaml(text, { schema: "failsafe", uniqueKeys: true });
  } catch (error) {
    throw new Error(`not YAML: ${(error as Error).message.split("\n")[0]}`);
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not a Talos secrets bundle: expected the sections cluster, secrets, trustdinfo and certs");
  const problems: string[] = [];
  const known = new Set(FIELDS.flatMap((field) => field.yaml.map((_, index) => field.yaml.slice(0, index + 1).join("."))));
  const walk = (node: unknown, prefix: string) => {
    if (node === null || typeof node !== "object" || Array.isArray(node)) return;
    for (const [key, child] of Object.entries(node)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (!known.has(name)) problems.push(`${name} is not a field of a Talos secrets bundle (the provider's import would drop it)`);
      else walk(child, name);
    }
  };
  walk(doc, "");
  const values: Record<string, unknown> = {};
  for (const field of FIELDS) {
    let target = values;
    for (const key of field.state.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    const value = valueAt(doc, field.yaml);
    target[field.state[field.state.length - 1]] = typeof value === "string" && value !== "" ? value : null;
  }
  const secrets = values as unknown as MachineSecrets;
  problems.push(...machineSecretsProblems(secrets));
  if (problems.length > 0) throw new Error(problems.join("\n"));
  const comment = text
    .split("\n")
    .filter((line) => line.startsWith("#"))
    .map((line) => CONTRACT_COMMENT.exec(line)?.[1])
    .find((contract) => contract !== undefined);
  return { secrets, ...(comment !== undefined ? { contract: comment } : {}) };
}

/** Why a contract cannot be pinned (undefined when it can): not `vMAJOR.MINOR`, or one this project renders no patches for. */
export function contractProblem(contract: string): string | undefined {
  if (!/^v\d+\.\d+$/.test(contract)) return `${contract} is not a contract: write it as vMAJOR.MINOR, e.g. v1.13`;
  if (talosRelease(contract) === undefined) return `this project renders node patches for the contracts ${TALOS_RELEASES.map((release) => `v${release.minor}`).join(", ")}, not ${contract}`;
  return undefined;
}

/** What the synthesized stack says about the machine secrets: their address, and the contract its configuration pins, if it does. */
export interface StackSecretsFacts {
  /** `talos_machine_secrets.<name>`. */
  readonly address: string;
  /**
   * The `configContract` the configuration pins (the machine configuration's
   * literal `talos_version`); undefined when it reads the contract from the
   * machine secrets' `talos_version` in the state.
   */
  readonly pinnedContract?: string;
}

/** Reads a stack's cdk.tf.json (parsed) for its one machine secrets resource and its configuration's contract. */
export function stackSecretsFacts(stackJson: unknown): StackSecretsFacts {
  const names = Object.keys((valueAt(stackJson, ["resource", "talos_machine_secrets"]) ?? {}) as object);
  if (names.length !== 1) throw new Error(`the stack has ${names.length} talos_machine_secrets resources, expected one`);
  const address = `talos_machine_secrets.${names[0]}`;
  const versions = ["data", "ephemeral"].flatMap((kind) =>
    Object.values((valueAt(stackJson, [kind, "talos_machine_configuration"]) ?? {}) as Record<string, { talos_version?: unknown }>).map((block) => block.talos_version),
  );
  const literal = versions.filter((version): version is string => typeof version === "string" && !version.includes("${"));
  const pinned = literal.length > 0 && literal.length === versions.length && new Set(literal).size === 1 ? literal[0] : undefined;
  return { address, ...(pinned !== undefined ? { pinnedContract: pinned } : {}) };
}

/** The machine secrets a state holds (`terraform state pull`'s JSON). */
export interface StateSecrets {
  /** Every `talos_machine_secrets` address in the state. */
  readonly addresses: readonly string[];
  /** Those at the stack's address, when the state holds them there. */
  readonly atAddress?: { readonly secrets: MachineSecrets; readonly talosVersion: string | undefined; readonly schemaVersion: number };
}

/** Finds the machine secrets in a pulled state; an empty text is an empty state. */
export function stateSecrets(stateText: string, address: string): StateSecrets {
  if (stateText.trim() === "") return { addresses: [] };
  let state: { resources?: { mode?: string; type?: string; name?: string; module?: string; instances?: { schema_version?: number; attributes?: Record<string, unknown> }[] }[] };
  try {
    state = JSON.parse(stateText);
  } catch {
    throw new Error("terraform state pull printed no JSON state");
  }
  const found = (state.resources ?? []).filter((resource) => resource.mode === "managed" && resource.type === "talos_machine_secrets");
  const addressOf = (resource: (typeof found)[number]) => `${resource.module ? `${resource.module}.` : ""}${resource.type}.${resource.name}`;
  const match = found.find((resource) => addressOf(resource) === address);
  const instance = match?.instances?.[0];
  return {
    addresses: found.map(addressOf),
    ...(instance?.attributes !== undefined
      ? {
          atAddress: {
            secrets: instance.attributes.machine_secrets as MachineSecrets,
            talosVersion: typeof instance.attributes.talos_version === "string" ? instance.attributes.talos_version : undefined,
            schemaVersion: instance.schema_version ?? 0,
          },
        }
      : {}),
  };
}
