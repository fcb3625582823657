import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020, { ValidateFunction } from "ajv/dist/2020";
import { isAlias, parseAllDocuments, parseDocument, visit } from "yaml";
import { VIP_LINK_ALIAS, renderClusterPatches, renderNodePatches, renderWorkerNodePatches, renderWorkerPatches } from "../../domain/talos-patches";
import { TALOS_RELEASES, TalosRelease } from "../../domain/talos-versions";
import { PROJECT_ROOT } from "../support/project-root";

// Derived by scripts/derive-talos-schemas.ts from Talos's official schemas and
// committed, so these tests need nothing outside the repository.
const SCHEMA_DIR = path.join(PROJECT_ROOT, ".gen", "talos-config-schemas");

const HOSTNAME = "k8s-controller1";
const MAC = "02:AB:CD:EF:01:23";
const VIP = "192.168.1.210";
const NETWORK_CIDR = "192.168.1.0/24";
const INSTALLER_IMAGE = "factory.talos.dev/nocloud-installer/abc123:v1.13.9";

type Document = Record<string, unknown>;

const validators = new Map<string, ValidateFunction>();

/** The compiled config schema of a release; throws with the fix when it was never derived. */
function validatorFor(release: TalosRelease): ValidateFunction {
  const cached = validators.get(release.schemaVersion);
  if (cached) return cached;
  const file = path.join(SCHEMA_DIR, `talos-${release.schemaVersion}.schema.json`);
  if (!fs.existsSync(file)) {
    throw new Error(
      `no config schema for Talos ${release.minor} at ${path.relative(process.cwd(), file)}: put talos-${release.schemaVersion}.schema.json ` +
        "in ../shared/talos-config-schemas/ and run `node --import tsx scripts/derive-talos-schemas.ts`",
    );
  }
  // Talos marks one URL field `format: uri`; check it rather than let ajv warn that it ignores it.
  const ajv = new Ajv2020({ allErrors: true, strict: false, formats: { uri: (text: string) => URL.canParse(text) } });
  const validate = ajv.compile(JSON.parse(fs.readFileSync(file, "utf8")));
  validators.set(release.schemaVersion, validate);
  return validate;
}

/** Every schema violation of one config document, one line each (empty when it is valid). */
function schemaProblems(release: TalosRelease, document: unknown): string[] {
  const validate = validatorFor(release);
  if (validate(document)) return [];
  return (validate.errors ?? []).map(
    (error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)} (${error.schemaPath})`,
  );
}

/** Parses a rendered patch, which must be exactly one YAML document. */
function parsePatch(text: string): Document {
  const documents = parseAllDocuments(text);
  expect(documents).toHaveLength(1);
  return documents[0].toJS() as Document;
}

function nodePatches(release: TalosRelease): string[] {
  return renderNodePatches({ configContract: release.schemaVersion, hostname: HOSTNAME, macAddress: MAC, vip: VIP });
}

function clusterPatches(allowSchedulingOnControlPlanes = true): string[] {
  return renderClusterPatches({ networkCidr: NETWORK_CIDR, vip: VIP, installerImage: INSTALLER_IMAGE, allowSchedulingOnControlPlanes });
}

function workerPatches(release: TalosRelease): string[] {
  return [
    ...renderWorkerPatches({ networkCidr: NETWORK_CIDR, vip: VIP, installerImage: INSTALLER_IMAGE }),
    ...renderWorkerNodePatches({ configContract: release.schemaVersion, hostname: "k8s-worker1" }),
  ];
}

const releasesByStyle = (style: TalosRelease["networkConfigStyle"]) =>
  TALOS_RELEASES.filter((release) => release.networkConfigStyle === style).map((release) => [release.minor, release] as const);

describe.each(TALOS_RELEASES.map((release) => [release.minor, release] as const))("Talos %s patches", (_minor, release) => {
  test(`has a derived config schema for ${release.schemaVersion}`, () => {
    expect(() => validatorFor(release)).not.toThrow();
  });

  test("every node patch is one YAML document valid for the release's schema", () => {
    // GIVEN / WHEN
    const patches = nodePatches(release);

    // THEN
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) {
      expect(schemaProblems(release, parsePatch(patch))).toEqual([]);
    }
  });

  test("every cluster patch is one YAML document valid for the release's schema, scheduling on the control planes allowed or not", () => {
    for (const patch of [...clusterPatches(true), ...clusterPatches(false)]) {
      expect(schemaProblems(release, parsePatch(patch))).toEqual([]);
    }
  });

  test("every worker patch is one YAML document valid for the release's schema", () => {
    const patches = workerPatches(release);
    expect(patches).toHaveLength(2);
    for (const patch of patches) {
      expect(schemaProblems(release, parsePatch(patch))).toEqual([]);
    }
  });

  test("rejects a misspelt allowSchedulingOnControlPlanes: the schema knows the key", () => {
    expect(schemaProblems(release, { cluster: { allowSchedulingOnControlPlane: true } })).toContainEqual(
      expect.stringMatching(/additionalProperty":"allowSchedulingOnControlPlane"/),
    );
  });
});

describe.each(releasesByStyle("v1alpha1"))("Talos %s (legacy machine.network)", (_minor, release) => {
  test("puts the VIP on the NIC found by its lower-case MAC, and the hostname, in machine.network", () => {
    // WHEN
    const documents = nodePatches(release).map(parsePatch);

    // THEN
    expect(documents).toHaveLength(1);
    expect(documents[0]).toEqual({
      machine: {
        network: {
          hostname: HOSTNAME,
          interfaces: [{ deviceSelector: { hardwareAddr: "02:ab:cd:ef:01:23" }, vip: { ip: VIP } }],
        },
      },
    });
  });

  test("renders no standalone documents (no `kind` anywhere)", () => {
    const documents = [...nodePatches(release), ...clusterPatches()].map(parsePatch);
    for (const document of documents) {
      expect(document).not.toHaveProperty("kind");
    }
  });

  test("rejects a Layer2VIPConfig document: the release does not know it", () => {
    // GIVEN a document only 1.12 and later understand
    const document = { apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: VIP, link: VIP_LINK_ALIAS };

    // THEN
    expect(schemaProblems(release, document)).toContainEqual(expect.stringMatching(/additionalProperty":"(apiVersion|kind)"/));
  });
});

describe.each(releasesByStyle("documents"))("Talos %s (network documents)", (_minor, release) => {
  const documentsOfKind = (kind: string) =>
    nodePatches(release)
      .map(parsePatch)
      .filter((document) => document.kind === kind);

  test("aliases the NIC by its permanent, lower-case MAC", () => {
    const aliases = documentsOfKind("LinkAliasConfig");
    expect(aliases).toEqual([
      {
        apiVersion: "v1alpha1",
        kind: "LinkAliasConfig",
        name: VIP_LINK_ALIAS,
        selector: { match: 'mac(link.permanent_addr) == "02:ab:cd:ef:01:23"' },
      },
    ]);
  });

  test("binds the VIP to the aliased link", () => {
    const [alias] = documentsOfKind("LinkAliasConfig");
    const vips = documentsOfKind("Layer2VIPConfig");
    expect(vips).toHaveLength(1);
    expect(vips[0]).toMatchObject({ apiVersion: "v1alpha1", name: VIP });
    expect(vips[0].link).toBe(alias.name);
  });

  test("sets a static hostname with automatic hostnames off", () => {
    expect(documentsOfKind("HostnameConfig")).toEqual([
      { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "off", hostname: HOSTNAME },
    ]);
  });

  test("renders only the three network documents for a node", () => {
    const kinds = nodePatches(release).map((patch) => parsePatch(patch).kind);
    expect(kinds.sort()).toEqual(["HostnameConfig", "Layer2VIPConfig", "LinkAliasConfig"]);
  });

  test("never mixes in the legacy form: no machine.network in any patch", () => {
    const documents = [...nodePatches(release), ...clusterPatches()].map(parsePatch);
    for (const document of documents) {
      expect(document).not.toHaveProperty(["machine", "network"]);
    }
  });

  test("rejects a legacy machine.network.interfaces patch", () => {
    // GIVEN the 1.11 form of the VIP
    const legacy = {
      machine: {
        network: {
          hostname: HOSTNAME,
          interfaces: [{ deviceSelector: { hardwareAddr: "02:ab:cd:ef:01:23" }, vip: { ip: VIP } }],
        },
      },
    };

    // THEN the schema has no place for it (1.12 dropped `interfaces`, 1.13 all of `machine.network`)
    expect(schemaProblems(release, legacy)).toContainEqual(
      expect.stringMatching(/additionalProperty":"(network|interfaces)"/),
    );
  });

  test("rejects a HostnameConfig with an unknown `auto` method", () => {
    const document = { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "sometimes" };
    expect(schemaProblems(release, document)).toContainEqual(expect.stringMatching(/^\/auto must be equal to one of the allowed values/));
  });
});

describe("cluster patches", () => {
  const [document] = clusterPatches().map(parsePatch);
  const nodeSubnets = ["192.168.1.0/24", "!192.168.1.210/32"];

  test("renders one patch", () => {
    expect(clusterPatches()).toHaveLength(1);
  });

  test("etcd advertises and kubelet picks node IPs only from the node network, never the VIP", () => {
    expect(document).toHaveProperty(["cluster", "etcd", "advertisedSubnets"], nodeSubnets);
    expect(document).toHaveProperty(["machine", "kubelet", "nodeIP", "validSubnets"], nodeSubnets);
  });

  test("passes the installer image through", () => {
    expect(document).toHaveProperty(["machine", "install", "image"], INSTALLER_IMAGE);
  });

  test("allows scheduling on the control planes or not, as told", () => {
    expect(document).toHaveProperty(["cluster", "allowSchedulingOnControlPlanes"], true);
    expect(parsePatch(clusterPatches(false)[0])).toHaveProperty(["cluster", "allowSchedulingOnControlPlanes"], false);
  });
});

describe("worker patches", () => {
  const [cluster, node] = workerPatches(TALOS_RELEASES[TALOS_RELEASES.length - 1]).map(parsePatch);
  const [, legacyNode] = workerPatches(TALOS_RELEASES[0]).map(parsePatch);

  test("pick the kubelet's node IP from the node network, never the VIP, and upgrade with the factory installer", () => {
    expect(cluster).toEqual({
      machine: { kubelet: { nodeIP: { validSubnets: ["192.168.1.0/24", "!192.168.1.210/32"] } }, install: { image: INSTALLER_IMAGE } },
    });
  });

  test("carry no etcd settings and no scheduling switch: both are control-plane only", () => {
    expect(cluster).not.toHaveProperty("cluster");
  });

  test("set a static hostname and no VIP: a HostnameConfig from 1.12, machine.network.hostname on 1.11", () => {
    expect(node).toEqual({ apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "off", hostname: "k8s-worker1" });
    expect(legacyNode).toEqual({ machine: { network: { hostname: "k8s-worker1" } } });
  });
});

describe("YAML text", () => {
  const allPatches = [...TALOS_RELEASES.flatMap(nodePatches), ...clusterPatches()];

  test("has no anchors or aliases, even where one value appears twice", () => {
    for (const patch of allPatches) {
      expect(patch).not.toMatch(/[&*]/);
      visit(parseDocument(patch), (_key, node) => {
        expect(isAlias(node)).toBe(false);
        expect((node as { anchor?: string }).anchor).toBeUndefined();
      });
    }
  });
});

describe("unsupported releases", () => {
  test("fails to render node patches for a Talos release without a patch form", () => {
    expect(() => renderNodePatches({ configContract: "v1.10.0", hostname: HOSTNAME, macAddress: MAC, vip: VIP })).toThrow(
      /no machine-config patch form for the Talos contract v1\.10\.0/,
    );
  });

  test("fails to render node patches for a version that is not a release tag", () => {
    expect(() => renderNodePatches({ configContract: "1.13.9", hostname: HOSTNAME, macAddress: MAC, vip: VIP })).toThrow(
      /no machine-config patch form for the Talos contract 1\.13\.9/,
    );
  });
});
