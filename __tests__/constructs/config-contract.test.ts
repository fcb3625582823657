/**
 * The node OS version apart from the machine-configuration contract (issue
 * "Run current Talos"): Talos 1.14 nodes on the 1.13 contract the pinned
 * provider generates, and a contract that never moves under a running cluster.
 */
import { defaultContract, formatProblem, resolveClusterSpec, validateClusterSpec } from "../../domain";
import { renderReview } from "../../review/render-review";
import { diffStacks } from "../../review/resource-diff";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { warningsOf } from "../support/review-sections";
import { blocksOf, synthHomelab } from "../support/synth";

const TALOS_114 = { talosVersion: "v1.14.7", kubernetesVersion: "v1.37.0" };

describe("the default contract", () => {
  test.each([
    ["v1.11.6", "v1.11"],
    ["v1.13.9", "v1.13"],
    ["v1.14.7", "v1.13"],
  ])("for Talos %s nodes is %s (capped at what provider 0.11.0 generates)", (talosVersion, contract) => {
    expect(defaultContract(talosVersion)).toBe(contract);
  });
});

describe("a Talos 1.14.7 cluster", () => {
  const { json } = synthHomelab({ cluster: TALOS_114 });

  test("is accepted, with Kubernetes 1.37 (Talos 1.14 runs 1.32 to 1.37; provider 0.11.0 checks no Kubernetes compatibility)", () => {
    expect(validateClusterSpec(resolveClusterSpec(TALOS_114))).toEqual([]);
  });

  test("creates its secrets for the 1.13 contract, which the machine configuration reads back", () => {
    const [[secretsName, secrets]] = blocksOf(json, "talos_machine_secrets");
    expect(secrets.talos_version).toBe("v1.13");
    const [[, configuration]] = blocksOf(json, "talos_machine_configuration", "data");
    expect(configuration.talos_version).toBe(`\${talos_machine_secrets.${secretsName}.talos_version}`);
  });

  test("renders the 1.13 patch form (documents) and downloads the 1.14.7 image and installer", () => {
    const [[, apply]] = blocksOf(json, "talos_machine_configuration_apply");
    expect((apply.config_patches as string[]).join("\n")).toContain("kind: Layer2VIPConfig");
    const [[, download]] = blocksOf(json, "proxmox_download_file");
    expect(download.url).toMatch(/\/v1\.14\.7\/nocloud-amd64\.qcow2$/);
    const [[, configuration]] = blocksOf(json, "talos_machine_configuration", "data");
    expect((configuration.config_patches as string[]).join("\n")).toMatch(/image: factory\.talos\.dev\/nocloud-installer\/\$\{[^}]+\}:v1\.14\.7/);
  });

  test("refuses Kubernetes 1.37 on 1.13 nodes", () => {
    expect(validateClusterSpec(resolveClusterSpec({ kubernetesVersion: "v1.37.0" })).map(formatProblem)).toEqual([
      'kubernetesVersion = "v1.37.0": Talos 1.13 supports Kubernetes 1.31 to 1.36; pick a version in that range',
    ]);
  });
});

describe("an OS upgrade from v1.13.9 to v1.14.7 in review", () => {
  const base = synthHomelab({ cluster: { kubernetesVersion: "v1.36.3" } }).json as TerraformJson;
  const head = synthHomelab({ cluster: { talosVersion: "v1.14.7", kubernetesVersion: "v1.36.3" } }).json as TerraformJson;

  test("changes the image and the installer, not the contract", () => {
    const [[, before]] = blocksOf(base as never, "talos_machine_configuration", "data");
    const [[, after]] = blocksOf(head as never, "talos_machine_configuration", "data");
    expect(after.talos_version).toBe(before.talos_version);
    expect(stackModel(head).configContract).toBe("creation");
    const changed = diffStacks(base, head).changed.map(({ type }) => type);
    expect(changed).toContain("proxmox_download_file");
    expect(renderReview({ head, base: { json: base, label: "main" } })).not.toContain("machine-configuration contract changes");
  });
});

describe("pinning a different contract on a running cluster", () => {
  test("is the first warning of the review", () => {
    const base = synthHomelab({ cluster: { talosVersion: "v1.13.9", configContract: "v1.12" } }).json as TerraformJson;
    const head = synthHomelab({ cluster: { talosVersion: "v1.13.9", configContract: "v1.13" } }).json as TerraformJson;
    const review = renderReview({ head, base: { json: base, label: "main" } });
    const warnings = warningsOf(review);
    expect(warnings[0]).toMatch(/^- The machine-configuration contract changes from v1\.12 to v1\.13 under a running cluster: .* etcd secret encryption broke after moving to Talos 1\.14 \(siderolabs\/talos issue 13885\)/);
  });

  test("a pinned contract is passed as it is, and picks the patch form", () => {
    const { json } = synthHomelab({ cluster: { talosVersion: "v1.12.11", kubernetesVersion: "v1.35.2", configContract: "v1.11" } });
    const [[, configuration]] = blocksOf(json, "talos_machine_configuration", "data");
    expect(configuration.talos_version).toBe("v1.11");
    const [[, apply]] = blocksOf(json, "talos_machine_configuration_apply");
    expect((apply.config_patches as string[]).join("\n")).toContain("deviceSelector");
  });
});

describe("the node patches' form and the contract in the state", () => {
  const preconditionsOf = (cluster: Parameters<typeof resolveClusterSpec>[0]) => {
    const { json } = synthHomelab({ cluster });
    const [[, configuration]] = blocksOf(json, "talos_machine_configuration", "data");
    const [[secretsName]] = blocksOf(json, "talos_machine_secrets");
    return { secretsName, preconditions: ((configuration.lifecycle as { precondition?: { condition: string; error_message: string }[] } | undefined)?.precondition ?? []) };
  };

  test("with the contract read from the state, the plan checks it takes the patches' form (1.12 and 1.13 alike)", () => {
    // GIVEN Talos 1.12 nodes and no configContract
    const { secretsName, preconditions } = preconditionsOf({ talosVersion: "v1.12.11", kubernetesVersion: "v1.35.2" });
    // THEN the control planes' machine configuration carries one precondition on the secrets' talos_version
    expect(preconditions).toEqual([
      {
        condition: `\${contains(["v1.12","v1.13"], talos_machine_secrets.${secretsName}.talos_version)}`,
        error_message: expect.stringContaining(`Set configContract: \${talos_machine_secrets.${secretsName}.talos_version} in the configuration`),
      },
    ]);
  });

  test("a 1.11 cluster's check accepts only the 1.11 form", () => {
    expect(preconditionsOf({ talosVersion: "v1.11.6", kubernetesVersion: "v1.34.1" }).preconditions[0].condition).toMatch(/^\$\{contains\(\["v1\.11"\], /);
  });

  test("with configContract pinned there is nothing to check: configuration and patches share it", () => {
    expect(preconditionsOf({ talosVersion: "v1.12.11", kubernetesVersion: "v1.35.2", configContract: "v1.11" }).preconditions).toEqual([]);
  });
});

describe("the precondition's advice", () => {
  test("names the state's contract when this project renders it, and says where to find the real one when not (an imported bundle's v1.3)", () => {
    const { json } = synthHomelab({ cluster: { talosVersion: "v1.12.11", kubernetesVersion: "v1.35.2" } });
    const [[, configuration]] = blocksOf(json, "talos_machine_configuration", "data");
    const [{ error_message: message }] = (configuration.lifecycle as { precondition: { error_message: string }[] }).precondition;
    expect(message).toMatch(/^\$\{contains\(\["v1\.11","v1\.12","v1\.13"\], talos_machine_secrets\.\S+\.talos_version\) \? "This cluster's machine configuration/);
    expect(message).toContain("Set configContract: ${talos_machine_secrets.");
    expect(message).toContain("is not a contract this project renders (an imported secrets bundle reads v1.3): set configContract to the contract the cluster really uses");
  });
});
