/**
 * A resource's Terraform address, `type.name`, written as text where a cdktf
 * token cannot go: meta-arguments (`replace_triggered_by`, an output's
 * `depends_on`, which cdktf 0.21 would render as `"${...}"`) and references
 * built into strings for blocks cdktf does not model (the `check` block).
 */
import type { TerraformResource } from "cdktf";
import { longNamedAddress } from "../../domain/proxmox-type-names";

export function terraformAddress(resource: Pick<TerraformResource, "terraformResourceType" | "friendlyUniqueId">): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}

/**
 * Writes a `moved` block from the address the resource had under its type's
 * deprecated long name (domain/proxmox-type-names.ts): the same name part, so
 * a state from before moves to the short name and nothing is replaced.
 */
export function moveFromLongTypeName(resource: TerraformResource): void {
  const from = longNamedAddress(resource.terraformResourceType, resource.friendlyUniqueId);
  if (from === undefined) throw new Error(`${resource.terraformResourceType} had no long type name to move from`);
  resource.moveFromId(from);
}
