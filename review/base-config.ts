/**
 * Which configuration the base side of a review against a git revision was
 * synthesized from, and how the report says so. A config-only pull request
 * changes nothing but the HOMELAB_CONFIG file, so a base synthesized from
 * the current file would show no change at all: the base reads the file as
 * it was at the revision. Pure: review/git-revision.ts finds out which case
 * applies, this module words it.
 */
import { code } from "./markdown";

/** The base side's configuration. Paths are repository-relative (or a bare file name), never this machine's. */
export type BaseConfig =
  /** No HOMELAB_CONFIG: both sides are the reference homelab. */
  | { readonly kind: "reference" }
  /** The file (or folder) at the same repository path, as the revision has it. */
  | { readonly kind: "at-revision"; readonly path: string }
  /** The revision has no such file: a new cluster, so the base is empty and everything is created. */
  | { readonly kind: "new-cluster"; readonly path: string }
  /** Git cannot give the file as it was (it is outside the repository, or not tracked): the current file serves both sides. */
  | { readonly kind: "current-file"; readonly path: string; readonly why: "outside-repository" | "untracked" };

/** A paragraph for the top of the report: what the base was synthesized from. `revision` is how the report names it, e.g. git revision `1a2b3c4d5e6f`. */
export function baseConfigNote(revision: string, config: BaseConfig): string {
  switch (config.kind) {
    case "reference":
      return `The base, ${revision}, is synthesized from the reference homelab too (no \`HOMELAB_CONFIG\`).`;
    case "at-revision":
      return `The base, ${revision}, is synthesized from ${code(config.path)} as it was at that revision.`;
    case "new-cluster":
      return `${code(config.path)} did not exist at ${revision}: this is a new cluster. The base is empty, so every resource is created.`;
    case "current-file": {
      const where = config.why === "outside-repository" ? "is outside this git repository" : "is not tracked by git (untracked or ignored)";
      return (
        `${code(config.path)} ${where}, so it cannot be read as it was at ${revision}: the base is synthesized from the current file too. ` +
        "Changes of the configuration do not show below, only changes of the code."
      );
    }
  }
}

/** How the changes section names the base ("Compared with <label>, ..."). */
export function baseLabel(revision: string, config: BaseConfig): string {
  switch (config.kind) {
    case "reference":
      return revision;
    case "at-revision":
      return `${revision}, with ${code(config.path)} as it was there`;
    case "new-cluster":
      return `${revision}, where ${code(config.path)} did not exist (a new cluster: everything is created)`;
    case "current-file":
      return `${revision}, with the current ${code(config.path)} (it cannot be read at that revision)`;
  }
}

/** The review with `note` as its own paragraph right after the line saying what the head was synthesized from. */
export function withBaseNote(review: string, note: string): string {
  const source = /^Synthesized from .*$/m.exec(review) ?? /^.*$/m.exec(review);
  const end = source ? source.index + source[0].length : 0;
  return `${review.slice(0, end)}\n\n${note}${review.slice(end)}`;
}
