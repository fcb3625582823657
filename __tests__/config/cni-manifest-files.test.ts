import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { terraformLiteral } from "../../domain/talos-setting-patches";
import { PROJECT_ROOT } from "../support/project-root";
import { blocksOf, synthHomelab } from "../support/synth";

const EXAMPLE = path.join(PROJECT_ROOT, "examples", "cilium.yaml");

describe("examples/cilium.yaml", () => {
  const json = synthHomelab(loadHomelabConfig(EXAMPLE)).json;
  const patchesOf = (type: string, kind: "resource" | "data", suffix: string) => blocksOf(json, type, kind).find(([name]) => name.includes(suffix))![1].config_patches as string[];

  test("the manifest reaches the control planes' configuration as an inline manifest, its ${ written as a Terraform literal", () => {
    const manifest = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "cilium", "cilium.yaml"), "utf8");
    const patches = patchesOf("talos_machine_configuration", "data", "ControlPlane_MachineConfiguration");
    const indented = terraformLiteral(manifest).trimEnd().split("\n").map((line) => `        ${line}`.trimEnd()).join("\n");
    expect(patches.join("\n")).toContain(`  inlineManifests:\n    - name: cni-1\n      contents: |\n${indented}\n`);
    expect(patches.join("\n")).toContain('echo "$${HOSTNAME}"');
  });

  test("cni none and kube-proxy off on both roles; certSANs on the control planes only", () => {
    const controlPlanes = patchesOf("talos_machine_configuration", "data", "ControlPlane_MachineConfiguration").join("\n");
    const workers = patchesOf("talos_machine_configuration", "data", "Workers_MachineConfiguration").join("\n");
    for (const patches of [controlPlanes, workers]) {
      expect(patches).toContain("cluster:\n  network:\n    cni:\n      name: none\n  proxy:\n    disabled: true\n");
      expect(patches).toContain("kind: RegistryMirrorConfig\nname: docker.io\nendpoints:\n  - url: https://mirror.home.arpa:5000\n");
    }
    expect(controlPlanes).toContain("certSANs:\n      - k8s.home.arpa\n");
    expect(workers).not.toContain("certSANs");
    expect(workers).not.toContain("inlineManifests");
  });

  test("a worker's own labels and taints are a patch of its own, after its role's", () => {
    const worker2 = patchesOf("talos_machine_configuration_apply", "resource", "k8s-worker2");
    expect(worker2[worker2.length - 1]).toBe('machine:\n  nodeLabels:\n    node.kubernetes.io/pool: gpu\n  nodeTaints:\n    example.com/gpu: true:NoSchedule\n');
    expect(patchesOf("talos_machine_configuration_apply", "resource", "k8s-worker1").join("\n")).not.toContain("nodeLabels");
  });
});

describe("talos.cniManifests in a config file", () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "cni-manifests-"));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
    return path.join(folder, name);
  };

  test("reads the files relative to the config file, wherever the app runs", () => {
    write("cni/a.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: a }\n");
    const config = write("lab.yaml", "talos: { cni: manifests, cniManifests: [cni/a.yaml] }\n");
    expect(loadHomelabConfig(config).cluster?.cniManifests).toEqual(["apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: a }\n"]);
  });

  test("fails a file that does not exist, naming the field, the path as given and as resolved", () => {
    const config = write("lab.yaml", "talos: { cni: manifests, cniManifests: [missing.yaml] }\n");
    expect(() => loadHomelabConfig(config)).toThrow(/talos\.cniManifests\[0\] = "missing.yaml": .*missing\.yaml does not exist; paths are read relative to the folder of/);
  });

  test("fails a Secret in a file, naming the file's field", () => {
    write("cni.yaml", "apiVersion: v1\nkind: Secret\nmetadata: { name: ca }\n");
    const config = write("lab.yaml", "talos: { cni: manifests, cniManifests: [cni.yaml] }\n");
    expect(() => loadHomelabConfig(config)).toThrow(/talos\.cniManifests\[0\] = "Secret ca \(document 1\)": a Secret here ends up in .* or set talos\.cniManifestsMayHoldSecrets: true/);
  });

  test("names a node's labels as the file writes them", () => {
    const config = write("lab.yaml", "talos: { controlPlaneNodeTaints: { x: Sometimes } }\ncontrolPlanes:\n  - { name: a, ip: 192.168.1.211, nodeLabels: { '-x': y } }\n  - { name: b, ip: 192.168.1.212 }\n  - { name: c, ip: 192.168.1.213 }\n");
    expect(() => loadHomelabConfig(config)).toThrow(/talos\.controlPlaneNodeTaints\["x"\] = "Sometimes": write the taint as[\s\S]*controlPlanes\[0\]\.nodeLabels\["-x"\] = "-x": not a valid label key/);
  });

  test("refuses credentials in a registry mirror without echoing the password", () => {
    const config = write("lab.yaml", "talos: { registryMirrors: { docker.io: ['https://me:hunter2@mirror.lan'] } }\n");
    expect(() => loadHomelabConfig(config)).toThrow(/talos\.registryMirrors/);
    expect(() => loadHomelabConfig(config)).not.toThrow(/hunter2/);
  });
});
