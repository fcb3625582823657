/**
 * A resource's Terraform address, `type.name`, written as text where a cdktf
 * token cannot go: meta-arguments (`replace_triggered_by`, an output's
 * `depends_on`, which cdktf 0.21 would render as `"${...}"`) and references
 * built into strings for blocks cdktf does not model (the `check` block).
 */
import type { TerraformResource } from "cdktf";

export function terraformAddress(resource: Pick<TerraformResource, "terraformResourceType" | "friendlyUniqueId">): string {
  return `${resource.terraformResourceType}.${resource.friendlyUniqueId}`;
}
