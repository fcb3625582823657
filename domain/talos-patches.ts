/**
 * Talos machine-config patches, rendered to YAML text here (not with
 * Terraform's yamlencode) so the synthesized JSON holds the literal patch a
 * reviewer reads in a pull request. Each patch is one YAML document.
 *
 * Every patch rendered here is validated in the tests against Talos's own
 * config JSON schema for its release.
 */
import { stringify } from "yaml";
import { talosRelease } from "./talos-versions";

/** Alias Talos gives the node's NIC (found by MAC) so the VIP document can name it. */
export const VIP_LINK_ALIAS = "uplink";

export interface NodePatchInput {
  /** The machine-configuration contract, `vMAJOR.MINOR` (a full version is read as its minor): picks the patch form. */
  readonly configContract: string;
  /** Static hostname, also the VM name. */
  readonly hostname: string;
  /** The node's NIC address, as Proxmox reports it (any case). */
  readonly macAddress: string;
  /** The floating control-plane address. */
  readonly vip: string;
}

/**
 * The per-node patches: the VIP bound to the node's NIC and a static hostname.
 *
 * Up to Talos 1.11 both live in `machine.network` (the interface found with a
 * `deviceSelector` on its MAC). From 1.12 they are `LinkAliasConfig` +
 * `Layer2VIPConfig` and `HostnameConfig` documents; the two forms are never
 * mixed in one config.
 */
export function renderNodePatches(input: NodePatchInput): string[] {
  const release = talosRelease(input.configContract);
  if (!release) {
    throw new Error(`no machine-config patch form for the Talos contract ${input.configContract}`);
  }
  const mac = input.macAddress.toLowerCase(); // Linux and Talos print MACs in lower case
  if (release.networkConfigStyle === "v1alpha1") {
    return [
      toYaml({
        machine: {
          network: {
            hostname: input.hostname,
            interfaces: [{ deviceSelector: { hardwareAddr: mac }, vip: { ip: input.vip } }],
          },
        },
      }),
    ];
  }
  return [
    toYaml({
      apiVersion: "v1alpha1",
      kind: "LinkAliasConfig",
      name: VIP_LINK_ALIAS,
      selector: { match: `mac(link.permanent_addr) == "${mac}"` },
    }),
    toYaml({ apiVersion: "v1alpha1", kind: "Layer2VIPConfig", name: input.vip, link: VIP_LINK_ALIAS }),
    hostnameConfig(input.hostname),
  ];
}

export interface ClusterPatchInput {
  /** The node network, e.g. `192.168.1.0/24`. */
  readonly networkCidr: string;
  readonly vip: string;
  /** Installer image upgrades use; keeps the schematic's extensions across upgrades. */
  readonly installerImage: string;
}

export interface ControlPlanePatchInput extends ClusterPatchInput {
  /** Whether workloads may run on the control planes (no `NoSchedule` taint). */
  readonly allowSchedulingOnControlPlanes: boolean;
}

/** The node network without the VIP: where node IPs may be picked from. */
function nodeSubnets(input: ClusterPatchInput): string[] {
  return [input.networkCidr, `!${input.vip}/32`];
}

/**
 * Patches shared by every control plane: etcd peers and kubelet node IPs are
 * picked only from the node network, never the VIP (a node holding the VIP
 * must not advertise it as its own address), upgrades use the factory
 * installer for this schematic, and workloads are allowed on the control
 * planes or not.
 */
export function renderClusterPatches(input: ControlPlanePatchInput): string[] {
  return [
    toYaml({
      cluster: { allowSchedulingOnControlPlanes: input.allowSchedulingOnControlPlanes, etcd: { advertisedSubnets: nodeSubnets(input) } },
      machine: {
        kubelet: { nodeIP: { validSubnets: nodeSubnets(input) } },
        install: { image: input.installerImage },
      },
    }),
  ];
}

/**
 * Patches shared by every worker: the kubelet's node IP from the node network
 * (never the VIP, like the control planes) and the factory installer for
 * upgrades. Workers run no etcd, so there is nothing to advertise.
 */
export function renderWorkerPatches(input: ClusterPatchInput): string[] {
  return [
    toYaml({
      machine: {
        kubelet: { nodeIP: { validSubnets: nodeSubnets(input) } },
        install: { image: input.installerImage },
      },
    }),
  ];
}

export interface WorkerNodePatchInput {
  /** The machine-configuration contract, `vMAJOR.MINOR` (a full version is read as its minor): picks the patch form. */
  readonly configContract: string;
  /** Static hostname, also the VM name. */
  readonly hostname: string;
}

/**
 * The per-worker patch: a static hostname (no VIP on a worker). Up to Talos
 * 1.11 it is `machine.network.hostname`; from 1.12 a `HostnameConfig` document.
 */
export function renderWorkerNodePatches(input: WorkerNodePatchInput): string[] {
  const release = talosRelease(input.configContract);
  if (!release) {
    throw new Error(`no machine-config patch form for the Talos contract ${input.configContract}`);
  }
  if (release.networkConfigStyle === "v1alpha1") {
    return [toYaml({ machine: { network: { hostname: input.hostname } } })];
  }
  return [hostnameConfig(input.hostname)];
}

/** The static hostname document of Talos 1.12+. */
function hostnameConfig(hostname: string): string {
  // `auto: off` stops the default `auto: stable` document from conflicting with the static name.
  return toYaml({ apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "off", hostname });
}

function toYaml(document: object): string {
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
