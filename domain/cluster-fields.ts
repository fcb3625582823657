/**
 * The one definition of every configuration field: its type, where it lives
 * in the HOMELAB_CONFIG file, its default and what it means. Everything else
 * is derived from it: the construct's props type (`ControlPlaneHaProps`),
 * the reference homelab's values, the file's JSON Schema and its mapping onto
 * the props, the names in error messages, and the field table in docs/configuration.md.
 *
 * Written with TypeBox because a TypeBox type *is* a JSON Schema object (the
 * file check stays ajv, with its messages) and gives the static TypeScript
 * type of the same definition (`Static`), with no code generation step.
 *
 * Adding a field: one entry here, plus the code that uses it.
 */
import { Static, TSchema, Type } from "@sinclair/typebox";
import { DEFAULT_IMAGE_FACTORY_URL, DEFAULT_SYSTEM_EXTENSIONS, IMAGE_IMPORT_METHODS } from "./image-factory";
import { ADVERT_INTERVAL_MS_RANGE } from "./keepalived-config";
import { CONTROL_PLANE_MINIMUMS, MAX_CONTROL_PLANES, MAX_DATA_DISKS, MAX_SCHEMA_NAME, PROXMOX_VM_ID_RANGE, VLAN_ID_RANGE, VM_MAXIMUMS, WORKER_MINIMUMS } from "./limits";
import { TALOS_OS_RELEASES, TALOS_RELEASES } from "./talos-versions";

// Quoted from the tables they come from, so a description never restates a number.
const range = ({ min, max }: { readonly min: number; readonly max: number }) => `${min} to ${max}`;
const [OLDEST_TALOS, NEWEST_TALOS] = [TALOS_OS_RELEASES[0], TALOS_OS_RELEASES[TALOS_OS_RELEASES.length - 1]];
const TALOS_RANGE = `\`v${OLDEST_TALOS.minor}.x\` to \`v${NEWEST_TALOS.minor}.x\``;
const REFERENCE_CONTRACT = TALOS_RELEASES[TALOS_RELEASES.length - 1];

/** How Proxmox HA placement is expressed: rules (Proxmox VE 9) or groups (Proxmox VE 8). */
export type HaRulesKind = "pve9" | "pve8";
export const HA_RULES_KINDS: readonly HaRulesKind[] = ["pve9", "pve8"];

/** The cluster's CNI: Talos's flannel, none, or the manifests in `talos.cniManifests`. */
export type CniKind = "flannel" | "none" | "manifests";
export const CNI_KINDS: readonly CniKind[] = ["flannel", "none", "manifests"];

/** What each field carries beyond its JSON Schema type. */
export interface FieldDoc {
  /** Dotted path in the HOMELAB_CONFIG file, e.g. `network.bridge`. */
  readonly file: string;
  readonly description: string;
  /** A computed default, in words (when there is no literal `default`). */
  readonly defaultText?: string;
}

/** Per-node fields that fall back to a cluster-wide field name the cluster field. */
export interface NodeFieldDoc {
  readonly description: string;
  readonly defaultText?: string;
  /** The cluster-wide prop whose value the node takes when it sets none. */
  readonly inherits?: string;
  /**
   * Its key in a node of the HOMELAB_CONFIG file, when that is not the prop's:
   * the file keeps its short `diskGib` (as `vm.diskGib`), the props say the unit.
   */
  readonly fileKey?: string;
}

const doc = (options: FieldDoc & { readonly default?: unknown }) => options;

/** A text field that takes one of `values`: its JSON Schema enum and its TypeScript union, from one list. */
const stringEnum = <T extends string>(values: readonly T[], options: FieldDoc & { readonly default?: T }) => Type.Unsafe<T>({ type: "string", enum: [...values], ...doc(options) });

/**
 * One data disk of a VM, attached after the boot disk (scsi1, scsi2, ... in
 * list order). A list of them: on a role (`vm.dataDisks`, `workerVm.dataDisks`)
 * or on one node, whose list replaces its role's.
 */
export const DataDiskSchema = Type.Object(
  {
    sizeGib: Type.Integer({ description: `Size in GiB, a whole number from 1 to ${VM_MAXIMUMS.diskSizeGib}. It can grow later (in place), never shrink.` }),
    datastoreId: Type.Optional(
      Type.String({ description: "Proxmox datastore of the disk; under Proxmox HA only the shared `vm.datastoreId`.", defaultText: "the VM's datastore (the node's `datastoreId`)" }),
    ),
  },
  { additionalProperties: false },
);
const DATA_DISKS_TEXT = `Disks after the boot disk, attached as scsi1, scsi2, ... in list order (at most ${MAX_DATA_DISKS}: Proxmox has 31 SCSI slots and scsi0 is the boot disk), unformatted, for Longhorn or Rook-Ceph (docs/storage.md). Adding one updates the VM in place; removing one detaches it (Proxmox keeps its volume as \`unusedN\` until the VM is destroyed); only the last can be removed without moving the others' slots.`;

/**
 * One free-form Talos patch (domain/talos-user-patches.ts): a mapping, one
 * config document; or text, which in the HOMELAB_CONFIG file is the path of a
 * YAML file relative to the config file and in the construct's props the YAML
 * itself, one or more documents separated by `---`.
 */
export const TalosPatchSchema = Type.Union([Type.Unsafe<Record<string, unknown>>({ type: "object" }), Type.String()]);
const PATCHES_TEXT =
  "Each a Talos strategic-merge patch: a YAML mapping (one config document), or the path of a YAML file relative to the config file, which may hold several documents separated by `---` (in the construct's props: a mapping, or YAML text). Checked against Talos's config schema of the contract; fields the stack sets, secrets and `${` are refused (docs/configuration.md, Talos patches).";

/** The user's Talos patches; applied global, role, node, then the stack's own. */
const TALOS_PATCH_FIELDS = {
  talosPatches: Type.Array(TalosPatchSchema, doc({ file: "talos.patches", default: [], description: `Talos patches of every node, applied first. ${PATCHES_TEXT}` })),
  controlPlanePatches: Type.Array(TalosPatchSchema, doc({ file: "talos.controlPlanePatches", default: [], description: "Talos patches of every control plane, applied after `talos.patches`; the same forms." })),
  workerPatches: Type.Array(TalosPatchSchema, doc({ file: "talos.workerPatches", default: [], description: "Talos patches of every worker, applied after `talos.patches`; the same forms." })),
};

/** One control-plane VM. `name` and `ip` are required. */
export const NODE_FIELDS = {
  name: Type.String({
    description: "VM name and Talos hostname; a DNS-1123 label. It also keys the node's Terraform addresses (`Nodes/<name>/...`), so renaming a node replaces it.",
  } satisfies NodeFieldDoc),
  ip: Type.String({ description: "Static IPv4 address inside `network.cidr`." } satisfies NodeFieldDoc),
  vmId: Type.Optional(
    Type.Integer({
      description: `Proxmox VM id (${range(PROXMOX_VM_ID_RANGE)}).`,
      defaultText: "the last octet of `ip` (211 for 192.168.1.211), or 1000 + the last octet when that is below 100 (1011 for 10.0.0.11)",
    } satisfies NodeFieldDoc),
  ),
  proxmoxNode: Type.Optional(Type.String({ description: "Proxmox host (cluster node name) that runs this VM.", inherits: "proxmoxNode" } satisfies NodeFieldDoc)),
  cores: Type.Optional(Type.Integer({ description: "vCPU cores of this VM.", inherits: "cores" } satisfies NodeFieldDoc)),
  memoryMib: Type.Optional(Type.Integer({ description: "Memory of this VM in MiB.", inherits: "memoryMib" } satisfies NodeFieldDoc)),
  diskSizeGib: Type.Optional(Type.Integer({ description: "Boot disk size of this VM in GiB.", inherits: "diskSizeGib", fileKey: "diskGib" } satisfies NodeFieldDoc)),
  datastoreId: Type.Optional(Type.String({ description: "Proxmox datastore for this VM's disks.", inherits: "datastoreId" } satisfies NodeFieldDoc)),
  patches: Type.Optional(
    Type.Array(TalosPatchSchema, {
      description: "This node's own Talos patches, applied after `talos.patches` and its role's, before the stack's own; the forms of `talos.patches`.",
      defaultText: "none",
    } satisfies NodeFieldDoc),
  ),
  dataDisks: Type.Optional(
    Type.Array(DataDiskSchema, { description: "This VM's data disks; the list replaces its role's whole list (`[]`: none).", inherits: "dataDisks" } satisfies NodeFieldDoc),
  ),
  nodeLabels: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: "Kubernetes labels of this node, merged over its role's (a key set here wins).",
      inherits: "controlPlaneNodeLabels",
    } satisfies NodeFieldDoc),
  ),
  nodeTaints: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: "Taints of this node, merged over its role's (a key set here wins), in the role's form.",
      inherits: "controlPlaneNodeTaints",
    } satisfies NodeFieldDoc),
  ),
  nodeAnnotations: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: "Kubernetes annotations of this node, merged over its role's (a key set here wins).",
      inherits: "controlPlaneNodeAnnotations",
    } satisfies NodeFieldDoc),
  ),
};

/**
 * One worker VM: the control planes' node fields, except that cores and memory
 * fall back to the worker defaults (`workerVm`), not the control planes' (`vm`).
 */
export const WORKER_INHERITS = {
  cores: "workerCores",
  memoryMib: "workerMemoryMib",
  diskSizeGib: "workerDiskSizeGib",
  dataDisks: "workerDataDisks",
  controlPlaneNodeLabels: "workerNodeLabels",
  controlPlaneNodeTaints: "workerNodeTaints",
  controlPlaneNodeAnnotations: "workerNodeAnnotations",
} as const;
export const WORKER_NODE_FIELDS = Object.fromEntries(
  Object.entries(NODE_FIELDS).map(([key, schema]) => {
    const inherits = (schema as NodeFieldDoc).inherits;
    const name = key === "name" ? { description: "VM name and Talos hostname; a DNS-1123 label. It also keys the worker's Terraform addresses (`Workers/<name>/...`), so renaming a worker replaces it." } : {};
    const workerField = (WORKER_INHERITS as Readonly<Record<string, string>>)[inherits ?? ""];
    return [key, { ...schema, ...name, ...(workerField ? { inherits: workerField } : {}) }];
  }),
) as typeof NODE_FIELDS;

const REFERENCE_CONTROL_PLANES = [
  { name: "k8s-controller1", ip: "192.168.1.211" },
  { name: "k8s-controller2", ip: "192.168.1.212" },
  { name: "k8s-controller3", ip: "192.168.1.213" },
];

/** A map of text to text: labels, taints, annotations. */
const textMap = (options: FieldDoc & { readonly default?: Record<string, string> }) => Type.Record(Type.String(), Type.String(), doc(options));
const TAINT_FORM = 'each `key: "value:Effect"` or `key: Effect`, the effect NoSchedule, PreferNoSchedule or NoExecute (Talos\'s `machine.nodeTaints`)';

/**
 * The Talos settings people patch most, typed: rendered by
 * domain/talos-setting-patches.ts, checked by domain/talos-setting-rules.ts.
 */
const TALOS_SETTING_FIELDS = {
  controlPlaneNodeLabels: textMap({
    file: "talos.controlPlaneNodeLabels",
    default: {},
    description: "Kubernetes labels of every control plane (Talos's `machine.nodeLabels`); a node's own `nodeLabels` are merged over them.",
  }),
  workerNodeLabels: textMap({
    file: "talos.workerNodeLabels",
    default: {},
    description: "Kubernetes labels of every worker (Talos's `machine.nodeLabels`); a node's own `nodeLabels` are merged over them.",
  }),
  controlPlaneNodeTaints: textMap({
    file: "talos.controlPlaneNodeTaints",
    default: {},
    description: `Taints of every control plane, ${TAINT_FORM}; a node's own \`nodeTaints\` are merged over them. Their \`node-role.kubernetes.io/control-plane\` taint is not set here: it follows \`allowSchedulingOnControlPlanes\`.`,
  }),
  workerNodeTaints: textMap({
    file: "talos.workerNodeTaints",
    default: {},
    description: `Taints of every worker, ${TAINT_FORM}; a node's own \`nodeTaints\` are merged over them.`,
  }),
  controlPlaneNodeAnnotations: textMap({
    file: "talos.controlPlaneNodeAnnotations",
    default: {},
    description: "Kubernetes annotations of every control plane (Talos's `machine.nodeAnnotations`); a node's own `nodeAnnotations` are merged over them.",
  }),
  workerNodeAnnotations: textMap({
    file: "talos.workerNodeAnnotations",
    default: {},
    description: "Kubernetes annotations of every worker (Talos's `machine.nodeAnnotations`); a node's own `nodeAnnotations` are merged over them.",
  }),
  certSANs: Type.Array(
    Type.String(),
    doc({
      file: "talos.certSANs",
      default: [],
      description:
        "Extra names in the Kubernetes API server's certificate (`cluster.apiServer.certSANs`): DNS names, IPv4 or IPv6 addresses, e.g. a DNS name for the VIP. The VIP is there already (the talos provider adds the cluster endpoint's host).",
    }),
  ),
  registryMirrors: Type.Record(
    Type.String(),
    Type.Array(Type.String()),
    doc({
      file: "talos.registryMirrors",
      default: {},
      description:
        "Image registry mirrors, `<registry>: [endpoint URLs]` (e.g. `docker.io: [https://mirror.lan:5000]`, `*` for every registry), tried in order before the registry itself: `machine.registries.mirrors` on the v1.11 contract, `RegistryMirrorConfig` documents from v1.12. No credentials in the URLs.",
    }),
  ),
  cni: stringEnum(CNI_KINDS, {
    file: "talos.cni",
    default: "flannel",
    description:
      "The cluster's CNI. `flannel`: Talos's own. `none`: none (`cluster.network.cni.name: none`); install one yourself, the nodes stay NotReady until then. `manifests`: the files of `talos.cniManifests`, which Talos applies at bootstrap (docs/cni.md).",
  }),
  cniManifests: Type.Array(
    Type.String(),
    doc({
      file: "talos.cniManifests",
      default: [],
      description:
        "With `talos.cni: manifests`: Kubernetes manifest files, paths relative to the config file (in the construct's props: their text), given to the control planes as `cluster.inlineManifests`. Talos creates what is missing and never updates or deletes it (docs/cni.md). A `kind: Secret` in them is refused unless `talos.cniManifestsMayHoldSecrets` is true.",
    }),
  ),
  cniManifestsMayHoldSecrets: Type.Boolean(
    doc({
      file: "talos.cniManifestsMayHoldSecrets",
      default: false,
      description:
        "Accept a `kind: Secret` in `talos.cniManifests`: its data then sits in the machine configuration, the synthesized JSON and the Terraform state, readable by whoever reads those.",
    }),
  ),
  kubeProxy: Type.Boolean(
    doc({
      file: "talos.kubeProxy",
      default: true,
      description: "Run kube-proxy. `false` (`cluster.proxy.disabled: true`) for a CNI that replaces it, such as Cilium with `kubeProxyReplacement=true`.",
    }),
  ),
};

/**
 * The opt-in fast API failover (issue 21): a second VIP held by keepalived
 * (VRRPv3, fenced by the API server's /readyz) in a static pod on every
 * control plane. Rendered by domain/keepalived-config.ts and
 * domain/fast-failover-patches.ts, checked by domain/fast-failover-rules.ts.
 */
const FAST_FAILOVER_FIELDS = {
  fastFailoverEnabled: Type.Boolean(
    doc({
      file: "fastFailover.enabled",
      default: false,
      description:
        "Run keepalived on every control plane (a Talos static pod) holding `fastFailover.vip`: it moves within about 2 s of a crash instead of Talos's VIP's 40-64 s, and leaves a node whose API server is not ready. The kubeconfig's server becomes it; Talos's VIP stays as the fallback (docs/failover.md, Fast API failover).",
    }),
  ),
  fastFailoverVip: Type.String(
    doc({
      file: "fastFailover.vip",
      defaultText: "none; required with `fastFailover.enabled`",
      description: "The fast VIP: a free address in `network.cidr`, not `vip` nor any node's. It joins the API server's certSANs.",
    }),
  ),
  fastFailoverImage: Type.String(
    doc({
      file: "fastFailover.image",
      defaultText: "none; required with `fastFailover.enabled`",
      description:
        "The keepalived image, pinned by digest (`registry/name@sha256:<64 hex>`, a tag before `@` allowed): Debian's keepalived and curl and a `keepalived_script` user (the Dockerfile in docs/failover.md).",
    }),
  ),
  fastFailoverAdvertIntervalMs: Type.Integer(
    doc({
      file: "fastFailover.advertIntervalMs",
      default: 500,
      description: `VRRP advertisement interval in milliseconds, ${ADVERT_INTERVAL_MS_RANGE.min} to ${ADVERT_INTERVAL_MS_RANGE.max} in steps of ${ADVERT_INTERVAL_MS_RANGE.step} (VRRPv3 counts centiseconds). A crash moves the VIP after about 3.6 intervals plus the ARP update.`,
    }),
  ),
  fastFailoverVirtualRouterId: Type.Integer(
    doc({
      file: "fastFailover.virtualRouterId",
      defaultText: "derived from `clusterName` (1 to 255)",
      description: "The VRRP virtual router id (1 to 255). Set it when another VRRP router on the LAN (a router's or firewall's) uses the derived one.",
    }),
  ),
};

/** The construct's props, in the order docs/configuration.md lists them. Literal defaults are the reference homelab. */
export const CLUSTER_FIELDS = {
  clusterName: Type.String(doc({ file: "clusterName", default: "homelab", description: "Cluster name (Talos and kubeconfig context); a DNS-1123 label. It also seeds the nodes' MAC addresses." })),
  talosVersion: Type.String(
    doc({ file: "talosVersion", default: "v1.13.9", description: `Talos release the nodes run: the image, the installer and what upgrades go to (${TALOS_RANGE}).` }),
  ),
  configContract: Type.String(
    doc({
      file: "configContract",
      defaultText:
        "the contract the cluster was created with (kept in the machine secrets' state); for a new cluster `talosVersion` as `vMAJOR.MINOR`, capped at `v1.13`, the newest the pinned talos provider 0.11.0 generates",
      description:
        "The machine-configuration contract (`vMAJOR.MINOR`) the talos provider generates for: it picks the patch form and the schema they are checked against. It must not change under a running cluster; set it only to pin one.",
    }),
  ),
  kubernetesVersion: Type.String(
    doc({ file: "kubernetesVersion", default: "v1.36.3", description: `Kubernetes release; one the Talos release supports (Talos ${REFERENCE_CONTRACT.minor}: ${REFERENCE_CONTRACT.kubernetes.oldest} to ${REFERENCE_CONTRACT.kubernetes.newest}).` }),
  ),
  vip: Type.String(
    doc({
      file: "vip",
      default: "192.168.1.210",
      description: "The floating control-plane address (Talos Layer 2 VIP); clients use `https://<vip>:6443`. A free address in `network.cidr`.",
    }),
  ),
  allowSingleNode: Type.Boolean(doc({ file: "allowSingleNode", default: false, description: "Accept a single control plane. It is not highly available: losing it stops the cluster." })),
  vipReadyTimeoutSeconds: Type.Integer(
    doc({
      file: "vipReadyTimeoutSeconds",
      default: 600,
      description: "How long the first deploy waits for `https://<vip>:6443` to answer `/readyz` with every control plane Ready, in seconds.",
    }),
  ),
  networkCidr: Type.String(doc({ file: "network.cidr", default: "192.168.1.0/24", description: "The node network in CIDR notation; the VIP and every node live in it." })),
  gateway: Type.String(doc({ file: "network.gateway", defaultText: "the first host address of `network.cidr` (192.168.1.1)", description: "Default gateway of the nodes." })),
  dnsServers: Type.Array(Type.String(), doc({ file: "network.dnsServers", defaultText: "the gateway", description: "DNS servers of the nodes." })),
  bridge: Type.String(doc({ file: "network.bridge", default: "vmbr0", description: "Proxmox bridge the NICs attach to." })),
  vlanId: Type.Integer(doc({ file: "network.vlanId", defaultText: "untagged", description: `VLAN tag (${range(VLAN_ID_RANGE)}) of the VMs' NIC on the bridge (a VLAN-aware bridge).` })),
  proxmoxNode: Type.String(doc({ file: "proxmox.node", default: "pve", description: "Proxmox host for the nodes that name none (when `proxmox.nodes` is empty)." })),
  proxmoxNodes: Type.Array(
    Type.String(),
    doc({
      file: "proxmox.nodes",
      default: [],
      description:
        "Proxmox hosts to spread the VMs over: a VM that names no `proxmoxNode` goes to the host with the fewest VMs of its kind, control planes first (so no two share a host while there are enough hosts), then workers; with nothing pinned, round-robin in this order. A node's own `proxmoxNode` must be one of them. Empty: every VM on `proxmox.node` (set one or the other, not both).",
    }),
  ),
  haEnabled: Type.Boolean(
    doc({
      file: "proxmoxHa.enabled",
      default: false,
      description:
        "A Proxmox HA resource per VM (state started) and a home for each (a node-affinity rule; an HA group with `pve8`): Proxmox restarts a VM that stops, runs it on another host while its home is down, and moves it back when the home returns. Needs the VM disks on storage every host sees (`vm.datastoreShared`). Under HA a VM's host is its home: a changed `proxmoxNode` changes the home, and Proxmox live-migrates the VM once.",
    }),
  ),
  haKeepControlPlanesApart: Type.Boolean(
    doc({
      file: "proxmoxHa.keepControlPlanesApart",
      default: true,
      description: "With `proxmoxHa.strict`, keep the control planes on separate hosts even while a host is down. Without it, their homes keep them apart except during an outage.",
    }),
  ),
  haStrict: Type.Boolean(
    doc({
      file: "proxmoxHa.strict",
      default: false,
      description:
        "`false`: while a host is down, Proxmox may restart its control plane next to another one (etcd back to full strength, one host carrying two) and moves it back when the host returns. `true` (with `keepControlPlanesApart`): control planes never share a host, so one whose host is down stays down (etcd one member short) unless a host carries none; with `pve9`, each needs a host of its own.",
    }),
  ),
  haRules: stringEnum(HA_RULES_KINDS, {
    file: "proxmoxHa.rules",
    default: "pve9",
    description: "`pve9`: HA rules (Proxmox VE 9). `pve8`: HA groups, as Proxmox VE 8 has no rules.",
  }),
  cores: Type.Integer(doc({ file: "vm.cores", default: 2, description: `vCPU cores per VM (Talos needs at least ${CONTROL_PLANE_MINIMUMS.cores} for a control plane).` })),
  memoryMib: Type.Integer(doc({ file: "vm.memoryMib", default: 4096, description: `Memory per VM in MiB (Talos needs at least ${CONTROL_PLANE_MINIMUMS.memoryMib} for a control plane).` })),
  diskSizeGib: Type.Integer(doc({ file: "vm.diskGib", default: 32, description: `Boot disk size per VM in GiB (Talos needs at least ${CONTROL_PLANE_MINIMUMS.diskSizeGib}).` })),
  datastoreId: Type.String(doc({ file: "vm.datastoreId", default: "local-lvm", description: "Proxmox datastore for the VM disks (boot, EFI, cloud-init)." })),
  datastoreShared: Type.Boolean(
    doc({
      file: "vm.datastoreShared",
      default: false,
      description: "Whether every Proxmox host sees `vm.datastoreId` (Ceph RBD, NFS). Only then can Proxmox HA restart a VM on another host.",
    }),
  ),
  dataDisks: Type.Array(DataDiskSchema, doc({ file: "vm.dataDisks", default: [], description: `Data disks of each control-plane VM. ${DATA_DISKS_TEXT}` })),
  imageDatastoreId: Type.String(doc({ file: "vm.imageDatastoreId", default: "local", description: "Proxmox datastore the Talos image is downloaded to." })),
  imageDatastoreShared: Type.Boolean(
    doc({
      file: "vm.imageDatastoreShared",
      default: false,
      description:
        "Whether every Proxmox host sees `vm.imageDatastoreId` (CephFS, NFS): then the image is downloaded once, through the first host; otherwise once per host, under file names that carry the host so they never collide.",
    }),
  ),
  imageImport: stringEnum(IMAGE_IMPORT_METHODS, {
    file: "vm.imageImport",
    default: "api",
    description:
      "How each boot disk is created from the image. `api`: the factory's qcow2 as `import` content, then `import_from`, all through the API (Proxmox VE 8.4+; the image datastore must allow `import` content). `ssh`: the gzip raw image as `iso` content, then `qm disk import` over SSH (any Proxmox VE 8; needs PROXMOX_VE_SSH_*).",
  }),
  cpuType: Type.String(
    doc({
      file: "vm.cpuType",
      default: "host",
      description:
        "QEMU CPU type, one Proxmox knows: a qemu-server model (`host`, `x86-64-v2-AES`, `EPYC-Milan`, ...) or `custom-<name>`; another is refused with the closest names. `host` passes the host CPU through (fastest; blocks live migration between unlike hosts); `x86-64-v2-AES` is the portable choice.",
    }),
  ),
  systemExtensions: Type.Array(
    Type.String(),
    doc({
      file: "talos.systemExtensions",
      default: [...DEFAULT_SYSTEM_EXTENSIONS],
      description:
        "Official Talos system extensions baked into the image; one missing from siderolabs/extensions of `talosVersion`'s release gets a warning with the closest names. The VMs' guest agent is enabled only when `siderolabs/qemu-guest-agent` is among them.",
    }),
  ),
  imageFactoryUrl: Type.String(doc({ file: "talos.imageFactoryUrl", default: DEFAULT_IMAGE_FACTORY_URL, description: "Talos Image Factory the schematic and images come from." })),
  ...TALOS_PATCH_FIELDS,
  ...TALOS_SETTING_FIELDS,
  ...FAST_FAILOVER_FIELDS,
  controlPlanes: Type.Array(
    Type.Object(NODE_FIELDS, { additionalProperties: false }),
    doc({ file: "controlPlanes", default: REFERENCE_CONTROL_PLANES, description: `The control planes; the first one is bootstrapped. An odd number: 3, 5 or ${MAX_CONTROL_PLANES}.` }),
  ),
  workers: Type.Array(
    Type.Object(WORKER_NODE_FIELDS, { additionalProperties: false }),
    doc({ file: "workers", default: [], description: "The worker nodes; they run workloads and hold no etcd member, so they do not count toward quorum." }),
  ),
  workerCores: Type.Integer(doc({ file: "workerVm.cores", default: 4, description: `vCPU cores per worker VM (Talos needs at least ${WORKER_MINIMUMS.cores} for a worker).` })),
  workerMemoryMib: Type.Integer(doc({ file: "workerVm.memoryMib", default: 8192, description: `Memory per worker VM in MiB (Talos needs at least ${WORKER_MINIMUMS.memoryMib} for a worker).` })),
  workerDiskSizeGib: Type.Integer(doc({ file: "workerVm.diskGib", default: 64, description: `Boot disk size per worker VM in GiB (Talos needs at least ${WORKER_MINIMUMS.diskSizeGib}).` })),
  workerDataDisks: Type.Array(DataDiskSchema, doc({ file: "workerVm.dataDisks", default: [], description: `Data disks of each worker VM. ${DATA_DISKS_TEXT}` })),
  allowSchedulingOnControlPlanes: Type.Boolean(
    doc({
      file: "allowSchedulingOnControlPlanes",
      defaultText: "true when there are no workers, false otherwise",
      description: "Whether workloads may run on the control planes (Talos's `cluster.allowSchedulingOnControlPlanes`).",
    }),
  ),
};

/** How Terraform reaches the Proxmox API: the stack's provider settings, not the construct's. Credentials never go here. */
export const CONNECTION_FIELDS = {
  endpoint: Type.String(
    doc({ file: "proxmox.endpoint", defaultText: "the PROXMOX_VE_ENDPOINT environment variable at deploy time", description: "Proxmox API endpoint, e.g. `https://192.168.1.10:8006`." }),
  ),
  insecure: Type.Boolean(doc({ file: "proxmox.insecure", default: false, description: "Skip TLS verification of the Proxmox API (self-signed certificates)." })),
};

/** Where Terraform keeps the stack's state. */
export type StateBackendType = "local" | "pg";
export const STATE_BACKEND_TYPES: readonly StateBackendType[] = ["local", "pg"];

/**
 * The stack's state backend. The PostgreSQL connection string is never a
 * field: Terraform's pg backend reads it from PG_CONN_STR.
 */
export const BACKEND_FIELDS = {
  type: stringEnum(STATE_BACKEND_TYPES, {
    file: "backend.type",
    default: "local",
    description:
      "Where Terraform keeps the state. `local`: `terraform.homelab.tfstate` in the project folder. `pg`: Terraform's PostgreSQL backend, with locking; the connection string comes only from the `PG_CONN_STR` environment variable.",
  }),
  schemaName: Type.String(
    doc({
      file: "backend.schemaName",
      defaultText: "`clusterName`",
      description: `\`pg\` only: the PostgreSQL schema that holds this cluster's state (one schema per cluster); 1-${MAX_SCHEMA_NAME} letters, digits, \`_\` or \`-\`, not starting with \`pg_\`.`,
    }),
  ),
};
export const StateBackendPropsSchema = Type.Partial(Type.Object(BACKEND_FIELDS));

export const ControlPlaneNodeSchema = CLUSTER_FIELDS.controlPlanes.items;
export const WorkerNodeSchema = CLUSTER_FIELDS.workers.items;
export const ControlPlaneHaPropsSchema = Type.Partial(Type.Object(CLUSTER_FIELDS));
export const ProxmoxConnectionPropsSchema = Type.Partial(Type.Object(CONNECTION_FIELDS));

/** The literal default of each field that has one. */
export function defaultsOf<F extends Record<string, TSchema>>(fields: F): Partial<{ [K in keyof F]: Static<F[K]> }> {
  return Object.fromEntries(Object.entries(fields).filter(([, schema]) => schema.default !== undefined).map(([key, schema]) => [key, schema.default])) as Partial<{
    [K in keyof F]: Static<F[K]>;
  }>;
}
