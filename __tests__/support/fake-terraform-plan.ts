/**
 * A fake `terraform` for `npm run host-down`: a POSIX shell script that logs
 * every call (its folder, CHECKPOINT_DISABLE, each argument on its own line)
 * to $FAKE_TF_LOG and answers as terraform would, talking to nothing:
 *
 * - `plan ... -out=FILE` writes FILE and prints a plan summary; exits
 *   $FAKE_TF_PLAN_CODE (default 0);
 * - `show -json FILE` prints $FAKE_TF_SHOW's file (default: a plan changing nothing);
 * - `apply FILE` logs whether FILE is still there, prints "Apply complete!";
 *   exits $FAKE_TF_APPLY_CODE (default 0).
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** One call of the fake, as logged. */
export interface FakeTerraformCall {
  readonly cwd: string;
  readonly checkpointDisable: string;
  readonly args: readonly string[];
  /** For apply: whether the plan file it was given existed. */
  readonly planFilePresent?: boolean;
}

export function writeFakeTerraform(binDir: string): void {
  fs.mkdirSync(binDir, { recursive: true });
  const script = `#!/bin/sh
PATH=/usr/bin:/bin
{ echo "--- call"; echo "cwd $(pwd)"; echo "checkpoint $CHECKPOINT_DISABLE"; for a in "$@"; do echo "arg $a"; done; } >> "$FAKE_TF_LOG"
case "$1" in
  plan)
    for a in "$@"; do case "$a" in -out=*) echo "fake plan" > "\${a#-out=}" ;; esac; done
    echo "Plan: 0 to add, 1 to change, 0 to destroy."
    exit "\${FAKE_TF_PLAN_CODE:-0}" ;;
  show)
    if [ -n "$FAKE_TF_SHOW" ]; then exec cat "$FAKE_TF_SHOW"; fi
    echo '{"format_version":"1.2","resource_changes":[]}'; exit 0 ;;
  apply)
    if [ -f "$2" ]; then echo "planfile present" >> "$FAKE_TF_LOG"; fi
    echo "Apply complete! Resources: 0 added, 1 changed, 0 destroyed."
    exit "\${FAKE_TF_APPLY_CODE:-0}" ;;
esac
echo "fake terraform: $1 is not faked" >&2
exit 1
`;
  fs.writeFileSync(path.join(binDir, "terraform"), script, { mode: 0o755 });
}

/** The calls in the fake's log, in order. */
export function fakeTerraformCalls(logFile: string): FakeTerraformCall[] {
  if (!fs.existsSync(logFile)) return [];
  return fs
    .readFileSync(logFile, "utf8")
    .split("--- call\n")
    .filter((chunk) => chunk !== "")
    .map((chunk) => {
      const lines = chunk.split("\n").filter((line) => line !== "");
      const value = (prefix: string) => lines.find((line) => line.startsWith(`${prefix} `))?.slice(prefix.length + 1) ?? "";
      const args = lines.filter((line) => line.startsWith("arg ")).map((line) => line.slice(4));
      return { cwd: value("cwd"), checkpointDisable: value("checkpoint"), args, ...(args[0] === "apply" ? { planFilePresent: lines.includes("planfile present") } : {}) };
    });
}
