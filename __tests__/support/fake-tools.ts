/**
 * The fake `talosctl` and `terraform` executables of the CLI tests, and the
 * answer files the fake talosctl reads (a simulated cluster writes them with
 * talosctlAnswers, ./simulated-talos.ts). They run nothing but a shell, and
 * talk to no network.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/**
 * What the fake talosctl answers: "<node> <command words>" -> stdout, or
 * {stderr, code}; {sleepMs} to hang; {sh} runs a shell script with
 * talosctl's arguments (an action changing later answers, or writing the
 * file `etcd snapshot` or `cp` names). A key without an answer falls back to
 * the key without its trailing path words (`<node> etcd snapshot` answers
 * `etcd snapshot /any/file`). With $FAKE_TALOS_LOG set, every call's
 * arguments are appended to that file, one line each.
 */
export type TalosScript = Record<string, string | { readonly stderr: string; readonly code: number } | { readonly sleepMs: number } | { readonly sh: string }>;

/** File name of an answer: the key with spaces and slashes as `_`. */
export const answerName = (key: string) => key.replace(/[ /]/g, "_");

/** Writes a TalosScript as the answer files the fake talosctl reads ($FAKE_TALOS_DIR/<key>.out, .err + .code, .sleep or .sh). */
export function writeTalosAnswers(dir: string, script: TalosScript): void {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  for (const [key, answer] of Object.entries(script)) {
    const base = path.join(dir, answerName(key));
    if (typeof answer === "string") fs.writeFileSync(`${base}.out`, answer);
    else if ("sleepMs" in answer) fs.writeFileSync(`${base}.sleep`, String(Math.ceil(answer.sleepMs / 1000)));
    else if ("sh" in answer) fs.writeFileSync(`${base}.sh`, answer.sh);
    else {
      fs.writeFileSync(`${base}.err`, answer.stderr);
      fs.writeFileSync(`${base}.code`, String(answer.code));
    }
  }
}

/**
 * Writes the fake executables: `talosctl`, a POSIX shell script answering from
 * $FAKE_TALOS_DIR (shell, not node: twenty of them start at once, and a
 * loaded two-core machine must not push them past the CLI's deadlines), and
 * `terraform`, printing $FAKE_TF_OUTPUT's file or failing like an
 * uninitialised folder.
 */
export function writeFakeTools(binDir: string, tools: readonly ("talosctl" | "terraform")[] = ["talosctl", "terraform"]): void {
  fs.mkdirSync(binDir, { recursive: true });
  // The tests' PATH holds only the fakes; the scripts find cat, tr and sleep themselves.
  const talosctl = `#!/bin/sh
PATH=/usr/bin:/bin
[ -n "$FAKE_TALOS_LOG" ] && printf '%s\\n' "$*" >> "$FAKE_TALOS_LOG"
if [ "$1" = version ] && [ "$2" = --client ]; then printf 'Client:\\n\\tTag:         v1.13.9\\n'; exit 0; fi
node=""; words=""
for arg in "$@"; do
  if [ -n "$skip" ]; then skip=""; continue; fi
  case "$arg" in
    --talosconfig) next=talosconfig ;;
    -n) next=node ;;
    -o) skip=1 ;;
    -*) ;;
    *) case "$next" in
         talosconfig) [ -f "$arg" ] || { echo "talosconfig missing" >&2; exit 1; }; next="" ;;
         node) node="$arg"; next="" ;;
         *) words="$words $arg" ;;
       esac ;;
  esac
done
key=$(printf '%s%s' "$node" "$words" | tr ' /' '__')
base="$FAKE_TALOS_DIR/$key"
while [ -n "$words" ] && ! ls "$base".* >/dev/null 2>&1; do
  last="\${words##* }"
  case "$last" in */*) words="\${words% *}"; base="$FAKE_TALOS_DIR/$(printf '%s%s' "$node" "$words" | tr ' /' '__')" ;; *) break ;; esac
done
if [ -f "$base.sh" ]; then exec sh "$base.sh" "$@"; fi
if [ -f "$base.out" ]; then exec cat "$base.out"; fi
if [ -f "$base.sleep" ]; then exec sleep "$(cat "$base.sleep")"; fi
if [ -f "$base.err" ]; then cat "$base.err" >&2; exit "$(cat "$base.code")"; fi
echo "error: rpc error: code = Unavailable desc = connection error: dial tcp $node:50000: connect: no route to host" >&2
exit 1
`;
  const terraform = `#!/bin/sh
PATH=/usr/bin:/bin
[ "$1" = output ] || exit 1
if [ -z "$FAKE_TF_OUTPUT" ] || [ ! -f "$FAKE_TF_OUTPUT" ]; then echo 'Error: Backend initialization required, please run "terraform init"' >&2; exit 1; fi
exec cat "$FAKE_TF_OUTPUT"
`;
  if (tools.includes("talosctl")) fs.writeFileSync(path.join(binDir, "talosctl"), talosctl, { mode: 0o755 });
  if (tools.includes("terraform")) fs.writeFileSync(path.join(binDir, "terraform"), terraform, { mode: 0o755 });
}

/** A word the shell reads as it is. */
const shellQuoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * Answers that change as a command proceeds (a restore: wiped, bootstrapped,
 * joined). Each phase is a TalosScript, written under `dir`/phases/<phase>;
 * the phase now is in the file `dir`/.phase, at first the first phase.
 * `after` moves on once a call was answered in a phase, whether or not the
 * answer failed: `{ "127.0.0.11 reset": { lost: "wiped" } }`. Writes `dir`
 * (the fake talosctl's $FAKE_TALOS_DIR): for every key of any phase, a `.sh`
 * answer that runs the fake talosctl `talosctl` over the phase now (logging
 * the call once), then moves on. Returns a reader of the phase now, for
 * the other fakes (the Kubernetes API) to answer by.
 */
export function writePhasedTalosAnswers(
  dir: string,
  talosctl: string,
  phases: Readonly<Record<string, TalosScript>>,
  after: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): () => string {
  const [first] = Object.keys(phases);
  if (first === undefined) throw new Error("writePhasedTalosAnswers: no phase");
  const state = path.join(dir, ".phase");
  const keys = new Set([...Object.values(phases).flatMap((script) => Object.keys(script)), ...Object.keys(after)]);
  const dispatch = (key: string) => {
    const moves = Object.entries(after[key] ?? {}).map(([from, to]) => `  ${shellQuoted(from)}) printf '%s' ${shellQuoted(to)} > ${shellQuoted(state)} ;;\n`);
    return `phase=$(cat ${shellQuoted(state)})
FAKE_TALOS_DIR=${shellQuoted(path.join(dir, "phases"))}/"$phase" FAKE_TALOS_LOG= ${shellQuoted(talosctl)} "$@"
code=$?
case "$phase" in
${moves.join("")}esac
exit $code
`;
  };
  writeTalosAnswers(dir, Object.fromEntries([...keys].map((key) => [key, { sh: dispatch(key) }])));
  for (const [phase, script] of Object.entries(phases)) writeTalosAnswers(path.join(dir, "phases", phase), script);
  fs.writeFileSync(state, first);
  return () => fs.readFileSync(state, "utf8");
}
