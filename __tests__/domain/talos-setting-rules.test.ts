import { specProblemsOf } from "../support/spec-problems";

const WORKERS = [{ name: "w1", ip: "192.168.1.221" }];
const MANIFEST = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: cilium\n  namespace: kube-system\n";
const SECRET = "---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: hubble-server-certs\n  namespace: kube-system\ndata: { ca.crt: eA== }\n";

test("valid labels, taints, annotations, certSANs, mirrors and CNI manifests pass", () => {
  expect(
    specProblemsOf({
      workers: [{ ...WORKERS[0], nodeLabels: { "node.kubernetes.io/pool": "gpu" }, nodeTaints: { "example.com/gpu": "NoSchedule" } }],
      controlPlaneNodeLabels: { "topology.kubernetes.io/region": "home", plain: "" },
      workerNodeTaints: { dedicated: "db:NoExecute", soft: "PreferNoSchedule" },
      controlPlaneNodeAnnotations: { "example.com/note": "any text: even / and spaces" },
      certSANs: ["k8s.home.arpa", "*.apps.home.arpa", "192.168.1.250", "fd00::10"],
      registryMirrors: { "docker.io": ["https://mirror.lan:5000/v2", "http://10.0.0.5"], "*": ["https://all.lan"], "registry.lan:5000": ["https://r.lan"] },
      cni: "manifests",
      cniManifests: [MANIFEST],
      kubeProxy: false,
    }),
  ).toEqual([]);
});

describe("labels, taints and annotations", () => {
  test("fails a label key that is not a qualified name, naming the key and the rule", () => {
    expect(specProblemsOf({ controlPlaneNodeLabels: { "-bad": "x", "Example.com/x": "y", [`a/${"n".repeat(64)}`]: "z" } })).toEqual([
      expect.stringMatching(/^controlPlaneNodeLabels\["-bad"\] = "-bad": not a valid label key: the name "-bad" must start and end with a letter or digit/),
      expect.stringMatching(/^controlPlaneNodeLabels\["Example.com\/x"\] = .*the prefix "Example.com" is not a DNS subdomain/),
      expect.stringMatching(/the name has 64 characters; Kubernetes allows at most 63/),
    ]);
  });

  test("fails a kubernetes.io or k8s.io label the node may not set on itself (NodeRestriction), and accepts the kubelet's own", () => {
    // GIVEN a role label, a restricted k8s.io label, and labels a kubelet may set
    const found = specProblemsOf({
      workers: WORKERS,
      workerNodeLabels: {
        "node-role.kubernetes.io/worker": "",
        "example.k8s.io/x": "y",
        "node.kubernetes.io/pool": "a",
        "kubelet.kubernetes.io/x": "b",
        "topology.kubernetes.io/zone": "pve1",
        "example.com/role": "db",
      },
    });
    // THEN only the first two are refused, with what to do instead
    expect(found).toEqual([
      expect.stringMatching(/^workerNodeLabels\["node-role.kubernetes.io\/worker"\] = "node-role.kubernetes.io\/worker": a label the node may not set on itself: Talos writes node labels with the node's own kubelet identity, and Kubernetes's NodeRestriction admission plugin refuses .*; use your own domain \(e.g. example.com\/role\), or set it as a cluster admin with kubectl label$/),
      expect.stringMatching(/^workerNodeLabels\["example.k8s.io\/x"\] = "example.k8s.io\/x": a label the node may not set on itself/),
    ]);
  });

  test("fails a label value that Kubernetes refuses", () => {
    expect(specProblemsOf({ workers: WORKERS, workerNodeLabels: { role: "has space" } })).toEqual([expect.stringMatching(/^workerNodeLabels\["role"\] = "has space": not a valid label value/)]);
  });

  test("fails a node's own label under the node's field", () => {
    expect(specProblemsOf({ workers: [{ ...WORKERS[0], nodeLabels: { "a/b/c": "x" } }] })).toEqual([expect.stringMatching(/^workers\[0\]\.nodeLabels\["a\/b\/c"\] = "a\/b\/c": not a valid label key/)]);
  });

  test("fails a taint without a known effect, with the form to use", () => {
    expect(specProblemsOf({ workers: WORKERS, workerNodeTaints: { gpu: "true:NoScheduled", other: "true" } })).toEqual([
      expect.stringMatching(/^workerNodeTaints\["gpu"\] = "true:NoScheduled": write the taint as "value:Effect" or "Effect", the effect one of NoSchedule, PreferNoSchedule, NoExecute/),
      expect.stringMatching(/^workerNodeTaints\["other"\] = "true": write the taint as/),
    ]);
  });

  test("fails a taint value that is not a label value", () => {
    expect(specProblemsOf({ workers: WORKERS, workerNodeTaints: { gpu: "a b:NoSchedule" } })).toEqual([expect.stringMatching(/the taint's value "a b" is not valid/)]);
  });

  test("fails the control planes' own taint, which allowSchedulingOnControlPlanes owns", () => {
    expect(specProblemsOf({ controlPlaneNodeTaints: { "node-role.kubernetes.io/control-plane": "NoSchedule" } })).toEqual([
      expect.stringMatching(/Talos sets or removes the control planes' node-role.kubernetes.io\/control-plane taint itself; set allowSchedulingOnControlPlanes/),
    ]);
  });

  test("fails an annotation key that is not a qualified name", () => {
    expect(specProblemsOf({ controlPlaneNodeAnnotations: { "bad key": "x" } })).toEqual([expect.stringMatching(/^controlPlaneNodeAnnotations\["bad key"\] = "bad key": not a valid annotation key/)]);
  });
});

describe("certSANs", () => {
  test("fails a name that is neither a DNS name nor an IP address", () => {
    expect(specProblemsOf({ certSANs: ["not a name", "300.1.1.1", "fd00::zz"] })).toEqual([
      expect.stringMatching(/^certSANs\[0\] = "not a name": not a DNS name, an IPv4 or an IPv6 address/),
      expect.stringMatching(/^certSANs\[1\] = "300.1.1.1": not a DNS name/),
      expect.stringMatching(/^certSANs\[2\] = "fd00::zz": not a DNS name/),
    ]);
  });

  test("fails the VIP, which the talos provider puts in the certificate already, and a duplicate", () => {
    expect(specProblemsOf({ certSANs: ["192.168.1.210", "k8s.lan", "K8S.lan"] })).toEqual([
      expect.stringMatching(/^certSANs\[0\] = "192.168.1.210": already in the certificate: the talos provider adds the cluster endpoint's host, the vip; remove it/),
      expect.stringMatching(/^certSANs\[2\] = "K8S.lan": duplicates certSANs\[1\]; remove one/),
    ]);
  });
});

describe("registry mirrors", () => {
  test("fails an endpoint that is not an http(s) URL, and a registry without endpoints", () => {
    expect(specProblemsOf({ registryMirrors: { "docker.io": ["ftp://mirror.lan", "mirror.lan"], "ghcr.io": [] } })).toEqual([
      expect.stringMatching(/^registryMirrors\["docker.io"\]\[0\] = "ftp:\/\/mirror.lan": not an http\(s\) URL/),
      expect.stringMatching(/^registryMirrors\["docker.io"\]\[1\] = "mirror.lan": not an http\(s\) URL/),
      expect.stringMatching(/^registryMirrors\["ghcr.io"\] = \[\]: no mirror endpoints/),
    ]);
  });

  test("fails credentials in an endpoint, saying where they would end up, without echoing the password", () => {
    const [problem, ...rest] = specProblemsOf({ registryMirrors: { "docker.io": ["https://user:hunter2@mirror.lan"] } });
    expect(rest).toEqual([]);
    expect(problem).toMatch(/holds credentials \(user:password@\), which would sit in plain text in the machine configuration, the synthesized JSON and the Terraform state/);
    expect(problem).not.toContain("hunter2");
  });

  test("fails a registry name that is not a host", () => {
    expect(specProblemsOf({ registryMirrors: { "https://docker.io": ["https://m.lan"] } })).toEqual([expect.stringMatching(/^registryMirrors\["https:\/\/docker.io"\] = "https:\/\/docker.io": not a registry name/)]);
  });
});

describe("CNI", () => {
  test("fails cni manifests without manifests, and manifests without cni manifests", () => {
    expect(specProblemsOf({ cni: "manifests" })).toEqual([expect.stringMatching(/^cni = "manifests": no manifests to apply; list the files in cniManifests/)]);
    expect(specProblemsOf({ cniManifests: [MANIFEST] })).toEqual([expect.stringMatching(/^cniManifests = "1 manifest\(s\)": they are applied only with cni: manifests/)]);
  });

  test("fails kube-proxy off with flannel, which does not replace it", () => {
    expect(specProblemsOf({ kubeProxy: false })).toEqual([expect.stringMatching(/^kubeProxy = false: flannel does not replace kube-proxy/)]);
  });

  test("fails a manifest holding a Secret, naming it and where it would end up", () => {
    expect(specProblemsOf({ cni: "manifests", cniManifests: [MANIFEST + SECRET] })).toEqual([
      expect.stringMatching(
        /^cniManifests\[0\] = "Secret hubble-server-certs \(document 2\)": a Secret here ends up in the control planes' machine configuration, the synthesized JSON and the Terraform state; .*hubble.tls.auto.method=cronJob.*or set cniManifestsMayHoldSecrets: true/,
      ),
    ]);
  });

  test("accepts the Secret when cniManifestsMayHoldSecrets says so", () => {
    expect(specProblemsOf({ cni: "manifests", cniManifests: [MANIFEST + SECRET], cniManifestsMayHoldSecrets: true })).toEqual([]);
  });

  test("fails a Secret inside a List too", () => {
    const list = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: { name: s }\n";
    expect(specProblemsOf({ cni: "manifests", cniManifests: [list] })).toEqual([expect.stringMatching(/^cniManifests\[0\] = "Secret s \(document 1\)"/)]);
  });

  test("fails a manifest that is not Kubernetes YAML", () => {
    expect(specProblemsOf({ cni: "manifests", cniManifests: ["just: text\n", "a: [\n", "# only a comment\n"] })).toEqual([
      expect.stringMatching(/^cniManifests\[0\] = "document 1": not a Kubernetes object/),
      expect.stringMatching(/^cniManifests\[1\] = "document 1": does not parse as YAML/),
      expect.stringMatching(/^cniManifests\[2\] = "\(no objects\)": holds no Kubernetes object/),
    ]);
  });

  test("accepts ${ and %{ in a manifest (the stack writes it as a Terraform literal), but not elsewhere", () => {
    expect(specProblemsOf({ cni: "manifests", cniManifests: [MANIFEST.replace("cilium", "c") + "---\n# echo ${HOSTNAME} %{x}\n"] })).toEqual([]);
    expect(specProblemsOf({ workers: WORKERS, workerNodeAnnotations: { note: "${file(\"/etc/passwd\")}" } })).toEqual([expect.stringMatching(/^workerNodeAnnotations.note = .*which Terraform would evaluate/)]);
  });
});
