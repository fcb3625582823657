/**
 * Every rule the cluster description must satisfy, as one pure function that
 * returns all problems at once. The construct and the HOMELAB_CONFIG loader
 * both use it, so a bad value fails at synth time, before anything is
 * written, with a message naming the field, the value and the fix.
 */
import { ClusterSpec, NodeSpec } from "./cluster-spec";
import { Ipv4Network, broadcastAddress, enclosingNetwork, formatCidr, networkAddress, networkContains, parseCidr, parseIpv4 } from "./ipv4";
import { CONTROL_PLANE_MINIMUMS, MAX_CONTROL_PLANES, PROXMOX_VM_ID_RANGE, VLAN_ID_RANGE, VM_MAXIMUMS, WORKER_MINIMUMS } from "./limits";
import { failuresTolerated } from "./quorum";
import { HA_RULES_KINDS } from "./cluster-fields";
import { IMAGE_IMPORT_METHODS } from "./image-factory";
import { REFERENCE_HOMELAB } from "./reference-homelab";
import { maskUrlCredentials } from "./url-credentials";
import { placementProblems } from "./placement-rules";
import { talosSettingProblems } from "./talos-setting-rules";
import { dataDiskProblems } from "./data-disk-rules";
import { fastFailoverProblems } from "./fast-failover-rules";
import { PROXMOX_NAME } from "./proxmox-names";
import { QEMU_CPU_MODELS, isKnownCpuType } from "./qemu-cpu-models";
import { closestNames, orList } from "./closest-names";
import { ValidationProblem, fieldRef } from "./validation-problem";
import { PatchSource, talosPatchProblems } from "./talos-user-patches";

export type { FieldNamer, ValidationProblem } from "./validation-problem";
export { fieldRef, formatProblem, problemFormatter } from "./validation-problem";
import {
  PROVIDER_NEWEST_CONTRACT,
  TALOS_OS_RELEASES,
  TALOS_RELEASES,
  compareMinor,
  contractMinor,
  parseVersion,
  supportsKubernetes,
  talosOsRelease,
  talosRelease,
} from "./talos-versions";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Tells a value that is not known yet (a cdktf token) from a literal. */
export type IsUnresolved = (value: unknown) => boolean;

export interface ValidationOptions {
  /**
   * Values for which this returns true are placeholders for something known
   * only at deploy time, and are not range- or text-checked (a number token
   * prints as a huge negative float). The construct passes cdktf's
   * `Token.isUnresolved`; domain/ itself never loads cdktf.
   * @default - every value is a literal (a HOMELAB_CONFIG file holds no tokens)
   */
  readonly isUnresolved?: IsUnresolved;
  /**
   * Where a text Talos patch came from, by its field, for the messages: the
   * config file's loader names the patch file it read.
   * @default - the text was given as it is (the construct's props)
   */
  readonly patchSource?: PatchSource;
}

/** Every problem of the resolved cluster description; empty when it is fine. */
export function validateClusterSpec(spec: ClusterSpec, options: ValidationOptions = {}): ValidationProblem[] {
  const found: { readonly problem: ValidationProblem; readonly derivedFrom?: string }[] = [];
  const isUnresolved: IsUnresolved = options.isUnresolved ?? (() => false);
  // Values are kept with any URL credentials masked: a problem never carries a password.
  const report: Report = (field, value, message, origin, derivedFrom) =>
    found.push({ problem: { field, value: typeof value === "string" ? maskUrlCredentials(value) : value, message, ...(origin ? { origin } : {}) }, derivedFrom });
  const checkInteger = integerCheck(report, isUnresolved);

  checkTerraformTemplates(withoutTalosPatches(userValuesOf(spec)), "", report, isUnresolved);
  // The user's Talos patches, with the document and the path inside it (a `${` in them too).
  for (const problem of talosPatchProblems(spec, options.patchSource)) report(problem.field, problem.value, problem.message, problem.origin);
  checkMemberCount(spec, report);
  checkDnsLabel("clusterName", spec.clusterName, report);
  checkVersions(spec, report);
  const network = checkNetwork(spec, report);
  checkNodes(spec, network, report, isUnresolved);
  checkResources(spec, checkInteger);
  checkProxmoxNames(spec, report);
  checkPlacementAndHa(spec, report, checkInteger);
  for (const problem of talosSettingProblems(spec)) report(problem.field, problem.value, problem.message, problem.origin);
  for (const problem of dataDiskProblems(spec, isUnresolved)) report(problem.field, problem.value, problem.message);
  for (const problem of fastFailoverProblems(spec, isUnresolved)) report(problem.field, problem.value, problem.message);
  // A host name already reported as malformed is not reported again as missing from the list.
  const malformed = new Set(found.map(({ problem }) => problem.field));
  for (const problem of placementProblems(spec)) {
    if (!malformed.has(problem.field)) report(problem.field, problem.value, problem.message, problem.origin);
  }
  checkInteger("vipReadyTimeoutSeconds", spec.vipReadyTimeoutSeconds, 1, 3600);
  checkHttpsUrl("imageFactoryUrl", spec.imageFactoryUrl, report);
  if (!IMAGE_IMPORT_METHODS.includes(spec.imageImport)) {
    report("imageImport", spec.imageImport, "must be api (Proxmox VE 8.4+, no SSH) or ssh (qm disk import over SSH, any Proxmox VE 8)");
  }
  spec.systemExtensions.forEach((extension, index) => {
    if (!/^[a-z0-9-]+\/[a-z0-9._-]+$/.test(extension)) {
      report(`systemExtensions[${index}]`, extension, "not an official extension name; write it as publisher/name, e.g. siderolabs/qemu-guest-agent");
    }
  });
  // A value derived from a field that is reported itself is wrong because of it: only the field is printed.
  const reported = new Set(found.map(({ problem }) => problem.field));
  return found.filter(({ derivedFrom }) => derivedFrom === undefined || !reported.has(derivedFrom)).map(({ problem }) => problem);
}

/**
 * Terraform evaluates `${...}` and `%{...}` in every string of the JSON, so a
 * configured string holding one would run as a Terraform expression (for
 * example `${file("/etc/passwd")}` in a URL). cdktf's own references are
 * unresolved tokens here and are left alone.
 */
const TERRAFORM_TEMPLATE = /[$%]\{/;

function checkTerraformTemplates(value: unknown, field: string, report: Report, isUnresolved: IsUnresolved): void {
  if (typeof value === "string") {
    if (!isUnresolved(value) && TERRAFORM_TEMPLATE.test(value)) {
      report(field, value, 'contains "${" or "%{", which Terraform would evaluate as an expression; these fields take plain text, remove it');
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => checkTerraformTemplates(item, `${field}[${index}]`, report, isUnresolved));
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) checkTerraformTemplates(item, field ? `${field}.${key}` : key, report, isUnresolved);
  }
}

/**
 * The strings a user can set, under their prop names; derived values (endpoint, MAC, ...) are left out,
 * and so is a node's host or datastore taken from the cluster's (it is checked where it was written).
 */
function userValuesOf(spec: ClusterSpec): object {
  // The CNI manifests may hold "${" (a chart's scripts do): the stack writes them as Terraform literals (terraformLiteral).
  const { clusterEndpoint, nodes, workers, cniManifests, ...cluster } = spec;
  // Under the names the props give them: a node's host is `proxmoxNode` there.
  const given = ({ ipWithPrefixLength, macAddress, vmIdOrigin, proxmoxHost, proxmoxHostGiven, datastoreId, dataDisks, dataDisksGiven, ...node }: NodeSpec) => ({
    ...node,
    ...(isClusterHost(spec, proxmoxHost) ? {} : { proxmoxNode: proxmoxHost }),
    ...(datastoreId === spec.datastoreId ? {} : { datastoreId }),
  });
  return { ...cluster, controlPlanes: nodes.map(given), workers: workers.map(given) };
}

/** The user values without the Talos patches, which talosPatchProblems checks document by document. */
function withoutTalosPatches(values: object): object {
  const { talosPatches, controlPlanePatches, workerPatches, controlPlanes, workers, ...rest } = values as Record<string, unknown>;
  const nodes = (list: unknown) => (list as Record<string, unknown>[]).map(({ patches, ...node }) => node);
  return { ...rest, controlPlanes: nodes(controlPlanes), workers: nodes(workers) };
}

/** Whether a node's host is one of the cluster's (`proxmoxNode`, `proxmoxNodes`), checked there rather than under the node. */
function isClusterHost(spec: ClusterSpec, host: string): boolean {
  return host === spec.proxmoxNode || spec.proxmoxNodes.includes(host);
}

/**
 * Records a problem. `origin` says where a value the user did not write came
 * from; `derivedFrom` names the field it was derived from, so that the problem
 * is left out when that field is reported itself (a follow-on error).
 */
type Report = (field: string, value: unknown, message: string, origin?: string, derivedFrom?: string) => void;

function checkMemberCount(spec: ClusterSpec, report: Report): void {
  const count = spec.nodes.length;
  if (count === 0) {
    report("controlPlanes", count, "no control planes; give 3 (or 5 or 7) so etcd keeps quorum when one fails");
  } else if (count === 1 && !spec.allowSingleNode) {
    report("controlPlanes", count, `a single control plane is not highly available; add two more, or set ${fieldRef("allowSingleNode")}: true to accept it`);
  } else if (count % 2 === 0) {
    const tolerated = failuresTolerated(count);
    const odd = [count - 1, count + 1].filter((n) => n >= 3 && n <= MAX_CONTROL_PLANES).join(" or ");
    report(
      "controlPlanes",
      count,
      `an even count adds cost but no tolerance: ${count} nodes tolerate ${tolerated} failure${tolerated === 1 ? "" : "s"}, like ${count - 1}; use ${odd}`,
    );
  } else if (count > MAX_CONTROL_PLANES) {
    report("controlPlanes", count, `more than ${MAX_CONTROL_PLANES} etcd members slows every write without a useful gain in tolerance; use ${MAX_CONTROL_PLANES} at most`);
  }
}

function checkVersions(spec: ClusterSpec, report: Report): void {
  const supported = TALOS_OS_RELEASES.map((release) => `v${release.minor}.x`).join(", ");
  const release = talosOsRelease(spec.talosVersion);
  if (!parseVersion(spec.talosVersion)) {
    report("talosVersion", spec.talosVersion, `not a Talos version; write it as vMAJOR.MINOR.PATCH, e.g. v1.13.9 (supported: ${supported})`);
  } else if (!release) {
    report("talosVersion", spec.talosVersion, `this project does not run nodes on that release; use one of ${supported}`);
  }
  checkContract(spec, report);
  if (!parseVersion(spec.kubernetesVersion)) {
    report("kubernetesVersion", spec.kubernetesVersion, "not a Kubernetes version; write it as vMAJOR.MINOR.PATCH, e.g. v1.36.3");
  } else if (release && !supportsKubernetes(release, spec.kubernetesVersion)) {
    // Checked against the nodes' OS only: the pinned provider's generator does no Kubernetes
    // compatibility check of its own (siderolabs/terraform-provider-talos v0.11.0 pkg/talos has none).
    const range = `Talos ${release.minor} supports Kubernetes ${release.kubernetes.oldest} to ${release.kubernetes.newest}`;
    if (spec.kubernetesVersionGiven) {
      report("kubernetesVersion", spec.kubernetesVersion, `${range}; pick a version in that range`);
    } else {
      report(
        "kubernetesVersion",
        spec.kubernetesVersion,
        `${range}; set ${fieldRef("kubernetesVersion")} to a v${release.kubernetes.oldest}.x to v${release.kubernetes.newest}.x release (e.g. v${release.kubernetes.newest}.0 or its newest patch)`,
        `not set: the default, which is for Talos ${REFERENCE_HOMELAB.talosVersion}`,
      );
    }
  }
}

/** The machine-configuration contract: one the provider generates and this project renders patches for, not newer than the nodes. */
function checkContract(spec: ClusterSpec, report: Report): void {
  // A default derived from an unusable talosVersion is reported there, not twice.
  if (!spec.configContractGiven && !talosOsRelease(spec.talosVersion)) return;
  const origin = spec.configContractGiven ? undefined : `not set: the default for Talos ${spec.talosVersion}`;
  const minor = contractMinor(spec.configContract);
  const newest = PROVIDER_NEWEST_CONTRACT;
  if (minor === undefined || !/^v\d+\.\d+$/.test(spec.configContract)) {
    if (parseVersion(spec.talosVersion) || spec.configContractGiven) {
      report("configContract", spec.configContract, "not a contract; write it as vMAJOR.MINOR, e.g. v1.13", origin);
    }
    return;
  }
  if (compareMinor(minor, newest.minor) > 0) {
    report(
      "configContract",
      spec.configContract,
      `${newest.provider} generates machine configuration with Talos machinery ${newest.machinery}, which knows contracts up to v${newest.minor} and would silently produce the v${newest.minor} layout; keep v${newest.minor} (Talos 1.14 nodes accept it), or move to a talos provider built on machinery of that release or later`,
      origin,
    );
  } else if (!talosRelease(spec.configContract)) {
    report("configContract", spec.configContract, `this project renders patches for contracts ${TALOS_RELEASES.map((r) => `v${r.minor}`).join(", ")}; use one of those`, origin);
  }
  const nodes = contractMinor(spec.talosVersion);
  if (nodes !== undefined && compareMinor(minor, nodes) > 0) {
    report("configContract", spec.configContract, `is newer than the nodes' Talos ${spec.talosVersion}: a node cannot read a newer contract; use v${nodes} or older`, origin);
  }
}

/** Reason an address is not a strict IPv4 address, or undefined when it is one. */
export function ipv4Problem(text: string): string | undefined {
  if (typeof text !== "string") return "not a string; give an IPv4 address such as 192.168.1.211";
  if (parseIpv4(text) !== undefined) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return "a URL, not an address; give the IPv4 address alone, e.g. 192.168.1.211";
  if (text.includes(":")) return "IPv6 is not supported here; give an IPv4 address such as 192.168.1.211";
  if (/^\d+(\.\d+){3}$/.test(text) && text.split(".").some((octet) => /^0\d/.test(octet))) {
    return `leading zeros are ambiguous (some tools read them as octal); write ${text.split(".").map(Number).join(".")}`;
  }
  return "not an IPv4 address; write four numbers 0-255 separated by dots, e.g. 192.168.1.211";
}

function checkNetwork(spec: ClusterSpec, report: Report): Ipv4Network | undefined {
  const network = parseCidr(spec.networkCidr);
  if (!network) {
    const enclosing = enclosingNetwork(String(spec.networkCidr));
    report(
      "networkCidr",
      spec.networkCidr,
      enclosing ? `host bits are set; the network is ${formatCidr(enclosing)}` : "not an IPv4 network; write it in CIDR notation, e.g. 192.168.1.0/24",
    );
  }
  const gatewayDerived = spec.gatewayGiven ? {} : { origin: `not set: the first host address of ${fieldRef("networkCidr")}`, derivedFrom: "networkCidr" };
  checkHostAddress("gateway", spec.gateway, spec, network, report, "the gateway", gatewayDerived);
  checkHostAddress("vip", spec.vip, spec, network, report, "the VIP (it moves between nodes on one Layer 2 network)");
  if (spec.vip === spec.gateway && parseIpv4(spec.vip) !== undefined) {
    report("vip", spec.vip, "is the gateway's address; pick a free address for the VIP");
  }
  // Unset, the DNS server is the gateway: a bad one is reported as the gateway, not again here.
  const dnsIsGateway = spec.dnsServers.length === 1 && spec.dnsServers[0] === spec.gateway;
  spec.dnsServers.forEach((server, index) => {
    const problem = ipv4Problem(server);
    if (problem) report(`dnsServers[${index}]`, server, problem, undefined, dnsIsGateway ? "gateway" : undefined);
  });
  if (spec.dnsServers.length === 0) {
    report("dnsServers", spec.dnsServers, "no DNS servers; Talos needs one to pull images (give your router, e.g. 192.168.1.1)");
  }
  return network;
}

/**
 * A host address must be strict IPv4, inside the network, and neither its
 * network nor its broadcast address. Returns whether it is well-formed IPv4.
 */
function checkHostAddress(
  field: string,
  address: string,
  spec: ClusterSpec,
  network: Ipv4Network | undefined,
  report: Report,
  what?: string,
  derived: { readonly origin?: string; readonly derivedFrom?: string } = {},
): boolean {
  const { origin, derivedFrom } = derived;
  const problem = ipv4Problem(address);
  if (problem) {
    report(field, address, problem, origin, derivedFrom);
    return false;
  }
  if (!network) return true;
  if (!networkContains(network, address)) {
    report(field, address, `${what ? `${what} ` : ""}must be inside ${fieldRef("networkCidr")} ${spec.networkCidr}; pick an address in that network`, origin, derivedFrom);
  } else if (address === networkAddress(network) || address === broadcastAddress(network)) {
    report(field, address, `is the ${address === networkAddress(network) ? "network" : "broadcast"} address of ${spec.networkCidr}; pick a host address`, origin, derivedFrom);
  }
  return true;
}

/** Control planes and workers, each with the list it is in: names, addresses and VM ids are unique across both. */
function allNodesOf(spec: ClusterSpec): { readonly node: NodeSpec; readonly list: "controlPlanes" | "workers"; readonly index: number }[] {
  return [
    ...spec.nodes.map((node, index) => ({ node, list: "controlPlanes" as const, index })),
    ...spec.workers.map((node, index) => ({ node, list: "workers" as const, index })),
  ];
}

function checkNodes(spec: ClusterSpec, network: Ipv4Network | undefined, report: Report, isUnresolved: IsUnresolved): void {
  const seen = { names: new Map<string, Seen>(), ips: new Map<string, Seen>(), vmIds: new Map<number, Seen>() };
  const vmIdOrigin = (node: NodeSpec) => (node.vmIdOrigin === "ip" ? `not set: derived from the last octet of the IP ${node.ip}` : undefined);
  allNodesOf(spec).forEach(({ node, list, index }) => {
    const entry = { field: `${list}[${index}]`, node };
    const field = (key: string) => `${entry.field}.${key}`;
    const what = list === "workers" ? "worker" : "control plane";
    checkDnsLabel(field("name"), node.name, report);
    duplicate(seen.names, node.name, entry, field("name"), "node names must be unique; rename one", report);

    if (checkHostAddress(field("ip"), node.ip, spec, network, report)) {
      if (node.ip === spec.vip) {
        if (list === "workers") report(field("ip"), node.ip, "is the VIP's address; the VIP must be a free address of its own, pick another for the worker");
        else report("vip", spec.vip, `is also the address of control plane ${node.name}; the VIP must be a free address of its own`);
      }
      if (node.ip === spec.gateway) report(field("ip"), node.ip, "is the gateway's address; pick a free address");
      duplicate(seen.ips, node.ip, entry, field("ip"), `each ${what} needs its own address`, report);
    }

    // An unset vmId defaults from the IP; a malformed IP is reported above already.
    if (isUnresolved(node.vmId) || Number.isNaN(node.vmId)) return;
    // A VM id derived from an address that is reported is wrong because of it.
    const derivedFrom = node.vmIdOrigin === "ip" ? field("ip") : undefined;
    const { min, max } = PROXMOX_VM_ID_RANGE;
    // "Set it explicitly" only helps when it was not set.
    const pick = node.vmIdOrigin === "ip" ? "set vmId explicitly to an id" : "pick an id";
    if (!Number.isInteger(node.vmId)) {
      report(field("vmId"), node.vmId, `must be a whole number; Proxmox VM ids are integers from ${min} to ${max}`, vmIdOrigin(node), derivedFrom);
    } else if (node.vmId < min) {
      report(field("vmId"), node.vmId, `Proxmox VM ids are integers from ${min} to ${max} (Proxmox reserves those below ${min}); ${pick} from ${min} up`, vmIdOrigin(node), derivedFrom);
    } else if (node.vmId > max) {
      report(field("vmId"), node.vmId, `too large: Proxmox VM ids are integers from ${min} to ${max}; ${pick} of at most ${max}`, vmIdOrigin(node), derivedFrom);
    } else {
      const first = seen.vmIds.get(node.vmId)?.node;
      const firstDerived = first !== undefined && first.vmIdOrigin === "ip";
      const fix = `${firstDerived ? `(its VM id is derived from the last octet of the IP ${first.ip}); ` : ""}Proxmox VM ids are unique across the Proxmox cluster; set vmId on one of them`;
      duplicate(seen.vmIds, node.vmId, entry, field("vmId"), fix, report, vmIdOrigin(node), derivedFrom);
    }
  });
}

/** The first node with a value: its entry (`workers[0]`) and the node. */
interface Seen {
  readonly field: string;
  readonly node: NodeSpec;
}

function duplicate<T>(seen: Map<T, Seen>, value: T, entry: Seen, field: string, fix: string, report: Report, origin?: string, derivedFrom?: string): void {
  const first = seen.get(value);
  if (first === undefined) {
    seen.set(value, entry);
  } else {
    report(field, value, `duplicates ${fieldRef(first.field)}${fix.startsWith("(") ? " " : "; "}${fix}`, origin, derivedFrom);
  }
}

function checkResources(spec: ClusterSpec, checkInteger: IntegerCheck): void {
  const min = CONTROL_PLANE_MINIMUMS;
  const disk = (field: string, value: number, minimum: number, role: string) =>
    checkInteger(field, value, minimum, VM_MAXIMUMS.diskSizeGib, { belowMin: `Talos needs at least ${minimum} GiB for a ${role}`, unit: "GiB" });
  disk("diskSizeGib", spec.diskSizeGib, min.diskSizeGib, "control plane");
  // Per-node values (they carry the cluster-wide default) are reported once per distinct field.
  spec.nodes.forEach((node, index) => {
    if (node.diskSizeGib !== spec.diskSizeGib) disk(`controlPlanes[${index}].diskSizeGib`, node.diskSizeGib, min.diskSizeGib, "control plane");
    checkInteger(`controlPlanes[${index}].cores`, node.cores, min.cores, VM_MAXIMUMS.cores, { belowMin: `Talos needs at least ${min.cores} cores for a control plane`, unit: "cores" });
    checkInteger(`controlPlanes[${index}].memoryMib`, node.memoryMib, min.memoryMib, VM_MAXIMUMS.memoryMib, { belowMin: `Talos needs at least ${min.memoryMib} MiB for a control plane`, unit: "MiB" });
  });
  const worker = WORKER_MINIMUMS;
  disk("workerDiskSizeGib", spec.workerDiskSizeGib, worker.diskSizeGib, "worker");
  spec.workers.forEach((node, index) => {
    if (node.diskSizeGib !== spec.workerDiskSizeGib) disk(`workers[${index}].diskSizeGib`, node.diskSizeGib, worker.diskSizeGib, "worker");
    checkInteger(`workers[${index}].cores`, node.cores, worker.cores, VM_MAXIMUMS.cores, { belowMin: `Talos needs at least ${worker.cores} core for a worker`, unit: "cores" });
    checkInteger(`workers[${index}].memoryMib`, node.memoryMib, worker.memoryMib, VM_MAXIMUMS.memoryMib, { belowMin: `Talos needs at least ${worker.memoryMib} MiB for a worker`, unit: "MiB" });
  });
}

/** Where the bounds of a whole number come from, for the message. */
interface IntegerBounds {
  /** Why the minimum: said only of a value below it. */
  readonly belowMin?: string;
  /** Why the whole range (e.g. VLAN tags are 1 to 4094): said of a value on either side. */
  readonly range?: string;
  /** The unit, for the maximum: "GiB". */
  readonly unit?: string;
}

/** Reports a value that is not a whole number from min to max. */
type IntegerCheck = (field: string, value: number, min: number, max: number, why?: IntegerBounds) => void;

function integerCheck(report: Report, isUnresolved: IsUnresolved): IntegerCheck {
  return (field, value, min, max, why = {}) => {
    if (isUnresolved(value)) return;
    const use = `use a value from ${min} to ${max}`;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      report(field, value, `must be a whole number from ${min} to ${max}`);
    } else if (value < min) {
      const reason = why.belowMin ?? why.range;
      report(field, value, `${reason ? `${reason}; ` : ""}${use}`);
    } else if (value > max) {
      report(field, value, why.range ? `${why.range}; ${use}` : `too large: the maximum is ${max}${why.unit ? ` ${why.unit}` : ""}; ${use}`);
    }
  };
}

function checkDnsLabel(field: string, value: string, report: Report): void {
  if (typeof value !== "string" || value.length === 0 || value.length > 63 || !DNS_LABEL.test(value)) {
    report(field, value, "must be a DNS-1123 label: 1-63 lower-case letters, digits or '-', starting and ending with a letter or digit, e.g. k8s-controller1");
  }
}

function checkPlacementAndHa(spec: ClusterSpec, report: Report, checkInteger: IntegerCheck): void {
  const seen = new Map<string, number>();
  spec.proxmoxNodes.forEach((host, index) => {
    if (typeof host !== "string" || !PROXMOX_NAME.test(host)) {
      report(`proxmoxNodes[${index}]`, host, "not a valid Proxmox node name; use the host's name as Proxmox shows it, e.g. pve1");
    } else if (seen.has(host)) {
      report(`proxmoxNodes[${index}]`, host, `duplicates ${fieldRef(`proxmoxNodes[${seen.get(host)}]`)}; list each host once`);
    } else {
      seen.set(host, index);
    }
  });
  if (!HA_RULES_KINDS.includes(spec.haRules)) {
    report("haRules", spec.haRules, "must be pve9 (HA rules, Proxmox VE 9) or pve8 (HA groups, Proxmox VE 8)");
  }
  if (spec.vlanId !== undefined) checkInteger("vlanId", spec.vlanId, VLAN_ID_RANGE.min, VLAN_ID_RANGE.max, { range: `VLAN tags are ${VLAN_ID_RANGE.min} to ${VLAN_ID_RANGE.max}` });
}

function checkProxmoxNames(spec: ClusterSpec, report: Report): void {
  const name = (field: string, value: string, what: string) => {
    if (typeof value !== "string" || !PROXMOX_NAME.test(value)) {
      report(field, value, `not a valid Proxmox ${what} name; use letters, digits, '.', '_' or '-', e.g. ${what === "bridge" ? "vmbr0" : "local-lvm"}`);
    }
  };
  const host = (field: string, value: string) => {
    if (typeof value !== "string" || !PROXMOX_NAME.test(value)) {
      report(field, value, "not a valid Proxmox node name; use the host's name as Proxmox shows it, e.g. pve");
    }
  };
  name("bridge", spec.bridge, "bridge");
  name("datastoreId", spec.datastoreId, "datastore");
  name("imageDatastoreId", spec.imageDatastoreId, "datastore");
  host("proxmoxNode", spec.proxmoxNode);
  // A node's datastore or host taken from the cluster's is checked there, once, not again under each node.
  allNodesOf(spec).forEach(({ node, list, index }) => {
    if (node.datastoreId !== spec.datastoreId) name(`${list}[${index}].datastoreId`, node.datastoreId, "datastore");
    if (!isClusterHost(spec, node.proxmoxHost)) host(`${list}[${index}].proxmoxNode`, node.proxmoxHost);
  });
  if (typeof spec.cpuType !== "string" || !isKnownCpuType(spec.cpuType)) {
    const closest = typeof spec.cpuType === "string" ? closestNames(spec.cpuType, QEMU_CPU_MODELS) : ["host", "x86-64-v2-AES"];
    report("cpuType", spec.cpuType, `not a CPU type QEMU/Proxmox knows: did you mean ${orList(closest)}? (a custom model is custom-<name>)`);
  }
}

function checkHttpsUrl(field: string, value: string, report: Report): void {
  const faults = urlFaults(value);
  const scheme = "must be an https:// URL, e.g. https://factory.talos.dev";
  const credentials = "must not embed credentials; remove the user:password@ part";
  if (faults.scheme || faults.credentials) {
    report(field, maskUrlCredentials(value), faults.scheme && faults.credentials ? `${scheme}, and ${credentials}` : faults.scheme ? scheme : credentials);
  }
}

/** Rules for the Proxmox API endpoint (the stack's provider setting, not the construct's). */
export function validateProxmoxEndpoint(field: string, endpoint: string): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const value = maskUrlCredentials(endpoint);
  checkTerraformTemplates(endpoint, field, (field, _value, message) => problems.push({ field, value, message }), () => false);
  if (problems.length > 0) return problems;
  const faults = urlFaults(endpoint);
  const https = `the Proxmox API must be reached over https${faults.http ? ", not http (the API token goes with every request)" : ""}`;
  if (faults.scheme && faults.credentials) {
    return [{ field, value, message: `${https}, and the URL must not embed credentials; write it as https://<host>:8006 and export PROXMOX_VE_API_TOKEN instead` }];
  }
  if (faults.scheme) return [{ field, value, message: `${https}; write it as https://<host>:8006` }];
  if (faults.credentials) return [{ field, value, message: "must not embed credentials; remove them and export PROXMOX_VE_API_TOKEN instead" }];
  return [];
}

/** What keeps a value from being a plain https URL: another scheme (http in particular), credentials in it, or both. */
function urlFaults(value: string): { readonly scheme: boolean; readonly http: boolean; readonly credentials: boolean } {
  // Credentials count whatever the scheme, and in text that is no URL at all.
  const credentials = maskUrlCredentials(value) !== value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { scheme: true, http: false, credentials };
  }
  return { scheme: url.protocol !== "https:", http: url.protocol === "http:", credentials: credentials || url.username !== "" || url.password !== "" };
}
