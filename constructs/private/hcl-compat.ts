/**
 * Workarounds for cdktf 0.21's HCL renderer (`cdktf synth --hcl`), used only
 * when synthesizing HCL; the JSON output stays as it is. That renderer crashes
 * on a literal null and prints a multi-line string inside a provisioner as an
 * unterminated quoted string.
 */
import { App } from "cdktf";
import { IConstruct } from "constructs";

/** Whether this synthesis writes HCL (SYNTH_HCL_OUTPUT, set by `cdktf synth --hcl`). */
export function synthesizesHcl(scope: IConstruct): boolean {
  return App.of(scope).hclOutput;
}

/** null, or in HCL the expression `${null}`, which Terraform evaluates to null. */
export function nullValue(scope: IConstruct): null | string {
  return synthesizesHcl(scope) ? "${null}" : null;
}

/** The text as is, or in HCL joined onto one line (safe for code whose lines end in `;`, `{` or `}`). */
export function blockSafeText(scope: IConstruct, text: string): string {
  return synthesizesHcl(scope) ? text.replace(/\n\s*/g, " ") : text;
}
