import { cniManifestName, renderControlPlaneSettingPatches, renderNodeMetadataPatches, renderWorkerSettingPatches, terraformLiteral } from "../../domain/talos-setting-patches";
import { TALOS_RELEASES, TalosRelease } from "../../domain/talos-versions";
import { parseTalosPatch, talosSchemaProblems } from "../support/talos-config-schema";

const MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-system\ndata:\n  script: 'echo \"${HOSTNAME}\"'\n";

const everything = (release: TalosRelease) => ({
  configContract: `v${release.minor}`,
  metadata: { labels: { "example.com/role": "db" }, taints: { "example.com/gpu": "true:NoSchedule", dedicated: "NoExecute" }, annotations: { "example.com/owner": "me" } },
  registryMirrors: { "docker.io": ["https://mirror.lan:5000", "http://10.0.0.5"], "*": ["https://all.lan"] },
  cni: "manifests" as const,
  kubeProxy: false,
  certSANs: ["k8s.home.arpa", "192.168.1.250", "fd00::10"],
  cniManifests: [MANIFEST, "apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: y }\n"],
});

const defaults = (release: TalosRelease) => ({
  configContract: `v${release.minor}`,
  metadata: {},
  registryMirrors: {},
  cni: "flannel" as const,
  kubeProxy: true,
  certSANs: [],
  cniManifests: [],
});

describe.each(TALOS_RELEASES.map((release) => [release.minor, release] as const))("Talos %s contract", (_minor, release) => {
  test("every control-plane and worker settings patch is one YAML document valid for the contract's schema", () => {
    const patches = [...renderControlPlaneSettingPatches(everything(release)), ...renderWorkerSettingPatches(everything(release)), ...renderNodeMetadataPatches(everything(release).metadata)];
    expect(patches.length).toBeGreaterThan(0);
    for (const patch of patches) expect(talosSchemaProblems(release, parseTalosPatch(patch))).toEqual([]);
  });

  test("settings at their defaults render no patch at all", () => {
    expect(renderControlPlaneSettingPatches(defaults(release))).toEqual([]);
    expect(renderWorkerSettingPatches(defaults(release))).toEqual([]);
    expect(renderNodeMetadataPatches({})).toEqual([]);
    expect(renderNodeMetadataPatches({ labels: {}, taints: {}, annotations: {} })).toEqual([]);
  });

  test("the CNI manifests are the control planes' inline manifests, byte for byte, with cni none and kube-proxy off on both roles", () => {
    const [cluster] = renderControlPlaneSettingPatches(everything(release)).map(parseTalosPatch);
    expect(cluster).toMatchObject({
      cluster: {
        network: { cni: { name: "none" } },
        proxy: { disabled: true },
        apiServer: { certSANs: ["k8s.home.arpa", "192.168.1.250", "fd00::10"] },
        inlineManifests: [
          { name: cniManifestName(0), contents: MANIFEST },
          { name: "cni-2", contents: everything(release).cniManifests[1] },
        ],
      },
    });
    const [worker] = renderWorkerSettingPatches(everything(release)).map(parseTalosPatch);
    expect(worker).toEqual({ cluster: { network: { cni: { name: "none" } }, proxy: { disabled: true } } });
  });
});

test("registry mirrors are machine.registries.mirrors on the v1.11 contract", () => {
  const patches = renderWorkerSettingPatches({ ...defaults(TALOS_RELEASES[0]), registryMirrors: { "docker.io": ["https://mirror.lan:5000"] } }).map(parseTalosPatch);
  expect(patches).toEqual([{ machine: { registries: { mirrors: { "docker.io": { endpoints: ["https://mirror.lan:5000"] } } } } }]);
});

test.each(["v1.12", "v1.13"])("registry mirrors are one RegistryMirrorConfig document per registry on the %s contract", (configContract) => {
  const patches = renderWorkerSettingPatches({ ...defaults(TALOS_RELEASES[1]), configContract, registryMirrors: { "docker.io": ["https://a.lan", "http://b.lan"], "ghcr.io": ["https://c.lan"] } }).map(parseTalosPatch);
  expect(patches).toEqual([
    { apiVersion: "v1alpha1", kind: "RegistryMirrorConfig", name: "docker.io", endpoints: [{ url: "https://a.lan" }, { url: "http://b.lan" }] },
    { apiVersion: "v1alpha1", kind: "RegistryMirrorConfig", name: "ghcr.io", endpoints: [{ url: "https://c.lan" }] },
  ]);
});

test("cni none renders only cluster.network.cni.name: none, and no inline manifests", () => {
  const patches = renderControlPlaneSettingPatches({ ...defaults(TALOS_RELEASES[2]), cni: "none" }).map(parseTalosPatch);
  expect(patches).toEqual([{ cluster: { network: { cni: { name: "none" } } } }]);
});

test("a node's own labels, taints and annotations are one machine patch", () => {
  expect(renderNodeMetadataPatches({ labels: { a: "1" }, taints: { t: "NoSchedule" } }).map(parseTalosPatch)).toEqual([{ machine: { nodeLabels: { a: "1" }, nodeTaints: { t: "NoSchedule" } } }]);
});

describe("terraformLiteral", () => {
  test("doubles the $ of ${ and the % of %{ and nothing else", () => {
    expect(terraformLiteral('a ${b} $${c} %{ if d } %%{e} $ % $$ {x}')).toBe('a $${b} $$${c} %%{ if d } %%%{e} $ % $$ {x}');
  });

  test("leaves text without templates alone", () => {
    expect(terraformLiteral("apiVersion: v1\nkind: ConfigMap\n")).toBe("apiVersion: v1\nkind: ConfigMap\n");
  });
});
