/**
 * Which argument changes make Terraform replace a resource, for the resource
 * types this stack uses.
 *
 * `terraform providers schema -json` does not carry ForceNew (SDKv2) or
 * RequiresReplace (plugin framework), so this table is written from the
 * providers' source at the pinned versions, one `@see` per entry. An argument
 * in neither list is "unclassified": the review then says that only
 * `terraform plan` can tell. Keep the table small and checked rather than
 * complete and guessed.
 */
import { DOWNLOAD_FILE_TYPE } from "../domain/proxmox-type-names";

/** When a force-new argument's change replaces the resource. */
export type ReplaceCondition =
  /** Any change. */
  | { readonly kind: "always" }
  /** Any change, unless this top-level boolean argument is `true` in the new configuration. */
  | { readonly kind: "unless-true"; readonly attribute: string }
  /** Only when a version string is lowered; raising it is an in-place update. */
  | { readonly kind: "when-lowered" }
  /**
   * Only when the enclosing `block` is in both the old and the new
   * configuration and the value, with the provider's `default` for an unset
   * one, differs. Adding or removing the block is an in-place update.
   */
  | { readonly kind: "when-block-kept"; readonly block: string; readonly default: string };

export interface ForceNewArgument {
  /** Argument path without list indexes (`disk.file_id`); `clone.*` also matches everything below `clone`. */
  readonly attribute: string;
  readonly when: ReplaceCondition;
  /** The provider's rule, in a few words. */
  readonly rule: string;
  readonly see: string;
}

export interface ResourceTypeRules {
  readonly forceNew: readonly ForceNewArgument[];
  /** Arguments checked to have no ForceNew/RequiresReplace: changed, they are updated in place. */
  readonly inPlace: readonly string[];
  /** Where the in-place list was checked. */
  readonly inPlaceSee: string;
}

const BPG = "https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1";
const BPG_VM = `${BPG}/proxmoxtf/resource/vm/vm.go`;
const BPG_VM_DISK = `${BPG}/proxmoxtf/resource/vm/disk/schema.go`;
const BPG_DOWNLOAD = `${BPG}/fwprovider/nodes/resource_download_file.go`;
const TALOS = "https://github.com/siderolabs/terraform-provider-talos/blob/v0.11.0/pkg/talos";
const NULL_RESOURCE = "https://github.com/hashicorp/terraform-provider-null/blob/v3.2.4/internal/provider/resource.go";

const ALWAYS = { kind: "always" } as const;

export const FORCE_NEW_RULES: Readonly<Record<string, ResourceTypeRules>> = {
  proxmox_virtual_environment_vm: {
    forceNew: [
      /** CustomizeDiff `ForceNewIf(vm_id)`: a new id is a new VM. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1767-L1780 */
      { attribute: "vm_id", when: ALWAYS, rule: "CustomizeDiff ForceNewIf(vm_id)", see: `${BPG_VM}#L1767-L1780` },
      /** CustomizeDiff `ForceNewIf(node_name, !migrate)`: moving hosts re-creates the VM unless `migrate = true`. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1781-L1790 */
      {
        attribute: "node_name",
        when: { kind: "unless-true", attribute: "migrate" },
        rule: "CustomizeDiff ForceNewIf(node_name) unless migrate = true",
        see: `${BPG_VM}#L1781-L1790`,
      },
      /** Every `clone` argument is ForceNew. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L592-L640 */
      { attribute: "clone.*", when: ALWAYS, rule: "ForceNew", see: `${BPG_VM}#L592-L640` },
      /** `disk.file_id`: ForceNew (the image is only read when the disk is created). @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/disk/schema.go#L136-L143 */
      { attribute: "disk.file_id", when: ALWAYS, rule: "ForceNew", see: `${BPG_VM_DISK}#L136-L143` },
      /**
       * `efi_disk.type`: CustomizeDiff forceNewOnEFIDiskTypeChange, only when the block is in the old and
       * the new configuration (unset means the default "2m", vm.go L89).
       * @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1875-L1928
       */
      {
        attribute: "efi_disk.type",
        when: { kind: "when-block-kept", block: "efi_disk", default: "2m" },
        rule: "CustomizeDiff forceNewOnEFIDiskTypeChange",
        see: `${BPG_VM}#L1875-L1928`,
      },
      /**
       * `tpm_state.version`: CustomizeDiff forceNewOnTPMVersionChange, only when the block is in the old
       * and the new configuration (unset means the default "v2.0", vm.go L92).
       * @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1814-L1873
       */
      {
        attribute: "tpm_state.version",
        when: { kind: "when-block-kept", block: "tpm_state", default: "v2.0" },
        rule: "CustomizeDiff forceNewOnTPMVersionChange",
        see: `${BPG_VM}#L1814-L1873`,
      },
      /** `initialization.type` (cloud-init format): ForceNew. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1026-L1033 */
      { attribute: "initialization.type", when: ALWAYS, rule: "ForceNew", see: `${BPG_VM}#L1026-L1033` },
      /** `initialization.user_data_file_id`: ForceNew. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L994-L1001 */
      { attribute: "initialization.user_data_file_id", when: ALWAYS, rule: "ForceNew", see: `${BPG_VM}#L994-L1001` },
      /** `initialization.vendor_data_file_id`: ForceNew. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1002-L1009 */
      { attribute: "initialization.vendor_data_file_id", when: ALWAYS, rule: "ForceNew", see: `${BPG_VM}#L1002-L1009` },
      /** `initialization.network_data_file_id`: ForceNew. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1010-L1017 */
      { attribute: "initialization.network_data_file_id", when: ALWAYS, rule: "ForceNew", see: `${BPG_VM}#L1010-L1017` },
      /** `initialization.meta_data_file_id`: ForceNew. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1018-L1025 */
      { attribute: "initialization.meta_data_file_id", when: ALWAYS, rule: "ForceNew", see: `${BPG_VM}#L1018-L1025` },
    ],
    // No ForceNew in vm.go, disk/schema.go or network/schema.go. Disk moves
    // (disk.datastore_id), interface renames and efi_disk.datastore_id are left
    // out on purpose: the provider handles them in its update code, not checked here.
    inPlace: [
      "name",
      "description",
      "tags",
      "bios",
      "machine",
      "acpi",
      "on_boot",
      "started",
      "boot_order",
      "migrate",
      "reboot",
      "reboot_after_update",
      "stop_on_destroy",
      "scsi_hardware",
      "keyboard_layout",
      "kvm_arguments",
      "pool_id",
      "protection",
      "tablet_device",
      "hook_script_file_id",
      "timeout_clone",
      "timeout_create",
      "timeout_migrate",
      "timeout_move_disk",
      "timeout_reboot",
      "timeout_shutdown_vm",
      "timeout_start_vm",
      "timeout_stop_vm",
      "agent.*",
      "cpu.*",
      "memory.*",
      "operating_system.*",
      "vga.*",
      "serial_device.*",
      "startup.*",
      // Adding or removing a whole disk (`disk.1`): no ForceNew and no CustomizeDiff on `disk`; the update
      // adds a blank disk through the config API (hot-plugged) and sends a removed one's interface in `delete`,
      // which Proxmox turns into a detached `unusedN` volume (review/data-disk-changes.ts warns).
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/disk/disk.go#L635-L650
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L6489-L6525
      "disk",
      // A lower size is refused at apply ("Cannot shrink"), a higher one resized in place.
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L7271-L7303
      "disk.size",
      "disk.iothread",
      "disk.discard",
      "disk.ssd",
      "disk.aio",
      "disk.cache",
      "disk.backup",
      "disk.replicate",
      "disk.serial",
      "disk.speed.*",
      "initialization.datastore_id",
      "initialization.interface",
      "initialization.dns.*",
      "initialization.ip_config.*",
      "network_device.*",
      // Not ForceNew: false -> true converts the VM to a template in place; true -> false plans an
      // update that the provider then refuses at apply ("Cannot convert a template back").
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1526-L1532
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L6970-L7002
      "template",
      // Adding or removing the block: forceNewOnEFIDiskTypeChange returns early, no ForceNew.
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1892-L1895
      "efi_disk",
      // No ForceNew in the efi_disk schema. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L774-L797
      "efi_disk.file_format",
      "efi_disk.pre_enrolled_keys",
      // Adding or removing the block: forceNewOnTPMVersionChange returns early, no ForceNew.
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L1831-L1833
      "tpm_state",
      // No ForceNew since bpg/terraform-provider-proxmox#1885 (v0.75.0).
      // @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/proxmoxtf/resource/vm/vm.go#L958-L993
      "initialization.user_account.*",
    ],
    inPlaceSee: BPG_VM,
  },

  [DOWNLOAD_FILE_TYPE]: {
    forceNew: [
      /** `url`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "url", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
      /** `file_name`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "file_name", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
      /** `node_name`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "node_name", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
      /** `datastore_id`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "datastore_id", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
      /** `content_type`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "content_type", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
      /** `decompression_algorithm`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "decompression_algorithm", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
      /** `checksum`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "checksum", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
      /** `checksum_algorithm`: RequiresReplace. @see https://github.com/bpg/terraform-provider-proxmox/blob/v0.111.1/fwprovider/nodes/resource_download_file.go */
      { attribute: "checksum_algorithm", when: ALWAYS, rule: "RequiresReplace", see: BPG_DOWNLOAD },
    ],
    // (`size` also forces replacement when the file changed outside Terraform and
    // `overwrite` is true: a state/remote difference, not visible in the JSON.)
    inPlace: ["upload_timeout", "verify", "overwrite", "overwrite_unmanaged"],
    inPlaceSee: BPG_DOWNLOAD,
  },

  talos_machine_secrets: {
    forceNew: [
      /** A plan modifier sets RequiresReplace when `talos_version` is lowered; raising it is an update. @see https://github.com/siderolabs/terraform-provider-talos/blob/v0.11.0/pkg/talos/talos_machine_secrets_resource.go */
      {
        attribute: "talos_version",
        when: { kind: "when-lowered" },
        rule: "RequiresReplace when the version is lowered",
        see: `${TALOS}/talos_machine_secrets_resource.go`,
      },
    ],
    inPlace: [],
    inPlaceSee: `${TALOS}/talos_machine_secrets_resource.go`,
  },

  talos_machine_configuration_apply: {
    // No RequiresReplace at all, `node` included: a new node just gets the configuration applied.
    forceNew: [],
    inPlace: ["node", "endpoint", "apply_mode", "machine_configuration_input", "config_patches", "client_configuration.*", "on_destroy.*", "timeouts.*"],
    inPlaceSee: `${TALOS}/talos_machine_configuration_apply_resource.go`,
  },

  talos_image_factory_schematic: {
    // `schematic` has no RequiresReplace: Update registers the new schematic, and its `id` is then unknown until apply.
    forceNew: [],
    inPlace: ["schematic"],
    inPlaceSee: `${TALOS}/talos_image_factory_schematic_resource.go`,
  },

  talos_machine_bootstrap: {
    // No RequiresReplace; Update only records the new arguments (it never bootstraps again).
    forceNew: [],
    inPlace: ["node", "endpoint", "client_configuration.*", "timeouts.*"],
    inPlaceSee: `${TALOS}/talos_machine_bootstrap_resource.go`,
  },

  talos_cluster_kubeconfig: {
    forceNew: [],
    inPlace: ["node", "endpoint", "client_configuration.*", "certificate_renewal_duration", "timeouts.*"],
    inPlaceSee: `${TALOS}/talos_cluster_kubeconfig_resource.go`,
  },

  null_resource: {
    forceNew: [
      /**
       * `triggers`: plan modifier RequiresReplaceIfValuesNotNull, the only argument. The resource does
       * have an Update (L80-L90), so a change that leaves `triggers` alone (a provisioner's text, a
       * meta-argument) is no replacement, and the provisioner does not run again.
       * @see https://github.com/hashicorp/terraform-provider-null/blob/v3.2.4/internal/provider/resource.go#L42-L49
       */
      { attribute: "triggers.*", when: ALWAYS, rule: "RequiresReplaceIfValuesNotNull", see: `${NULL_RESOURCE}#L42-L49` },
    ],
    inPlace: [],
    inPlaceSee: `${NULL_RESOURCE}#L80-L90`,
  },
};

/** What changing one argument does, by the table. */
export type ArgumentEffect =
  | { readonly kind: "replaces"; readonly rule: string; readonly see: string }
  | { readonly kind: "in-place"; readonly note?: string }
  | { readonly kind: "unclassified"; readonly why: string };

type Block = Readonly<Record<string, unknown>>;

/**
 * The effect of changing `path` (no list indexes) of a resource of `type`
 * from `before` to `after`; `block` is the new configuration of the resource
 * and `previous` the old one (needed by "when-block-kept" rules).
 */
export function argumentEffect(type: string, path: string, before: unknown, after: unknown, block: Block, previous?: Block): ArgumentEffect {
  const rules = FORCE_NEW_RULES[type];
  if (!rules) return { kind: "unclassified", why: `${type} is not in the force-new table` };
  const forceNew = rules.forceNew.find((entry) => matches(entry.attribute, path));
  if (forceNew) {
    const replaced = replaces(forceNew.when, before, after, block, previous);
    if (replaced === true) return { kind: "replaces", rule: forceNew.rule, see: forceNew.see };
    if (replaced === false) return { kind: "in-place", note: inPlaceNote(forceNew.when) };
    const unknown = forceNew.when.kind === "when-block-kept" ? "the old configuration is not known" : "the versions cannot be compared";
    return { kind: "unclassified", why: `${forceNew.rule}, and ${unknown}` };
  }
  if (rules.inPlace.some((attribute) => matches(attribute, path))) return { kind: "in-place" };
  return { kind: "unclassified", why: `${path} is not in the force-new table for ${type}` };
}

function replaces(when: ReplaceCondition, before: unknown, after: unknown, block: Block, previous: Block | undefined): boolean | undefined {
  switch (when.kind) {
    case "always":
      return true;
    case "unless-true":
      return block[when.attribute] !== true;
    case "when-lowered": {
      const [from, to] = [parseVersion(before), parseVersion(after)];
      return from && to ? compareVersions(to, from) < 0 : undefined;
    }
    case "when-block-kept": {
      if (previous === undefined) return undefined;
      if (!hasBlock(previous, when.block) || !hasBlock(block, when.block)) return false;
      return (before ?? when.default) !== (after ?? when.default);
    }
  }
}

function inPlaceNote(when: ReplaceCondition): string | undefined {
  if (when.kind === "unless-true") return `${when.attribute} = true: the provider moves it instead of re-creating it`;
  if (when.kind === "when-lowered") return "raised, not lowered";
  if (when.kind === "when-block-kept") return `${when.block} is added or removed, or keeps its effective value`;
  return undefined;
}

/** Whether the nested block at `path` (`efi_disk`) is set; cdktf writes a single block as an object, HCL-style JSON as a list of one. */
function hasBlock(config: Block, path: string): boolean {
  let value: unknown = config;
  for (const key of path.split(".")) {
    if (Array.isArray(value)) value = value[0];
    value = typeof value === "object" && value !== null ? (value as Block)[key] : undefined;
  }
  if (Array.isArray(value)) value = value[0];
  return typeof value === "object" && value !== null;
}

/** `a.*` matches `a` and everything below it; anything else matches itself only. */
function matches(pattern: string, path: string): boolean {
  if (pattern.endsWith(".*")) {
    const base = pattern.slice(0, -2);
    return path === base || path.startsWith(`${base}.`);
  }
  return path === pattern;
}

function parseVersion(value: unknown): number[] | undefined {
  const match = typeof value === "string" ? /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(value) : null;
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}
