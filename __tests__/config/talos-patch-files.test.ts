/** Talos patches in a config file: inline mappings and files relative to the config file, checked and rendered in order. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { HomelabConfigError, loadHomelabConfig } from "../../config/load-homelab-config";
import { resolveClusterSpec } from "../../domain/cluster-spec";
import { patchesOf, patchDocuments } from "../../domain/talos-user-patches";
import { talosRelease } from "../../domain/talos-versions";
import { PROJECT_ROOT } from "../support/project-root";
import { blocksOf, synthHomelab } from "../support/synth";
import { talosSchemaProblems } from "../support/talos-config-schema";

const EXAMPLE = path.join(PROJECT_ROOT, "examples", "talos-patches.yaml");

/** The problems loading a config file refuses it with. */
function refusalOf(file: string): readonly string[] {
  try {
    loadHomelabConfig(file);
  } catch (error) {
    expect(error).toBeInstanceOf(HomelabConfigError);
    return (error as HomelabConfigError).problems;
  }
  throw new Error("expected the configuration to be refused");
}

describe("examples/talos-patches.yaml", () => {
  const props = loadHomelabConfig(EXAMPLE);
  const json = synthHomelab(props).json;
  const patchesAt = (type: string, kind: "resource" | "data", suffix: string) => blocksOf(json, type, kind).find(([name]) => name.includes(suffix))![1].config_patches as string[];

  test("every document of every patch validates against Talos's schema of the example's contract (the whole schema, not the code under test)", () => {
    const spec = resolveClusterSpec(props.cluster);
    const release = talosRelease(spec.configContract)!;
    const patches = patchesOf(spec);
    expect(patches.map(({ field }) => field)).toEqual(["talosPatches[0]", "talosPatches[1]", "controlPlanePatches[0]", "workerPatches[0]", "controlPlanes[0].patches[0]", "workers[0].patches[0]"]);
    for (const { patch } of patches) {
      const read = patchDocuments(patch);
      if ("error" in read) throw new Error(read.error);
      for (const document of read.documents) expect(talosSchemaProblems(release, document)).toEqual([]);
    }
  });

  test("both forms at every level: the files are read relative to the example, a two-document file as two patches", () => {
    const text = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, "examples", "talos-patches", file), "utf8");
    expect(props.cluster?.talosPatches?.[1]).toBe(text("time-and-kubelet.yaml"));
    expect(props.cluster?.workerPatches).toEqual([text("workers.yaml")]);
    expect(props.cluster?.workers?.[0].patches).toEqual([text("worker1-sysctls.yaml")]);
    expect(parseAllDocuments(text("time-and-kubelet.yaml"))).toHaveLength(2);
  });

  test("order: every node's, then the role's, then the stack's in the machine configuration; the node's before the stack's node patches in its apply", () => {
    const controlPlanes = patchesAt("talos_machine_configuration", "data", "ControlPlane_MachineConfiguration");
    expect(controlPlanes.slice(0, 4)).toEqual([
      'machine:\n  sysctls:\n    vm.max_map_count: "262144"\n',
      "apiVersion: v1alpha1\nkind: TimeSyncConfig\nntp:\n  servers:\n    - 192.168.1.1\n",
      'machine:\n  kubelet:\n    extraArgs:\n      image-gc-high-threshold: "80"\n',
      'cluster:\n  apiServer:\n    extraArgs:\n      audit-log-maxage: "30"\n',
    ]);
    expect(controlPlanes[4]).toMatch(/^cluster:\n  allowSchedulingOnControlPlanes: false\n/); // the stack's, last
    const workers = patchesAt("talos_machine_configuration", "data", "Workers_MachineConfiguration");
    expect(workers.slice(0, 4)).toEqual([...controlPlanes.slice(0, 3), 'machine:\n  kubelet:\n    extraArgs:\n      max-pods: "150"\n']);
    expect(workers[4]).toMatch(/^machine:\n  kubelet:\n    nodeIP:/);

    const controller1 = patchesAt("talos_machine_configuration_apply", "resource", "k8s-controller1");
    expect(controller1[0]).toBe('machine:\n  kubelet:\n    extraArgs:\n      v: "2"\n');
    expect(controller1.slice(1).map((patch) => /kind: (\w+)/.exec(patch)?.[1])).toEqual(["LinkAliasConfig", "Layer2VIPConfig", "HostnameConfig"]);
    const worker1 = patchesAt("talos_machine_configuration_apply", "resource", "k8s-worker1");
    expect(worker1).toEqual(['machine:\n  sysctls:\n    fs.inotify.max_user_watches: "1048576"\n', "apiVersion: v1alpha1\nkind: HostnameConfig\nauto: off\nhostname: k8s-worker1\n"]);
    // A node without patches of its own gets the stack's alone.
    expect(patchesAt("talos_machine_configuration_apply", "resource", "k8s-worker2")).toHaveLength(1);
  });
});

describe("Talos patch files named in a config file", () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "talos-patches-"));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), text);
    return path.join(folder, name);
  };

  test("reads a patch file relative to the config file's folder, not the working directory", () => {
    write("lab/patches/a.yaml", "machine:\n  sysctls:\n    a: \"1\"\n");
    const config = write("lab/lab.yaml", "talos:\n  patches: [patches/a.yaml]\n");
    expect(loadHomelabConfig(config).cluster?.talosPatches).toEqual(['machine:\n  sysctls:\n    a: "1"\n']);
  });

  test("fails on a file that cannot be read, naming the field, the path and where relative paths start", () => {
    const config = write("lab.yaml", "talos:\n  workerPatches: [{ machine: {} }, missing.yaml]\nworkers: [{ name: w1, ip: 192.168.1.221, patches: [gone/x.yaml] }]\n");
    expect(refusalOf(config)).toEqual([
      expect.stringMatching(/^talos\.workerPatches\[1\] = "missing\.yaml": .*missing\.yaml does not exist; paths are read relative to the folder of /),
      expect.stringMatching(/^workers\[0\]\.patches\[0\] = "gone\/x\.yaml": .*x\.yaml does not exist/),
    ]);
  });

  test("fails naming the config file, the field, the patch file, the document and the path inside it", () => {
    write("patches/two.yaml", "machine:\n  sysctls:\n    a: \"1\"\n---\nmachine:\n  network:\n    hostname: node1\n");
    const config = write("lab.yaml", "configContract: v1.11\ntalos:\n  workerPatches: [{ machine: {} }, patches/two.yaml]\nworkers: [{ name: w1, ip: 192.168.1.221 }]\n");
    let message = "";
    try {
      loadHomelabConfig(config);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`HOMELAB_CONFIG ${config} is not usable:`);
    expect(message).toMatch(/talos\.workerPatches\[1\] = "node1" \(\S*patches\/two\.yaml, document 2, at machine\.network\.hostname\): a field the stack sets: the hostname is the node's `name`/);
  });

  test("fails on an inline patch under the file's names, with the config field to use instead", () => {
    const config = write("lab.yaml", "talos:\n  controlPlanePatches:\n    - cluster: { controlPlane: { endpoint: https://k8s.lan:6443 } }\n");
    expect(refusalOf(config)).toEqual([
      'talos.controlPlanePatches[0] = "https://k8s.lan:6443" (document 1, at cluster.controlPlane.endpoint): a field the stack sets: the cluster endpoint is `https://<vip>:6443`; set vip instead',
    ]);
  });

  test("fails on YAML written as text (a block string), which no path can be, saying to write it as a mapping", () => {
    const config = write("lab.yaml", "talos:\n  patches:\n    - |\n      machine:\n        sysctls: { a: \"1\" }\n");
    expect(refusalOf(config)).toEqual([
      'talos.patches[0] = "machine:...": is YAML written as text; in the config file a patch is a mapping (write the same YAML without the "|") or the path of a YAML file',
    ]);
  });

  test("fails on a patch that is neither a mapping nor a path", () => {
    const config = write("lab.yaml", "talos:\n  patches: [3]\n");
    expect(refusalOf(config)).toEqual(["talos.patches[0] = 3: must be a mapping or a string"]);
  });
});
