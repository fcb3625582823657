import { ImageImportMethod } from "./image-factory";

/**
 * Props of {@link ControlPlaneHa}. Every field is optional: the defaults are
 * the reference homelab (see `reference-homelab.ts`).
 */

/** One control-plane VM. */
export interface ControlPlaneNodeProps {
  /**
   * VM name and Talos hostname; a DNS-1123 label. It also keys the node's
   * Terraform addresses (`Nodes/<name>/...`), so renaming a node replaces it.
   */
  readonly name: string;
  /** Static IPv4 address inside `networkCidr`. */
  readonly ip: string;
  /**
   * Proxmox VM id (100..999999999).
   * @default - the last octet of `ip` (211 for 192.168.1.211), or 1000 + the last octet when that is below 100 (1011 for 10.0.0.11)
   */
  readonly vmId?: number;
  /**
   * Proxmox host (cluster node name) that runs this VM.
   * @default - the construct's `proxmoxNode`
   */
  readonly proxmoxNode?: string;
  /**
   * vCPU cores of this VM.
   * @default - the construct's `cores`
   */
  readonly cores?: number;
  /**
   * Memory of this VM in MiB.
   * @default - the construct's `memoryMib`
   */
  readonly memoryMib?: number;
}

export interface ControlPlaneHaProps {
  /**
   * Cluster name (Talos and kubeconfig context); also seeds the nodes' MAC addresses.
   * @default "homelab"
   */
  readonly clusterName?: string;
  /**
   * Talos release of the image and machine configuration (`v1.11.x` to `v1.13.x`).
   * @default "v1.13.9"
   */
  readonly talosVersion?: string;
  /**
   * Kubernetes release; must be one the Talos release supports.
   * @default "v1.36.3"
   */
  readonly kubernetesVersion?: string;
  /**
   * The floating control-plane address (Talos Layer 2 VIP). Every client uses
   * `https://<vip>:6443`. It must be a free address in `networkCidr`.
   * @default "192.168.1.210"
   */
  readonly vip?: string;
  /**
   * The node network in CIDR notation; the VIP and every node live in it.
   * @default "192.168.1.0/24"
   */
  readonly networkCidr?: string;
  /**
   * Default gateway of the nodes.
   * @default - the first host address of `networkCidr` (192.168.1.1)
   */
  readonly gateway?: string;
  /**
   * DNS servers of the nodes.
   * @default - the gateway
   */
  readonly dnsServers?: string[];
  /**
   * Proxmox bridge the NICs attach to.
   * @default "vmbr0"
   */
  readonly bridge?: string;
  /**
   * Proxmox host for nodes that name none.
   * @default "pve"
   */
  readonly proxmoxNode?: string;
  /**
   * vCPU cores per VM (Talos needs at least 2 for a control plane).
   * @default 2
   */
  readonly cores?: number;
  /**
   * Memory per VM in MiB (Talos needs at least 2048 for a control plane).
   * @default 4096
   */
  readonly memoryMib?: number;
  /**
   * Boot disk size per VM in GiB (Talos needs at least 10).
   * @default 32
   */
  readonly diskSizeGib?: number;
  /**
   * Proxmox datastore for the VM disks (boot, EFI, cloud-init).
   * @default "local-lvm"
   */
  readonly datastoreId?: string;
  /**
   * Proxmox datastore (with `iso` content) the Talos image is downloaded to.
   * @default "local"
   */
  readonly imageDatastoreId?: string;
  /**
   * Whether `imageDatastoreId` is storage every Proxmox host sees (CephFS, NFS).
   * Then the image is downloaded once, through the first host; otherwise once
   * per host, under file names that carry the host so they never collide.
   * @default false
   */
  readonly imageDatastoreShared?: boolean;
  /**
   * How each VM's boot disk is created from the Talos image. `api`: Proxmox
   * downloads the factory's qcow2 as `import` content and creates the disk
   * with `import_from`, all through the API (Proxmox VE 8.4+, and
   * `imageDatastoreId` must allow `import` content). `ssh`: Proxmox downloads
   * the gzip raw image as `iso` content and the provider runs `qm disk import`
   * on the host over SSH (any Proxmox VE 8; needs PROXMOX_VE_SSH_*).
   * @default "api"
   */
  readonly imageImport?: ImageImportMethod;
  /**
   * QEMU CPU type. `host` passes the host CPU through (fastest; blocks live
   * migration between unlike hosts); `x86-64-v2-AES` is the portable choice.
   * @default "host"
   */
  readonly cpuType?: string;
  /**
   * The control planes. The first one is bootstrapped.
   * @default - k8s-controller1..3 at 192.168.1.211..213
   */
  readonly controlPlanes?: ControlPlaneNodeProps[];
  /**
   * Official Talos system extensions baked into the image.
   * @default ["siderolabs/qemu-guest-agent"]
   */
  readonly systemExtensions?: string[];
  /**
   * Talos Image Factory the schematic and images come from.
   * @default "https://factory.talos.dev"
   */
  readonly imageFactoryUrl?: string;
  /**
   * How long the first deploy's health wait waits, in seconds, for
   * https://<vip>:6443 to answer `/readyz` and every control plane to be Ready.
   * @default 600
   */
  readonly vipReadyTimeoutSeconds?: number;
  /**
   * Allow a single control plane. It is not highly available: losing it stops the cluster.
   * @default false
   */
  readonly allowSingleNode?: boolean;
}
