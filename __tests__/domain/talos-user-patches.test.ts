/** The user's Talos patches: what is refused, with the field, the document, the path and the reason; and how they render. */
import { LOADABLE_SCHEMA_VERSIONS } from "../../domain/talos-config-schemas";
import { OWNED_TALOS_PATHS, ownedPathsIn } from "../../domain/talos-owned-paths";
import { TalosPatch, patchDocuments, renderUserPatches } from "../../domain/talos-user-patches";
import { TALOS_RELEASES } from "../../domain/talos-versions";
import { specProblemsOf } from "../support/spec-problems";

const WORKERS = [{ name: "k8s-worker1", ip: "192.168.1.221" }];


/** The problems of one global patch on a cluster of `configContract`. */
function problemsOfPatch(patch: TalosPatch, configContract = "v1.13"): string[] {
  return specProblemsOf({ configContract, talosPatches: [patch] });
}

/** A document that sets `value` at a dotted path (`[]` as the first item of a list, `*` as a key of one's own). */
function documentAt(path: string, value: unknown): Record<string, unknown> {
  const segments = path.replace(/\[\]/g, ".[]").split(".");
  const build = (index: number): unknown => {
    if (index === segments.length) return value;
    const segment = segments[index];
    if (segment === "[]") return [build(index + 1)];
    return { [segment === "*" ? "registry.lan" : segment]: build(index + 1) };
  };
  return build(0) as Record<string, unknown>;
}

describe("Talos patches that are accepted", () => {
  test("a valid patch of every level and form has no problem, on every contract", () => {
    for (const release of TALOS_RELEASES) {
      const problems = specProblemsOf({
        configContract: `v${release.minor}`,
        workers: WORKERS,
        talosPatches: [{ machine: { sysctls: { "vm.max_map_count": "262144" } } }],
        controlPlanePatches: ["cluster:\n  apiServer:\n    extraArgs:\n      audit-log-maxage: \"30\"\n"],
        workerPatches: ["machine:\n  kubelet:\n    extraArgs:\n      max-pods: \"150\"\n---\nmachine:\n  sysctls:\n    a.b: \"1\"\n"],
        controlPlanes: [
          { name: "k8s-controller1", ip: "192.168.1.211", patches: [{ machine: { kubelet: { extraArgs: { v: "2" } } } }] },
          { name: "k8s-controller2", ip: "192.168.1.212" },
          { name: "k8s-controller3", ip: "192.168.1.213" },
        ],
      });
      expect(problems).toEqual([]);
    }
  });

  test("the fields the typed settings also render are not the stack's: labels, taints, annotations, certSANs, CNI, kube-proxy", () => {
    const patch = {
      machine: { nodeLabels: { a: "b" }, nodeTaints: { c: "d:NoSchedule" }, nodeAnnotations: { e: "f" }, certSANs: ["k8s.lan"] },
      cluster: { apiServer: { certSANs: ["k8s.lan"] }, network: { cni: { name: "none" } }, proxy: { disabled: true } },
    };
    expect(problemsOfPatch(patch)).toEqual([]);
    expect(problemsOfPatch({ machine: { registries: { mirrors: { "docker.io": { endpoints: ["https://mirror.lan"] } } } } }, "v1.11")).toEqual([]);
    expect(problemsOfPatch({ apiVersion: "v1alpha1", kind: "RegistryMirrorConfig", name: "docker.io", endpoints: [{ url: "https://mirror.lan" }] })).toEqual([]);
  });

  test("every schema version of the contracts is loadable", () => {
    expect([...LOADABLE_SCHEMA_VERSIONS].sort()).toEqual(TALOS_RELEASES.map((release) => release.schemaVersion).sort());
  });
});

describe("Talos patches that are refused", () => {
  test("fails on an unknown field, naming the patch, the document, the path and the closest known field", () => {
    expect(problemsOfPatch({ cluster: { clusterNam: "lab" } })).toEqual([
      `talosPatches[0] = "lab" (document 1, at cluster.clusterNam): unknown field: Talos 1.13's config schema has no such field here; did you mean clusterName?`,
    ]);
  });

  test("fails on a field of an older contract: 1.13 has no machine.network", () => {
    expect(problemsOfPatch({ machine: { network: { nameservers: ["1.1.1.1"] } } })).toEqual([
      expect.stringMatching(/^talosPatches\[0\] = "\(a mapping\)" \(document 1, at machine\.network\): unknown field/),
    ]);
    expect(problemsOfPatch({ machine: { network: { nameservers: ["1.1.1.1"] } } }, "v1.11")).toEqual([]);
  });

  test("fails on a wrong type, naming the type Talos wants", () => {
    expect(problemsOfPatch({ machine: { kubelet: { extraArgs: 3 } } })).toEqual([
      "talosPatches[0] = 3 (document 1, at machine.kubelet.extraArgs): wrong type: Talos 1.13's config schema wants a mapping here",
    ]);
    expect(problemsOfPatch({ machine: { sysctls: { "vm.swappiness": 10 } } })).toEqual([
      `talosPatches[0] = 10 (document 1, at machine.sysctls.vm.swappiness): wrong type: Talos 1.13's config schema wants text here`,
    ]);
  });

  test.each([
    ["${", { machine: { sysctls: { a: "${file(\"/etc/passwd\")}" } } }, "machine.sysctls.a"],
    ["%{", { machine: { sysctls: { a: "%{ if true }x%{ endif }" } } }, "machine.sysctls.a"],
    ["${ in a key", { machine: { sysctls: { "${x}": "1" } } }, "machine.sysctls.${x}"],
  ])("fails on %s, which Terraform would evaluate", (_what, patch, path) => {
    const problems = problemsOfPatch(patch);
    expect(problems).toContainEqual(expect.stringContaining(`(document 1, at ${path}): `));
    expect(problems.join("\n")).toMatch(/which Terraform would evaluate as an expression; Talos patches take plain text, remove it/);
  });

  test("fails on ${ in a YAML text patch too (comments are dropped: only what is rendered counts)", () => {
    expect(problemsOfPatch("# ${not rendered}\nmachine:\n  sysctls:\n    a: ${b}\n")).toEqual([
      expect.stringMatching(/^talosPatches\[0\] = "\$\{b\}" \(document 1, at machine\.sysctls\.a\): contains "\$\{" or "%\{"/),
    ]);
  });

  test.each([
    ["the cluster endpoint", { cluster: { controlPlane: { endpoint: "https://k8s.lan:6443" } } }, "cluster.controlPlane.endpoint", /set vip instead/],
    ["the VIP (v1.11)", { machine: { network: { interfaces: [{ interface: "eth0", vip: { ip: "192.168.1.210" } }] } } }, "machine.network.interfaces[0].vip", /set vip instead/],
    ["the install image", { machine: { install: { image: "ghcr.io/siderolabs/installer:v1.13.9" } } }, "machine.install.image", /talosVersion with systemExtensions/],
    ["the install disk", { machine: { install: { disk: "/dev/sdb" } } }, "machine.install.disk", /the disk is the VM's boot disk/],
    ["the hostname (v1.11)", { machine: { network: { hostname: "node1" } } }, "machine.network.hostname", /the hostname is the node's `name`/],
    ["the node's addresses (v1.11)", { machine: { network: { interfaces: [{ interface: "eth0", addresses: ["10.0.0.5/24"] }] } } }, "machine.network.interfaces[0].addresses", /networkCidr and the node's `ip`/],
    ["the kubelet's node IP subnets", { machine: { kubelet: { nodeIP: { validSubnets: ["10.0.0.0/8"] } } } }, "machine.kubelet.nodeIP.validSubnets", /networkCidr/],
    ["etcd's advertised subnets", { cluster: { etcd: { advertisedSubnets: ["10.0.0.0/8"] } } }, "cluster.etcd.advertisedSubnets", /networkCidr/],
    ["allowSchedulingOnControlPlanes", { cluster: { allowSchedulingOnControlPlanes: true } }, "cluster.allowSchedulingOnControlPlanes", /set allowSchedulingOnControlPlanes instead/],
    ["the cluster name", { cluster: { clusterName: "lab" } }, "cluster.clusterName", /set clusterName instead/],
  ])("fails on a field the stack owns: %s, with the field to use instead", (_what, patch, path, instead) => {
    const problems = problemsOfPatch(patch, "v1.11");
    expect(problems).toContainEqual(expect.stringContaining(`(document 1, at ${path}): a field the stack sets: `));
    expect(problems.find((problem) => problem.includes(`at ${path}):`))).toMatch(instead);
  });

  test.each([
    ["Layer2VIPConfig", { apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: "192.168.1.250", link: "uplink" }, /set vip instead/],
    ["HostnameConfig", { apiVersion: "v1alpha1", kind: "HostnameConfig", hostname: "node1" }, /the node's `name`/],
  ])("fails on a whole %s document: the stack renders its own", (kind, patch, instead) => {
    expect(problemsOfPatch(patch)).toEqual([expect.stringMatching(new RegExp(`^talosPatches\\[0\\] = "\\(a mapping\\)" \\(document 1\\): a ${kind} document the stack sets: `))]);
    expect(problemsOfPatch(patch)[0]).toMatch(instead);
  });

  test.each([
    ["cluster.ca", { cluster: { ca: { crt: "LS0t", key: "c2VjcmV0LWtleQ==" } } }, "cluster.ca"],
    ["cluster.token", { cluster: { token: "abcdef.0123456789abcdef" } }, "cluster.token"],
    ["cluster.secretboxEncryptionSecret", { cluster: { secretboxEncryptionSecret: "c2VjcmV0LWtleQ==" } }, "cluster.secretboxEncryptionSecret"],
    ["machine.token", { machine: { token: "abcdef.0123456789abcdef" } }, "machine.token"],
    ["a registry password (v1.11)", { machine: { registries: { config: { "registry.lan": { auth: { username: "u", password: "c2VjcmV0LWtleQ==" } } } } } }, "machine.registries.config.registry.lan.auth.password"],
    ["a RegistryAuthConfig identity token", { apiVersion: "v1alpha1", kind: "RegistryAuthConfig", name: "registry.lan", identityToken: "c2VjcmV0LWtleQ==" }, "identityToken"],
  ])("fails on a secret: %s, and never prints it", (_what, patch, path) => {
    const problems = problemsOfPatch(patch, (patch as { kind?: string }).kind ? "v1.13" : "v1.11");
    expect(problems).toContainEqual(expect.stringContaining(`= "(a secret, not shown)" (document 1, at ${path}): a field the stack sets: `));
    expect(problems.join("\n")).toMatch(/secrets never go in the synthesized JSON/);
    expect(problems.join("\n")).not.toMatch(/c2VjcmV0LWtleQ==|0123456789abcdef/);
  });

  test("every row of the owned-path table is refused where it applies", () => {
    for (const owned of OWNED_TALOS_PATHS) {
      const document = owned.path === "" ? { apiVersion: "v1alpha1", kind: owned.document } : documentAt(owned.path, "x");
      if (owned.path !== "" && owned.document !== "v1alpha1") Object.assign(document, { apiVersion: "v1alpha1", kind: owned.document, name: "n" });
      const hits = ownedPathsIn(owned.document, document);
      expect(hits.map((hit) => hit.owned)).toContain(owned);
    }
  });

  test("fails on an unknown document kind, listing the kinds of the contract", () => {
    const problems = problemsOfPatch({ apiVersion: "v1alpha1", kind: "TimeSyncConfg", enabled: true });
    expect(problems).toEqual([expect.stringMatching(/^talosPatches\[0\] = "TimeSyncConfg" \(document 1, at kind\): not a document kind of Talos 1\.13 \(contract v1\.13\); its kinds: .*TimeSyncConfig/)]);
    // Talos 1.11 has no HostnameConfig or TimeSyncConfig: its list says so.
    const old = problemsOfPatch({ apiVersion: "v1alpha1", kind: "TimeSyncConfig", enabled: true }, "v1.11");
    expect(old).toEqual([expect.stringContaining("not a document kind of Talos 1.11 (contract v1.11); its kinds: ")]);
    expect(old[0]).not.toMatch(/TimeSyncConfig,|HostnameConfig/);
  });

  test("names the document of a multi-document patch by its place, and the patch by its field at every level", () => {
    const problems = specProblemsOf({
      workers: WORKERS,
      workerPatches: [{}, "machine:\n  sysctls: {}\n---\nmachine:\n  kubelet:\n    extraArg: {}\n"],
      controlPlanes: [
        { name: "k8s-controller1", ip: "192.168.1.211", patches: [{ machine: { instal: {} } }] },
        { name: "k8s-controller2", ip: "192.168.1.212" },
        { name: "k8s-controller3", ip: "192.168.1.213" },
      ],
    });
    expect(problems).toEqual([
      expect.stringMatching(/^workerPatches\[1\] = "\(a mapping\)" \(document 2, at machine\.kubelet\.extraArg\): unknown field.*did you mean extraArgs\?$/),
      expect.stringMatching(/^controlPlanes\[0\]\.patches\[0\] = "\(a mapping\)" \(document 1, at machine\.instal\): unknown field.*did you mean install\?$/),
    ]);
  });

  test("fails on YAML that does not parse, and on a document that is no mapping", () => {
    expect(problemsOfPatch("machine:\n  sysctls: [\n")).toEqual([expect.stringMatching(/^talosPatches\[0\] = ".*": the YAML text: document 1 is not valid YAML at line \d+, column \d+: /)]);
    expect(problemsOfPatch("# only a comment\n")).toEqual([expect.stringContaining("the YAML text: holds no YAML document")]);
    expect(problemsOfPatch("- a\n- b\n")).toEqual([expect.stringContaining("(document 1): a patch document is a mapping of Talos config fields")]);
  });
});

describe("renderUserPatches", () => {
  test("renders one YAML document a patch, a text patch's documents in order, and nothing for none", () => {
    expect(renderUserPatches([{ machine: { sysctls: { a: "1" } } }, "# dropped\nb: 2\n---\nc: 3\n"])).toEqual(['machine:\n  sysctls:\n    a: "1"\n', "b: 2\n", "c: 3\n"]);
    expect(renderUserPatches(undefined)).toEqual([]);
    expect(renderUserPatches([])).toEqual([]);
  });

  test("an empty document between separators is no patch", () => {
    expect(patchDocuments("a: 1\n---\n---\nb: 2\n")).toEqual({ documents: [{ a: 1 }, { b: 2 }] });
  });
});

describe("Talos's $patch: delete directive", () => {
  test("deletes a section the stack does not set: accepted (the schema is checked without the directive), and rendered as given", () => {
    const patch = { machine: { sysctls: { $patch: "delete" } } };
    expect(problemsOfPatch(patch)).toEqual([]);
    expect(renderUserPatches([patch])).toEqual(["machine:\n  sysctls:\n    $patch: delete\n"]);
  });

  test("deleting a section that holds a field the stack sets is refused like setting it, with the field to use instead", () => {
    expect(problemsOfPatch({ cluster: { controlPlane: { $patch: "delete" } } })).toEqual([
      expect.stringMatching(/^talosPatches\[0\] = "delete" \(document 1, at cluster\.controlPlane\.\$patch\): deletes cluster\.controlPlane\.endpoint, a field the stack sets: /),
    ]);
    expect(problemsOfPatch({ $patch: "delete" })).toEqual([expect.stringMatching(/at \$patch\): deletes .* the stack sets/)]);
  });

  test("another directive is refused: Talos knows only delete", () => {
    expect(problemsOfPatch({ machine: { sysctls: { $patch: "replace" } } })).toEqual([
      'talosPatches[0] = "replace" (document 1, at machine.sysctls.$patch): Talos\'s patches know one directive, `$patch: delete` (it deletes the mapping it stands in)',
    ]);
  });
});
