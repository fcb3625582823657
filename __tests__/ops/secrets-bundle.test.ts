/**
 * The Talos secrets bundle, both ways (ops/secrets-bundle.ts): the YAML
 * `talosctl gen secrets` writes (go-yaml's 4-space indent, the Bundle's field
 * order, omitempty encryption secrets), read back as the provider's import
 * will hold it, and the facts of a synthesized stack and a pulled state.
 */
import { adoptContract, configFileHint } from "../../ops/cli/secrets";
import { MachineSecrets, bundleHeader, goYamlQuotes, machineSecretsProblems, parseSecretsBundle, renderSecretsBundle, stackSecretsFacts, stateSecrets } from "../../ops/secrets-bundle";
import { FIXTURE_VALUES, SECRETS_FIXTURE, stateWithSecrets } from "../support/secrets-state-fixture";
import { synthHomelab } from "../support/synth";

const s = SECRETS_FIXTURE;
const withSecrets = (secrets: Partial<MachineSecrets["secrets"]>): MachineSecrets => ({ ...s, secrets: { ...s.secrets, ...secrets } });

describe("renderSecretsBundle", () => {
  test("writes the bundle as talosctl gen secrets does: sections and fields in the Bundle's order, 4-space indent, plain base64", () => {
    expect(renderSecretsBundle(s)).toBe(
      [
        "cluster:",
        `    id: ${s.cluster.id}`,
        `    secret: ${s.cluster.secret}`,
        "secrets:",
        `    bootstraptoken: ${s.secrets.bootstrap_token}`,
        `    secretboxencryptionsecret: ${s.secrets.secretbox_encryption_secret}`,
        "trustdinfo:",
        `    token: ${s.trustdinfo.token}`,
        "certs:",
        "    etcd:",
        `        crt: ${s.certs.etcd.cert}`,
        `        key: ${s.certs.etcd.key}`,
        "    k8s:",
        `        crt: ${s.certs.k8s.cert}`,
        `        key: ${s.certs.k8s.key}`,
        "    k8saggregator:",
        `        crt: ${s.certs.k8s_aggregator.cert}`,
        `        key: ${s.certs.k8s_aggregator.key}`,
        "    k8sserviceaccount:",
        `        key: ${s.certs.k8s_serviceaccount.key}`,
        "    os:",
        `        crt: ${s.certs.os.cert}`,
        `        key: ${s.certs.os.key}`,
        "",
      ].join("\n"),
    );
  });

  test("an AES-CBC bundle (contract v1.2) writes aescbcencryptionsecret where the Bundle declares it, and no empty secretbox", () => {
    // GIVEN the provider's state of an imported v1.2 bundle: secretbox "" beside the AES-CBC secret
    const text = renderSecretsBundle(withSecrets({ aescbc_encryption_secret: "aesc+test/secret/0123456789abcdefABCDEF012=", secretbox_encryption_secret: "" }));
    expect(text).toContain(`secrets:\n    bootstraptoken: ${s.secrets.bootstrap_token}\n    aescbcencryptionsecret: aesc+test/secret/0123456789abcdefABCDEF012=\ntrustdinfo:\n`);
    expect(text).not.toContain("secretbox");
  });

  test("the header comes first: what the file is, and the contract on its own comment line", () => {
    const text = renderSecretsBundle(s, bundleHeader("lab", "v1.11"));
    expect(text.split("\n").slice(0, 3)).toEqual(["# Talos secrets bundle of cluster lab, from npm run secrets -- export: keep it offline or encrypted", "# configContract: v1.11", "cluster:"]);
  });

  test.each([
    ["123456.7890123456", true],
    ["1234567890", true],
    ["0x1F", true],
    ["1e10", true],
    ["yes", true],
    ["null", true],
    ["2024-01-02", true],
    ["2psnp2.lry8e9gycdix3bpa", false],
    ["-abc_def=", false],
    ["LS0tLS1CRUdJTi==", false],
  ])("quotes %s as go-yaml does: %s", (value, quoted) => {
    expect(goYamlQuotes(value)).toBe(quoted);
    const text = renderSecretsBundle({ ...s, trustdinfo: { token: value } });
    expect(text).toContain(`    token: ${quoted ? `"${value}"` : value}\n`);
    expect(parseSecretsBundle(text).secrets.trustdinfo.token).toBe(value);
  });

  test("fails on the placeholders a stand-in provider stores (both encryption secrets), naming fields and no value", () => {
    expect(() => renderSecretsBundle(withSecrets({ aescbc_encryption_secret: "aesc+test/secret/0123456789abcdefABCDEF012=" }))).toThrow(
      /both of secrets\.aescbcencryptionsecret and secrets\.secretboxencryptionsecret are set/,
    );
  });

  test("fails on a missing value or one no bundle holds, naming the field only", () => {
    const broken: MachineSecrets = { ...s, certs: { ...s.certs, os: { cert: null, key: "not base64: a secret" } } };
    let message = "";
    try {
      renderSecretsBundle(broken);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/certs\.os\.crt is missing; certs\.os\.key is not base64 or a token/);
    expect(message).not.toContain("a secret");
    expect(machineSecretsProblems(s)).toEqual([]);
  });
});

describe("parseSecretsBundle", () => {
  test("reads back what export writes: the same secrets, and the contract from the comment", () => {
    const parsed = parseSecretsBundle(renderSecretsBundle(s, bundleHeader("homelab", "v1.13")));
    expect(parsed).toEqual({ secrets: s, contract: "v1.13" });
    expect(renderSecretsBundle(parsed.secrets)).toBe(renderSecretsBundle(s));
  });

  test("a bundle talosctl wrote has no contract", () => {
    expect(parseSecretsBundle(renderSecretsBundle(s)).contract).toBeUndefined();
  });

  test("fails with every problem at once: an unknown key, a missing section, both encryption secrets; no value in the message", () => {
    const text = renderSecretsBundle(s)
      .replace(/^trustdinfo:\n {4}token: .*\n/m, "")
      .replace("secrets:\n", `secrets:\n    aescbcencryptionsecret: aesc+test/secret/0123456789abcdefABCDEF012=\n    extra: x\n`);
    let message = "";
    try {
      parseSecretsBundle(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split("\n")).toEqual([
      "secrets.extra is not a field of a Talos secrets bundle (the provider's import would drop it)",
      "trustdinfo.token is missing",
      expect.stringMatching(/^both of secrets\.aescbcencryptionsecret and secrets\.secretboxencryptionsecret are set/),
    ]);
    for (const value of FIXTURE_VALUES) expect(message).not.toContain(value);
  });

  test("fails on a file that is not a bundle", () => {
    expect(() => parseSecretsBundle("- a\n- list\n")).toThrow(/not a Talos secrets bundle/);
    expect(() => parseSecretsBundle("cluster: [\n")).toThrow(/^not YAML/);
  });
});

describe("stackSecretsFacts", () => {
  test("the reference homelab reads its contract from the state: nothing pinned", () => {
    const facts = stackSecretsFacts(synthHomelab().json);
    expect(facts).toEqual({ address: expect.stringMatching(/^talos_machine_secrets\.ControlPlane_Secrets_[0-9A-F]{8}$/) });
  });

  test("with configContract set, the configuration pins it", () => {
    expect(stackSecretsFacts(synthHomelab({ cluster: { configContract: "v1.12" } }).json).pinnedContract).toBe("v1.12");
  });

  test("fails on a stack without exactly one machine secrets resource", () => {
    expect(() => stackSecretsFacts({ resource: {} })).toThrow(/0 talos_machine_secrets resources, expected one/);
  });
});

describe("stateSecrets", () => {
  test("an empty state holds nothing", () => {
    expect(stateSecrets("", "talos_machine_secrets.x")).toEqual({ addresses: [] });
  });

  test("finds the secrets at the stack's address, with the state's talos_version", () => {
    expect(stateSecrets(stateWithSecrets("x", s, "v1.3"), "talos_machine_secrets.x")).toEqual({
      addresses: ["talos_machine_secrets.x"],
      atAddress: { secrets: s, talosVersion: "v1.3", schemaVersion: 1 },
    });
  });

  test("names secrets held at another address", () => {
    expect(stateSecrets(stateWithSecrets("old", s, "v1.13"), "talos_machine_secrets.x")).toEqual({ addresses: ["talos_machine_secrets.old"] });
  });
});

describe("adoptContract", () => {
  const stack = { stackId: "lab", where: "cdktf.out/stacks/lab" };
  const adopt = (given: Parameters<typeof adoptContract>[0]) => adoptContract(given, "s.yaml", stack, "lab.yaml");

  test("takes the contract from --contract, the bundle's comment or the configuration, and needs the configuration to pin it", () => {
    expect(adopt({ flag: "v1.11", pinned: "v1.11" })).toEqual({ contract: "v1.11" });
    expect(adopt({ comment: "v1.13", pinned: "v1.13" })).toEqual({ contract: "v1.13" });
    expect(adopt({ pinned: "v1.12" })).toEqual({ contract: "v1.12" });
  });

  test("fails without a contract, asking for --contract", () => {
    expect(adopt({})).toEqual({ problem: expect.stringMatching(/^which config contract does the cluster use\? The import writes talos_version v1.3 .* Give --contract vX\.Y/) });
  });

  test("fails when the configuration does not pin it, with the exact line to add and where", () => {
    expect(adopt({ comment: "v1.13" })).toEqual({
      problem: expect.stringContaining("Pin the cluster's contract (v1.13, from s.yaml's configContract comment) first: add the line\n    configContract: v1.13\n  to lab.yaml, run npm run synth, then run this again"),
    });
    expect(adopt({ flag: "v1.11", pinned: "v1.13" })).toEqual({ problem: expect.stringMatching(/pins configContract: v1.13, but the cluster's contract is v1.11 \(from --contract\): set configContract: v1.11 in lab.yaml/) });
  });

  test("fails when --contract and the bundle disagree, or the contract is not one the project renders", () => {
    expect(adopt({ flag: "v1.12", comment: "v1.13", pinned: "v1.12" })).toEqual({ problem: expect.stringMatching(/^--contract v1.12, but s.yaml says configContract: v1.13/) });
    expect(adopt({ flag: "v1.3" })).toEqual({ problem: expect.stringMatching(/renders node patches for the contracts v1.11, v1.12, v1.13, not v1.3/) });
    expect(adopt({ flag: "1.13" })).toEqual({ problem: expect.stringMatching(/1.13 is not a contract: write it as vMAJOR.MINOR/) });
  });

  test("names where to pin it as HOMELAB_CONFIG does", () => {
    expect(configFileHint("lab", undefined, false)).toMatch(/^a configuration file \(the reference homelab has none/);
    expect(configFileHint("lab", "clusters", true)).toBe("cluster lab's file in clusters");
    expect(configFileHint("lab", "lab.yaml", false)).toBe("lab.yaml");
  });
});
