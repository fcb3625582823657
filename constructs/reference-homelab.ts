/**
 * The reference homelab: what {@link ControlPlaneHa} builds when nothing is
 * configured. Three control planes on one Proxmox host behind a Layer 2 VIP.
 */
import { ControlPlaneNodeProps } from "./control-plane-ha-props";
import { DEFAULT_IMAGE_FACTORY_URL, DEFAULT_SYSTEM_EXTENSIONS } from "./image-factory";

export const REFERENCE_HOMELAB = {
  clusterName: "homelab",
  talosVersion: "v1.13.9",
  kubernetesVersion: "v1.36.3",
  vip: "192.168.1.210",
  networkCidr: "192.168.1.0/24",
  bridge: "vmbr0",
  proxmoxNode: "pve",
  cores: 2,
  memoryMib: 4096,
  diskSizeGib: 32,
  datastoreId: "local-lvm",
  imageDatastoreId: "local",
  imageDatastoreShared: false,
  imageImport: "api",
  cpuType: "host",
  systemExtensions: DEFAULT_SYSTEM_EXTENSIONS,
  imageFactoryUrl: DEFAULT_IMAGE_FACTORY_URL,
  vipReadyTimeoutSeconds: 600,
  allowSingleNode: false,
  controlPlanes: [
    { name: "k8s-controller1", ip: "192.168.1.211" },
    { name: "k8s-controller2", ip: "192.168.1.212" },
    { name: "k8s-controller3", ip: "192.168.1.213" },
  ] as readonly ControlPlaneNodeProps[],
} as const;

/** Port of the Kubernetes API server behind the VIP. */
export const KUBERNETES_API_PORT = 6443;
