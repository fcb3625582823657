import { Construct } from "constructs";
import { ImageFactorySchematic } from "../.gen/providers/talos/image-factory-schematic";
import { DownloadFile } from "../.gen/providers/proxmox/download-file";
import { ImageImportMethod, nocloudDiskImage, nocloudInstallerImage, nocloudInstallerRepository, renderSchematic, talosImageFileName } from "../domain/image-factory";
import { moveFromLongTypeName } from "./private/terraform-address";

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
  /**
   * Whether every host sees the same `datastoreId` (CephFS, NFS): then the
   * image is downloaded once, through the first host, and every VM uses it.
   */
  readonly datastoreShared: boolean;
  /** How the VMs' boot disks get the image: through the API (import content) or over SSH (iso content). */
  readonly importMethod: ImageImportMethod;
  /** Prefix of the file name on the host, so clusters sharing a host do not collide. */
  readonly clusterName: string;
}

/**
 * The Talos nocloud disk image: an Image Factory schematic with the
 * requested extensions, downloaded once to each Proxmox host that runs a VM,
 * or once in all when the datastore is shared between the hosts.
 */
export class TalosImage extends Construct {
  public readonly schematic: ImageFactorySchematic;
  /** `<factory host>/nocloud-installer/<schematic id>:<version>`, for `machine.install.image`. */
  public readonly installerImage: string;
  /** `<factory host>/nocloud-installer/<schematic id>`: an upgrade appends `:<version>`. */
  public readonly installerRepository: string;
  private readonly downloads = new Map<string, DownloadFile>();
  private readonly sharedDownload?: DownloadFile;

  constructor(scope: Construct, id: string, props: TalosImageProps) {
    super(scope, id);

    // @see https://registry.terraform.io/providers/siderolabs/talos/0.11.0/docs/resources/image_factory_schematic
    this.schematic = new ImageFactorySchematic(this, "Schematic", {
      schematic: renderSchematic(props.systemExtensions),
    });
    this.installerImage = nocloudInstallerImage(props.imageFactoryUrl, this.schematic.id, props.talosVersion);
    this.installerRepository = nocloudInstallerRepository(props.imageFactoryUrl, this.schematic.id);

    const image = nocloudDiskImage(props.importMethod, props.imageFactoryUrl, this.schematic.id, props.talosVersion);
    const [firstHost] = props.proxmoxHosts;
    const downloadHosts = props.datastoreShared ? [firstHost] : props.proxmoxHosts;
    for (const host of downloadHosts) {
      // @see https://registry.terraform.io/providers/bpg/proxmox/0.111.1/docs/resources/download_file
      const download = new DownloadFile(this, `Download-${host}`, {
        nodeName: host,
        datastoreId: props.datastoreId,
        contentType: image.contentType,
        url: image.url,
        decompressionAlgorithm: image.decompressionAlgorithm,
        fileName: talosImageFileName(props.clusterName, props.talosVersion, image.extension, props.datastoreShared ? undefined : host),
        // Keep the file the VMs were created from even if the factory rebuilds it.
        overwrite: false,
        // A file of that name that Terraform does not manage (left by an interrupted
        // earlier download) is replaced instead of failing every later run.
        overwriteUnmanaged: true,
      });
      // The state of a stack from before the short type names moves over.
      moveFromLongTypeName(download);
      this.downloads.set(host, download);
    }
    this.sharedDownload = props.datastoreShared ? this.downloads.get(firstHost) : undefined;
  }

  /** The Proxmox volume id (`<datastore>:import/<file>` or `<datastore>:iso/<file>`) of the image on a host. */
  public fileIdOn(host: string): string {
    const download = this.sharedDownload ?? this.downloads.get(host);
    if (!download) {
      throw new Error(`no Talos image is downloaded to Proxmox host ${host}`);
    }
    return download.id;
  }
}
