/**
 * Talos's one strategic-merge directive in a patch: `$patch: delete`, which
 * deletes the mapping it stands in (a whole document at the top). Talos's
 * config schema does not know the key, so it is taken out before a patch is
 * checked against the schema, and a deletion that would take away a field the
 * stack sets is refused like setting it. Pure.
 */
import { OWNED_TALOS_PATHS, OwnedTalosPath } from "./talos-owned-paths";

export const PATCH_DIRECTIVE = "$patch";

/** Every `$patch` in a document, with the path of the mapping it stands in (`""`: the document). */
export function patchDirectives(document: unknown): { readonly path: string; readonly value: unknown }[] {
  const found: { path: string; value: unknown }[] = [];
  const visit = (node: unknown, path: string) => {
    if (Array.isArray(node)) node.forEach((item, index) => visit(item, `${path}[${index}]`));
    else if (node !== null && typeof node === "object") {
      for (const [key, value] of Object.entries(node)) {
        if (key === PATCH_DIRECTIVE) found.push({ path, value });
        else visit(value, path ? `${path}.${key}` : key);
      }
    }
  };
  visit(document, "");
  return found;
}

/** The document without its `$patch` keys (a copy), as the schema can check it. */
export function withoutPatchDirectives(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutPatchDirectives);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(Object.entries(node).filter(([key]) => key !== PATCH_DIRECTIVE).map(([key, value]) => [key, withoutPatchDirectives(value)]));
}

/** The first field the stack owns that deleting the mapping at `path` (in a document of `documentKind`) would take away. */
export function ownedFieldDeletedBy(documentKind: string, path: string): OwnedTalosPath | undefined {
  const deleted = segmentsOf(path);
  return OWNED_TALOS_PATHS.find((owned) => {
    if (owned.document !== documentKind) return false;
    const ownedSegments = segmentsOf(owned.path);
    // Deleting an ancestor of an owned field, the field itself, or the document.
    return deleted.length <= ownedSegments.length && deleted.every((segment, index) => ownedSegments[index] === segment || ownedSegments[index] === "*" || ownedSegments[index] === "[]");
  });
}

/** `machine.network.interfaces[0].vip` -> machine, network, interfaces, [], vip. */
function segmentsOf(path: string): string[] {
  return path === "" ? [] : path.replace(/\[\d*\]/g, ".[]").split(".").filter((segment) => segment !== "");
}
