/**
 * A throwaway git repository holding a copy of this project as it is on
 * disk (the files git tracks, and new ones it does not ignore), with
 * node_modules linked in: for commands that read git history, such as
 * `npm run review -- --base <git rev>`. Its commits use a fixed author and
 * none of the machine's hooks or signing. `remove()` deletes it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "./project-root";

export interface ThrowawayRepo {
  /** The repository's folder (the project's copy). */
  readonly dir: string;
  /** Writes a file (relative to the repository), creating its folders. */
  write(file: string, text: string): void;
  /** Commits everything in the work tree; returns the commit id. */
  commit(message: string): string;
  remove(): void;
}

export function throwawayRepo(): ThrowawayRepo {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "homelab-repo-")));
  const git = (args: readonly string[]) => {
    const result = spawnSync(
      "git",
      ["-c", "user.name=Review test", "-c", "user.email=review-test@example.invalid", "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...args],
      { cwd: dir, encoding: "utf8", env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" } }
    );
    if (result.status !== 0) throw new Error(`git ${args.join(" ")} in the throwaway repository failed: ${result.stderr}`);
    return result.stdout;
  };
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_ROOT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files in the project failed: ${listed.stderr}`);
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    const source = path.join(PROJECT_ROOT, file);
    if (!fs.existsSync(source)) continue; // deleted in the work tree
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(source, path.join(dir, file));
  }
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  git(["init", "-q"]);
  // .gitignore's `node_modules/` matches folders only, not the link.
  fs.appendFileSync(path.join(dir, ".git", "info", "exclude"), "/node_modules\n");
  return {
    dir,
    write(file, text) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    },
    commit(message) {
      git(["add", "-A"]);
      git(["commit", "-q", "--allow-empty", "-m", message]);
      return git(["rev-parse", "HEAD"]).trim();
    },
    remove() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
