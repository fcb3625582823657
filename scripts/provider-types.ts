/**
 * The one list of Terraform types this project uses, per provider.
 *
 * `generate-bindings.ts` keeps only these when it generates `.gen/`, so the
 * committed bindings stay small and fast to load. Provider versions come
 * from cdktf.json (`terraformProviders`). Add a type here, run
 * `npm run generate`, and commit the result.
 */
export interface UsedProviderTypes {
  /** Registry source, as in cdktf.json: `bpg/proxmox`. */
  readonly source: string;
  /**
   * Schema file under the shared folder.
   * @default - `provider-schemas/<namespace>-<name>-<version>.json`
   */
  readonly schemaFile?: string;
  /** Bindings come prebuilt from npm (no generation, schema only). */
  readonly prebuilt?: boolean;
  readonly resources: readonly string[];
  readonly dataSources: readonly string[];
}

export const USED_PROVIDER_TYPES: readonly UsedProviderTypes[] = [
  {
    source: "bpg/proxmox",
    resources: [
      "proxmox_download_file",
      "proxmox_hagroup",
      "proxmox_haresource",
      "proxmox_harule",
      "proxmox_virtual_environment_vm",
    ],
    dataSources: [],
  },
  {
    source: "siderolabs/talos",
    resources: [
      "talos_cluster_kubeconfig",
      "talos_image_factory_schematic",
      "talos_machine_bootstrap",
      "talos_machine_configuration_apply",
      "talos_machine_secrets",
    ],
    dataSources: ["talos_client_configuration", "talos_cluster_health", "talos_machine_configuration"],
  },
  {
    // @cdktf/provider-null 11.0.1 is built from hashicorp/null 3.2.4.
    source: "hashicorp/null",
    schemaFile: "tools/terraform-offline/schemas/hashicorp-null-3.2.4.json",
    prebuilt: true,
    resources: ["null_resource"],
    dataSources: [],
  },
];
