/**
 * A fake `terraform` for `npm run host-down` and `npm run secrets`: a POSIX
 * shell script that logs every call (its folder, CHECKPOINT_DISABLE, each
 * argument on its own line) to $FAKE_TF_LOG and answers as terraform would,
 * talking to nothing:
 *
 * - `plan ... -out=FILE` writes FILE and prints a plan summary; exits
 *   $FAKE_TF_PLAN_CODE (default 0);
 * - `show -json FILE` prints $FAKE_TF_SHOW's file (default: a plan changing nothing);
 * - `apply FILE` logs whether FILE is still there, prints "Apply complete!";
 *   exits $FAKE_TF_APPLY_CODE (default 0);
 * - `state pull` prints the file $FAKE_TF_STATE (nothing when it is not
 *   there: an empty state);
 * - `import ADDRESS FILE` logs whether FILE is there, then stands in for the
 *   provider: copies $FAKE_TF_IMPORTED (a state file the test made from the
 *   bundle) to $FAKE_TF_STATE and prints "Import successful!"; exits
 *   $FAKE_TF_IMPORT_CODE (default 0).
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
  state)
    if [ "$2" = pull ]; then
      if [ -f "$FAKE_TF_STATE" ]; then exec cat "$FAKE_TF_STATE"; fi
      exit 0
    fi ;;
  import)
    for a in "$@"; do last=$a; done
    if [ -f "$last" ]; then echo "bundle present" >> "$FAKE_TF_LOG"; fi
    code=\${FAKE_TF_IMPORT_CODE:-0}
    if [ "$code" = 0 ] && [ -n "$FAKE_TF_IMPORTED" ]; then cp "$FAKE_TF_IMPORTED" "$FAKE_TF_STATE"; echo "Import successful!"; fi
    exit "$code" ;;
esac
echo "fake terraform: $* is not faked" >&2
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
