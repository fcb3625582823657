/**
 * The official Talos system extensions of each Talos minor the nodes may run,
 * as the Image Factory names them (`siderolabs/<image>`). A name outside the
 * list of `talosVersion`'s minor is likely a typo, or an extension that does
 * not exist (yet, or any more) for that release: a warning, never a refusal.
 *
 * Source: github:siderolabs/extensions, at the tag of the newest release of
 * each minor (read 2026-12-04). Each extension's image is
 * ghcr.io/siderolabs/<target>, where the targets are the `TARGETS` and
 * `NONFREE_TARGETS` of the repository's Makefile (its
 * internal/extensions/image-digests, which the factory lists, is built from
 * them). To update: `git show <tag>:Makefile | grep -E '^(NONFREE_)?TARGETS'`.
 */
import { closestNames, orList } from "./closest-names";
import { parseVersion } from "./talos-versions";

/** The image names of each minor, without the `siderolabs/` publisher. */
const TARGETS_BY_MINOR: Readonly<Record<string, { readonly tag: string; readonly targets: string }>> = {
  "1.11": {
    tag: "v1.11.6",
    targets: `
    amazon-ena amd-ucode amdgpu binfmt-misc bnx2-bnx2x btrfs chelsio-drivers chelsio-firmware cloudflared crun
    ctr drbd dvb-cx23885 dvb-m88ds3103 ecr-credential-provider fuse3 gasket-driver glibc gvisor gvisor-debug
    hailort hello-world-service i915 intel-ice-firmware intel-ucode iscsi-tools kata-containers lldpd
    mdadm mei metal-agent nebula newt nfsd nfsrahead nonfree-kmod-nvidia-lts nonfree-kmod-nvidia-production
    nut-client nvidia-container-toolkit-lts nvidia-container-toolkit-production nvidia-fabricmanager-lts
    nvidia-fabricmanager-production nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production
    nvme-cli panfrost qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware spin stargz-snapshotter
    tailscale tenstorrent thunderbolt uinput usb-modem-drivers util-linux-tools v4l-uvc-drivers vc4
    vmtoolsd-guest-agent wasmedge xdma-driver xen-guest-agent youki zerotier zfs`,
  },
  "1.12": {
    tag: "v1.12.11",
    targets: `
    amazon-ena amd-ucode amdgpu binfmt-misc bird2 bnx2-bnx2x btrfs chelsio-drivers chelsio-firmware cloudflared
    crun ctr drbd dvb-cx23885 dvb-m88ds3103 ecr-credential-provider fuse3 gasket-driver glibc gpio-pinctrl gvisor
    gvisor-debug hailort hello-world-service i915 intel-ice-firmware intel-ucode iscsi-tools kata-containers
    lldpd mdadm mei mellanox-mstflint metal-agent multipath-tools nebula netbird newt nfs-utils nfsd
    nfsrahead nonfree-kmod-nvidia-lts nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts
    nvidia-container-toolkit-production nvidia-fabricmanager-lts nvidia-fabricmanager-production
    nvidia-gdrdrv-device nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production
    nvme-cli panfrost qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware soci-snapshotter
    spin stargz-snapshotter tailscale tenstorrent thunderbolt trident-iscsi-tools uinput usb-audio-drivers
    usb-modem-drivers util-linux-tools v4l-uvc-drivers vc4 vmtoolsd-guest-agent wasmedge xdma-driver xe
    xen-guest-agent youki zerotier zfs`,
  },
  "1.13": {
    tag: "v1.13.9",
    targets: `
    amazon-ena amd-ucode amdgpu binfmt-misc bird2 bnx2-bnx2x btrfs chelsio-drivers chelsio-firmware cloudflared
    crun ctr drbd dvb-cx23885 dvb-m88ds3103 ecr-credential-provider fuse3 gasket-driver glibc gpio-pinctrl gvisor
    gvisor-debug hailort hello-world-service i915 intel-ice-firmware intel-npu intel-ucode iscsi-tools joydev
    kata-containers lldpd mdadm mei mellanox-mstflint metal-agent multipath-tools nebula netbird newt nfs-utils
    nfsd nfsrahead nonfree-kmod-nvidia-lts nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts
    nvidia-container-toolkit-production nvidia-fabricmanager-lts nvidia-fabricmanager-production
    nvidia-gdrdrv-device nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production
    nvme-cli panfrost px-fuse qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware rockchip-rknn
    soci-snapshotter spin stargz-snapshotter tailscale tenstorrent thunderbolt trident-iscsi-tools uhid
    uinput usb-audio-drivers usb-modem-drivers util-linux-tools v4l-uvc-drivers vc4 vmtoolsd-guest-agent
    wasmedge xdma-driver xe xen-guest-agent youki zerotier zfs`,
  },
  // 1.14 has no release yet: its newest pre-release.
  "1.14": {
    tag: "v1.14.0-rc.1",
    targets: `
    amazon-ena amd-ucode amdgpu binfmt-misc bird2 bnx2-bnx2x btrfs chelsio-drivers chelsio-firmware cloudflared
    crun ctr drbd dvb-cx23885 dvb-m88ds3103 ecr-credential-provider fuse3 gasket-driver glibc gpio-pinctrl
    gvisor gvisor-debug hailort harbor-credential-provider hello-world-service hyperv-guest-agent i915
    intel-ice-firmware intel-npu intel-ucode iscsi-tools joydev kata-containers kata-containers-snp lldpd
    mdadm mei mellanox-mstflint metal-agent multipath-tools nebula netbird newt nfs-utils nfsd nfsrahead
    nonfree-kmod-nvidia-lts nonfree-kmod-nvidia-production nut-client nvidia-container-toolkit-lts
    nvidia-container-toolkit-production nvidia-fabricmanager-lts nvidia-fabricmanager-production
    nvidia-gdrdrv-device nvidia-open-gpu-kernel-modules-lts nvidia-open-gpu-kernel-modules-production
    nvme-cli panfrost px-fuse qemu-guest-agent qlogic-firmware realtek-firmware revpi-firmware rockchip-rknn
    soci-snapshotter spin stargz-snapshotter tailscale tenstorrent thunderbolt trident-iscsi-tools uhid
    uinput usb-audio-drivers usb-modem-drivers util-linux-tools v4l-uvc-drivers vc4 vmtoolsd-guest-agent
    wasmedge xdma-driver xe xen-guest-agent youki zerotier zfs`,
  },
};

const PUBLISHER = "siderolabs/";

const OFFICIAL: ReadonlyMap<string, { readonly tag: string; readonly names: readonly string[]; readonly known: ReadonlySet<string> }> = new Map(
  Object.entries(TARGETS_BY_MINOR).map(([minor, { tag, targets }]) => {
    const names = targets.trim().split(/\s+/).map((target) => `${PUBLISHER}${target}`);
    return [minor, { tag, names, known: new Set(names) }];
  }),
);

/** The official extension names of a Talos version's minor (`v1.13.9`), or undefined when the list does not cover it. */
export function officialExtensions(talosVersion: string): readonly string[] | undefined {
  const version = parseVersion(talosVersion);
  return version && OFFICIAL.get(`${version.major}.${version.minor}`)?.names;
}

/** One warning for each extension the list of `talosVersion`'s minor does not have, with the closest names. */
export function unknownExtensionWarnings(talosVersion: string | undefined, systemExtensions: readonly string[]): string[] {
  const version = parseVersion(talosVersion ?? "");
  const official = version && OFFICIAL.get(`${version.major}.${version.minor}`);
  if (!official) return [];
  return systemExtensions
    .filter((extension) => !official.known.has(extension))
    .map(
      (extension) =>
        `talos.systemExtensions has ${extension}, which is not an official extension of Talos ${version.major}.${version.minor} (siderolabs/extensions ${official.tag}): did you mean ${orList(closestNames(extension, official.names))}?`,
    );
}
