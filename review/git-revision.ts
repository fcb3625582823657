/**
 * What `npm run review -- --base <git rev>` asks of git: the revision's
 * commit, its tree extracted into a folder, and the HOMELAB_CONFIG file as
 * it was at that revision (same path from the repository's top level).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { BaseConfig } from "./base-config";

/** Runs git in `cwd`; the caller reads status, stdout and stderr. */
function git(cwd: string, args: readonly string[]) {
  return spawnSync("git", args, { cwd, encoding: "utf8" });
}

/** The full commit id `ref` names in the repository holding `project`, or undefined. */
export function commitOf(project: string, ref: string): string | undefined {
  const result = git(project, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The repository's top level (real path), or undefined outside a git work tree. */
export function repositoryTop(project: string): string | undefined {
  const result = git(project, ["rev-parse", "--show-toplevel"]);
  return result.status === 0 ? realPath(result.stdout.trim()) : undefined;
}

/**
 * Extracts `commit` into `checkout` (an existing empty folder). Run in the
 * project folder, git archive takes only that folder's part of the tree, so
 * `checkout` holds the project as it was.
 */
export function extractRevision(project: string, commit: string, checkout: string): void {
  const tarball = path.join(path.dirname(checkout), `${path.basename(checkout)}.tar`);
  try {
    const archive = git(project, ["archive", "--format=tar", "-o", tarball, commit]);
    if (archive.status !== 0) throw new Error(`git archive ${commit} failed: ${archive.stderr.trim()}`);
    const untar = spawnSync("tar", ["-x", "-f", tarball, "-C", checkout], { encoding: "utf8" });
    if (untar.status !== 0) throw new Error(`extracting ${commit} failed: ${untar.stderr.trim()}`);
  } finally {
    fs.rmSync(tarball, { force: true });
  }
}

/**
 * The configuration the base side is synthesized from: the file (or folder)
 * at `config`'s repository path as `commit` has it, written under `into`.
 * `file` is what the base synth's HOMELAB_CONFIG names (undefined: the
 * reference homelab, or nothing to synthesize for a new cluster).
 */
export function baseConfigAt(project: string, commit: string, config: string | undefined, into: string): { readonly config: BaseConfig; readonly file?: string } {
  if (config === undefined) return { config: { kind: "reference" } };
  const top = repositoryTop(project);
  const relative = top === undefined ? undefined : path.relative(top, realPath(config));
  if (top === undefined || relative === undefined || relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    return { config: { kind: "current-file", path: path.basename(config), why: "outside-repository" }, file: config };
  }
  const repoPath = relative.split(path.sep).join("/");
  // A file git does not track now was never committed: its absence at the revision says nothing about the cluster.
  if (git(top, ["ls-files", "--error-unmatch", "--", repoPath]).status !== 0) {
    return { config: { kind: "current-file", path: repoPath, why: "untracked" }, file: config };
  }
  const object = `${commit}:${repoPath}`;
  const type = git(top, ["cat-file", "-t", object]);
  if (type.status !== 0) return { config: { kind: "new-cluster", path: repoPath } };

  const target = path.join(into, path.basename(repoPath));
  fs.mkdirSync(into, { recursive: true });
  if (type.stdout.trim() === "tree") {
    // A folder of cluster files: its files, as they were (what the app reads from a folder).
    fs.mkdirSync(target);
    const entries = git(top, ["ls-tree", "-z", object]);
    if (entries.status !== 0) throw new Error(`git ls-tree ${object} failed: ${entries.stderr.trim()}`);
    for (const entry of entries.stdout.split("\0").filter(Boolean)) {
      const [meta, name] = entry.split("\t");
      if (meta.split(" ")[1] === "blob") fs.writeFileSync(path.join(target, name), blobAt(top, `${object}/${name}`));
    }
  } else {
    fs.writeFileSync(target, blobAt(top, object));
  }
  return { config: { kind: "at-revision", path: repoPath }, file: target };
}

/** A file's bytes at a revision (`git show <rev>:<path>`, without any conversion). */
function blobAt(top: string, object: string): Buffer {
  const result = spawnSync("git", ["cat-file", "blob", object], { cwd: top });
  if (result.status !== 0) throw new Error(`git cat-file blob ${object} failed: ${result.stderr.toString().trim()}`);
  return result.stdout;
}

/** The path with symbolic links resolved, so it compares with git's top level (its folder's, when it does not exist). */
function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.dirname(file) === file ? file : path.join(realPath(path.dirname(path.resolve(file))), path.basename(file));
  }
}
