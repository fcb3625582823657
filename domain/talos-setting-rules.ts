/**
 * The rules of the typed Talos settings (`talos.*`): Kubernetes's own rules
 * for label, annotation and taint keys and values, certSANs as DNS names or
 * IP addresses, registry mirrors as http(s) URLs without credentials, and the
 * CNI with its manifests. Pure; every problem names the field, the value and
 * the fix (domain/validation.ts reports them with the rest).
 */
import { parseAllDocuments } from "yaml";
import { CNI_KINDS } from "./cluster-fields";
import { ClusterSpec, NodeSpec } from "./cluster-spec";
import { parseIpv4 } from "./ipv4";
import { ValidationProblem, fieldRef } from "./validation-problem";

type TextMap = Readonly<Record<string, string>>;

// k8s.io/apimachinery/pkg/util/validation: IsQualifiedName, IsValidLabelValue, IsDNS1123Subdomain.
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_NAME_PART = 63;
const MAX_PREFIX = 253;
/** The total size Kubernetes allows a node's annotations (apimachinery's TotalAnnotationSizeLimitB). */
const MAX_ANNOTATIONS_BYTES = 256 * 1024;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;
/** The control planes' own taint: Talos sets or removes it after `allowSchedulingOnControlPlanes`. */
const CONTROL_PLANE_TAINTS = ["node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

type Problem = ValidationProblem;

/** Every problem of the typed Talos settings; empty when they are fine. */
export function talosSettingProblems(spec: ClusterSpec): Problem[] {
  const problems: Problem[] = [];
  const roles = [
    { labels: "controlPlaneNodeLabels", taints: "controlPlaneNodeTaints", annotations: "controlPlaneNodeAnnotations", list: "controlPlanes", nodes: spec.nodes, controlPlane: true },
    { labels: "workerNodeLabels", taints: "workerNodeTaints", annotations: "workerNodeAnnotations", list: "workers", nodes: spec.workers, controlPlane: false },
  ] as const;
  for (const role of roles) {
    problems.push(...labelProblems(role.labels, spec[role.labels]));
    problems.push(...taintProblems(role.taints, spec[role.taints], role.controlPlane));
    problems.push(...annotationProblems(role.annotations, spec[role.annotations]));
    role.nodes.forEach((node: NodeSpec, index) => {
      const at = `${role.list}[${index}]`;
      problems.push(...labelProblems(`${at}.nodeLabels`, node.nodeLabels ?? {}));
      problems.push(...taintProblems(`${at}.nodeTaints`, node.nodeTaints ?? {}, role.controlPlane));
      problems.push(...annotationProblems(`${at}.nodeAnnotations`, node.nodeAnnotations ?? {}));
    });
  }
  problems.push(...certSanProblems(spec));
  problems.push(...registryMirrorProblems(spec.registryMirrors));
  problems.push(...cniProblems(spec));
  return problems;
}

/** `field["key"]`, how a key of a map is named in a problem. */
function keyField(field: string, key: string): string {
  return `${field}[${JSON.stringify(key)}]`;
}

/** Why `key` is not a Kubernetes qualified name (`[prefix/]name`), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
  if (prefix !== undefined) {
    if (prefix.length === 0) return "the prefix before / is empty; write prefix/name (e.g. example.com/role) or name alone";
    if (prefix.length > MAX_PREFIX) return `the prefix has ${prefix.length} characters; Kubernetes allows at most ${MAX_PREFIX}`;
    if (!DNS1123_SUBDOMAIN.test(prefix)) return `the prefix ${JSON.stringify(prefix)} is not a DNS subdomain (lower-case letters, digits, - and ., e.g. example.com)`;
  }
  if (name.length === 0) return "the name is empty";
  if (name.length > MAX_NAME_PART) return `the name has ${name.length} characters; Kubernetes allows at most ${MAX_NAME_PART}`;
  if (!NAME_PART.test(name)) {
    return `the name ${JSON.stringify(name)} must start and end with a letter or digit and hold only letters, digits, -, _ and . (one / separates a DNS prefix)`;
  }
  return undefined;
}

/** Why `value` is not a Kubernetes label value, or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > MAX_NAME_PART) return `${value.length} characters; a label value has at most ${MAX_NAME_PART}`;
  if (!NAME_PART.test(value)) return "a label value must start and end with a letter or digit and hold only letters, digits, -, _ and . (or be empty)";
  return undefined;
}

function keyProblems(field: string, map: TextMap, what: string): Problem[] {
  return Object.keys(map).flatMap((key) => {
    const why = qualifiedNameProblem(key);
    return why ? [{ field: keyField(field, key), value: key, message: `not a valid ${what} key: ${why}` }] : [];
  });
}

/**
 * Labels a kubelet may set on its own Node under the kubernetes.io and k8s.io
 * namespaces (k8s.io/kubernetes pkg/kubelet/apis well_known_labels.go
 * `kubeletLabels`); any other there is refused by the NodeRestriction
 * admission plugin, and Talos writes `machine.nodeLabels` with the node's
 * kubelet identity (Talos's guide, Node Labels).
 */
const KUBELET_LABELS: readonly string[] = [
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
  "kubernetes.io/os",
  "kubernetes.io/arch",
];
/** And any label of these namespaces (`kubeletLabelNamespaces`). */
const KUBELET_LABEL_NAMESPACES: readonly string[] = ["kubelet.kubernetes.io", "node.kubernetes.io"];

/** Why a node may not set this label on itself (NodeRestriction), or undefined. */
export function nodeRestrictionProblem(key: string): string | undefined {
  const slash = key.indexOf("/");
  if (slash < 0) return undefined;
  const namespace = key.slice(0, slash);
  const restricted = ["kubernetes.io", "k8s.io"].some((domain) => namespace === domain || namespace.endsWith(`.${domain}`));
  if (!restricted || KUBELET_LABELS.includes(key)) return undefined;
  if (KUBELET_LABEL_NAMESPACES.some((allowed) => namespace === allowed || namespace.endsWith(`.${allowed}`))) return undefined;
  return (
    "Talos writes node labels with the node's own kubelet identity, and Kubernetes's NodeRestriction admission plugin refuses a kubelet any kubernetes.io or k8s.io label outside node.kubernetes.io/, kubelet.kubernetes.io/ and a few well-known ones " +
    "(topology.kubernetes.io/zone and /region, kubernetes.io/hostname, /os, /arch); use your own domain (e.g. example.com/role), or set it as a cluster admin with kubectl label"
  );
}

function labelProblems(field: string, labels: TextMap): Problem[] {
  return [
    ...keyProblems(field, labels, "label"),
    ...Object.keys(labels).flatMap((key) => {
      const why = qualifiedNameProblem(key) === undefined ? nodeRestrictionProblem(key) : undefined;
      return why ? [{ field: keyField(field, key), value: key, message: `a label the node may not set on itself: ${why}` }] : [];
    }),
    ...Object.entries(labels).flatMap(([key, value]) => {
      const why = typeof value === "string" ? labelValueProblem(value) : "must be text; quote it";
      return why ? [{ field: keyField(field, key), value, message: `not a valid label value: ${why}` }] : [];
    }),
  ];
}

function annotationProblems(field: string, annotations: TextMap): Problem[] {
  const size = Object.entries(annotations).reduce((total, [key, value]) => total + utf8Length(key) + utf8Length(String(value)), 0);
  return [
    ...keyProblems(field, annotations, "annotation"),
    ...(size > MAX_ANNOTATIONS_BYTES
      ? [{ field, value: `${size} bytes`, message: `Kubernetes allows a node at most ${MAX_ANNOTATIONS_BYTES} bytes of annotations in all; keep large data in a ConfigMap` }]
      : []),
  ];
}

/** Talos's `machine.nodeTaints`: key -> `value:Effect` or `Effect`. */
function taintProblems(field: string, taints: TextMap, controlPlane: boolean): Problem[] {
  const problems = keyProblems(field, taints, "taint");
  for (const [key, spec] of Object.entries(taints)) {
    const at = keyField(field, key);
    if (controlPlane && CONTROL_PLANE_TAINTS.includes(key)) {
      problems.push({
        field: at,
        value: spec,
        message: `Talos sets or removes the control planes' ${key} taint itself; set ${fieldRef("allowSchedulingOnControlPlanes")} (false: tainted NoSchedule) instead`,
      });
      continue;
    }
    const colon = String(spec).lastIndexOf(":");
    const [value, effect] = colon < 0 ? ["", String(spec)] : [String(spec).slice(0, colon), String(spec).slice(colon + 1)];
    if (!(TAINT_EFFECTS as readonly string[]).includes(effect)) {
      problems.push({
        field: at,
        value: spec,
        message: `write the taint as "value:Effect" or "Effect", the effect one of ${TAINT_EFFECTS.join(", ")} (e.g. ${key}: "true:NoSchedule")`,
      });
      continue;
    }
    const why = labelValueProblem(value);
    if (why) problems.push({ field: at, value: spec, message: `the taint's value ${JSON.stringify(value)} is not valid: ${why}` });
  }
  return problems;
}

/** A DNS name as a certificate takes it: labels of letters, digits and -, a `*.` in front at most. */
const SAN_DNS_NAME = /^(\*\.)?([A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/** Whether `text` is an IPv6 address (URL's parser is the arbiter, as Node has no other pure one). */
function isIpv6(text: string): boolean {
  if (!text.includes(":")) return false;
  try {
    return new URL(`http://[${text}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

function certSanProblems(spec: ClusterSpec): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  spec.certSANs.forEach((san, index) => {
    const field = `certSANs[${index}]`;
    const isIp = parseIpv4(san) !== undefined || isIpv6(san);
    if (!isIp && (san.length > 253 || !SAN_DNS_NAME.test(san) || /^[\d.]+$/.test(san))) {
      problems.push({ field, value: san, message: "not a DNS name, an IPv4 or an IPv6 address; write a name such as k8s.home.arpa, or an address such as 192.168.1.250 or fd00::10" });
      return;
    }
    const key = san.toLowerCase();
    if (key === spec.vip.toLowerCase()) {
      problems.push({ field, value: san, message: `already in the certificate: the talos provider adds the cluster endpoint's host, the ${fieldRef("vip")}; remove it` });
    } else if (seen.has(key)) {
      problems.push({ field, value: san, message: `duplicates ${fieldRef(`certSANs[${seen.get(key)}]`)}; remove one` });
    } else {
      seen.set(key, index);
    }
  });
  return problems;
}

/** A registry as Talos names it: a host with an optional port (`docker.io`, `registry.lan:5000`), or `*` for every registry. */
const REGISTRY_NAME = /^(\*|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*(:\d{1,5})?)$/;

function registryMirrorProblems(mirrors: Readonly<Record<string, readonly string[]>>): Problem[] {
  const problems: Problem[] = [];
  for (const [registry, endpoints] of Object.entries(mirrors)) {
    const field = keyField("registryMirrors", registry);
    if (!REGISTRY_NAME.test(registry)) {
      problems.push({ field, value: registry, message: "not a registry name; write its host, with a port if it has one (docker.io, ghcr.io, registry.lan:5000), or * for every registry" });
    }
    if (!Array.isArray(endpoints) || endpoints.length === 0) {
      problems.push({ field, value: endpoints, message: "no mirror endpoints; list one or more URLs (e.g. [https://mirror.lan:5000]) or remove the registry" });
      continue;
    }
    endpoints.forEach((endpoint, index) => {
      const at = `${field}[${index}]`;
      let url: URL | undefined;
      try {
        url = new URL(endpoint);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
        problems.push({ field: at, value: endpoint, message: "not an http(s) URL; write the mirror as https://host[:port][/path] (http:// for a mirror without TLS)" });
      } else if (url.username !== "" || url.password !== "") {
        problems.push({
          field: at,
          value: endpoint,
          message:
            "holds credentials (user:password@), which would sit in plain text in the machine configuration, the synthesized JSON and the Terraform state, and Talos does not read them from a mirror URL anyway; remove them (a mirror that needs a login is not configured here)",
        });
      }
    });
  }
  return problems;
}

function cniProblems(spec: ClusterSpec): Problem[] {
  const problems: Problem[] = [];
  if (!CNI_KINDS.includes(spec.cni)) {
    problems.push({ field: "cni", value: spec.cni, message: `must be one of ${CNI_KINDS.join(", ")}` });
    return problems;
  }
  if (spec.cni === "manifests" && spec.cniManifests.length === 0) {
    problems.push({ field: "cni", value: spec.cni, message: `no manifests to apply; list the files in ${fieldRef("cniManifests")} (docs/cni.md), or use none to install a CNI yourself` });
  }
  if (spec.cni !== "manifests" && spec.cniManifests.length > 0) {
    problems.push({
      field: "cniManifests",
      value: `${spec.cniManifests.length} manifest(s)`,
      message: `they are applied only with ${fieldRef("cni")}: manifests; set it, or remove them`,
    });
  }
  if (!spec.kubeProxy && spec.cni === "flannel") {
    problems.push({
      field: "kubeProxy",
      value: false,
      message: `flannel does not replace kube-proxy, so Services would stop working; keep kube-proxy, or set ${fieldRef("cni")} to manifests (e.g. Cilium with kubeProxyReplacement, docs/cni.md) or none`,
    });
  }
  spec.cniManifests.forEach((text, index) => problems.push(...manifestProblems(`cniManifests[${index}]`, text, spec.cniManifestsMayHoldSecrets)));
  return problems;
}

/**
 * A CNI manifest: YAML documents that are each a Kubernetes object (or empty),
 * none of them a Secret unless the user accepts that.
 */
export function manifestProblems(field: string, text: string, mayHoldSecrets: boolean): Problem[] {
  const problems: Problem[] = [];
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents)) {
    return [{ field, value: "(empty)", message: "holds no YAML documents; give the output of helm template (docs/cni.md)" }];
  }
  let objects = 0;
  documents.forEach((document, number) => {
    const where = `document ${number + 1}`;
    const [error] = document.errors;
    if (error) {
      problems.push({ field, value: where, message: `does not parse as YAML: ${error.message.split("\n")[0]}; give the output of helm template unchanged` });
      return;
    }
    const object = document.toJS() as unknown;
    if (object === null || object === undefined) return; // comments only, as helm writes between documents
    const kind = object && typeof object === "object" ? (object as Record<string, unknown>).kind : undefined;
    const metadata = object && typeof object === "object" ? (object as Record<string, unknown>).metadata : undefined;
    const name = metadata && typeof metadata === "object" ? (metadata as Record<string, unknown>).name : undefined;
    if (typeof object !== "object" || Array.isArray(object) || typeof (object as Record<string, unknown>).apiVersion !== "string" || typeof kind !== "string") {
      problems.push({ field, value: where, message: "not a Kubernetes object (a mapping with apiVersion, kind and metadata.name); give the output of helm template unchanged" });
      return;
    }
    objects += 1;
    const items = kind.endsWith("List") && Array.isArray((object as Record<string, unknown>).items) ? ((object as Record<string, unknown>).items as unknown[]) : [object];
    for (const item of items) {
      const itemKind = item && typeof item === "object" ? (item as Record<string, unknown>).kind : undefined;
      if (itemKind === "Secret" && !mayHoldSecrets) {
        const itemName = ((item as Record<string, unknown>).metadata as Record<string, unknown> | undefined)?.name;
        problems.push({
          field,
          value: `Secret ${String(itemName ?? name ?? "(unnamed)")} (${where})`,
          message:
            `a Secret here ends up in the control planes' machine configuration, the synthesized JSON and the Terraform state; render it out of the manifest (for Cilium's Hubble: hubble.tls.auto.method=cronJob, docs/cni.md), ` +
            `or set ${fieldRef("cniManifestsMayHoldSecrets")}: true to accept that`,
        });
      }
    }
    if (kind !== "List" && (typeof name !== "string" || name === "")) {
      problems.push({ field, value: `${kind} (${where})`, message: "has no metadata.name; Talos cannot create an object without one" });
    }
  });
  if (objects === 0 && problems.length === 0) {
    problems.push({ field, value: "(no objects)", message: "holds no Kubernetes object; give the output of helm template (docs/cni.md)" });
  }
  return problems;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
