import { Construct } from "constructs";
import { ImageFactorySchematic } from "../.gen/providers/talos/image-factory-schematic";
import { VirtualEnvironmentDownloadFile } from "../.gen/providers/proxmox/virtual-environment-download-file";
import { nocloudDiskImageUrl, nocloudInstallerImage, renderSchematic } from "./image-factory";

export interface TalosImageProps {
  /** Talos release of the image, e.g. `v1.13.9`. */
  readonly talosVersion: string;
  /** Official extensions baked into the image. */
  readonly systemExtensions: readonly string[];
  /** The Image Factory the provider talks to. */
  readonly imageFactoryUrl: string;
  /** Proxmox hosts that need the image; one download each. */
  readonly proxmoxHosts: readonly string[];
  /** Datastore with `iso` content the image is downloaded to. */
  readonly datastoreId: string;
  /** Prefix of the file name on the host, so clusters sharing a host do not collide. */
  readonly clusterName: string;
}

/**
 * The Talos nocloud disk image: an Image Factory schematic with the
 * requested extensions, downloaded once to each Proxmox host that runs a VM.
 */
export class TalosImage extends Construct {
  public readonly schematic: ImageFactorySchematic;
  /** `<factory host>/nocloud-installer/<schematic id>:<version>`, for `machine.install.image`. */
  public readonly installerImage: string;
  private readonly downloads = new Map<string, VirtualEnvironmentDownloadFile>();

  constructor(scope: Construct, id: string, props: TalosImageProps) {
    super(scope, id);

    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/resources/image_factory_schematic
    this.schematic = new ImageFactorySchematic(this, "Schematic", {
      schematic: renderSchematic(props.systemExtensions),
    });
    this.installerImage = nocloudInstallerImage(props.imageFactoryUrl, this.schematic.id, props.talosVersion);

    const url = nocloudDiskImageUrl(props.imageFactoryUrl, this.schematic.id, props.talosVersion);
    for (const host of props.proxmoxHosts) {
      // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/virtual_environment_download_file
      const download = new VirtualEnvironmentDownloadFile(this, `Download-${host}`, {
        nodeName: host,
        datastoreId: props.datastoreId,
        contentType: "iso",
        url,
        decompressionAlgorithm: "gz",
        fileName: `talos-${props.clusterName}-${props.talosVersion}-nocloud-amd64.img`,
        // Keep the file the VMs were created from even if the factory rebuilds it.
        overwrite: false,
      });
      this.downloads.set(host, download);
    }
  }

  /** The Proxmox file id (`<datastore>:iso/<file>`) of the image on a host. */
  public fileIdOn(host: string): string {
    const download = this.downloads.get(host);
    if (!download) {
      throw new Error(`no Talos image is downloaded to Proxmox host ${host}`);
    }
    return download.id;
  }
}
