/**
 * Markdown text helpers for the review: inline code, table cells, and
 * argument values shown short, with sensitive-looking values withheld. Pure.
 */

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${fence === "``" ? ` ${text} ` : text}${fence}`;
}

/** Text safe inside a table cell. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** A table with a header row; cells are escaped. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)];
}

const MAX_INLINE = 80;
/** Argument names whose literal values are never printed. */
const SENSITIVE = /(secret|password|token|private|(^|_)key$|machine_configuration_input|machine_secrets|kubeconfig|talos_?config)/;

/** True for a `${...}` expression and nothing else. */
export function isReference(value: unknown): boolean {
  return typeof value === "string" && /^\$\{[^}]*\}$/.test(value);
}

/** Whether a value at this argument path must not be shown. */
export function isSensitive(path: string, value: unknown): boolean {
  const name =
    path
      .split(".")
      .filter((part) => !/^\d+$/.test(part))
      .pop() ?? "";
  return value !== undefined && !isReference(value) && SENSITIVE.test(name);
}

/**
 * `before → after`, one line each side. Long values are cut to the same
 * window around their first difference, so the change stays visible.
 */
export function formatChange(path: string, before: unknown, after: unknown): string {
  const [a, b] = [describe(path, before), describe(path, after)];
  if (a.label !== undefined || b.label !== undefined) return `${a.label ?? code(clip(a.json!, 0))} → ${b.label ?? code(clip(b.json!, 0))}`;
  const [x, y] = [a.json!, b.json!];
  let same = 0;
  while (same < x.length && same < y.length && x[same] === y[same]) same++;
  const from = x.length > MAX_INLINE || y.length > MAX_INLINE ? Math.max(0, same - 24) : 0;
  return `${code(clip(x, from))} → ${code(clip(y, from))}`;
}

/** A label for values not shown as JSON (unset, sensitive, multi-line), or the JSON text. */
function describe(path: string, value: unknown): { label?: string; json?: string } {
  if (value === undefined) return { label: "(unset)" };
  if (isSensitive(path, value)) return { label: "(sensitive, not shown)" };
  if (isMultiLine(value)) return { label: `text of ${value.split("\n").length} lines` };
  if (Array.isArray(value) && value.some(isMultiLine)) return { label: `list of ${plural(value.length, "text")}` };
  return { json: JSON.stringify(value) };
}

function clip(text: string, from: number): string {
  const window = text.slice(from, from + MAX_INLINE);
  return `${from > 0 ? "…" : ""}${window}${from + MAX_INLINE < text.length ? "…" : ""}`;
}

const MAX_DIFF_LINES = 12;

/**
 * The lines removed and added between two texts (or lists of texts), for a
 * ```diff block; empty when the values are not text or are sensitive.
 */
export function lineDiff(path: string, before: unknown, after: unknown): string[] {
  if (isSensitive(path, before) || isSensitive(path, after)) return [];
  const multiLine = (value: unknown) => isMultiLine(value) || (Array.isArray(value) && value.some(isMultiLine));
  if (!multiLine(before) && !multiLine(after)) return [];
  const [old, next] = [linesOf(before), linesOf(after)];
  if (!old || !next) return [];
  const removed = without(old, next).map((line) => `- ${line}`);
  const added = without(next, old).map((line) => `+ ${line}`);
  const lines = [...removed, ...added];
  return lines.length > MAX_DIFF_LINES ? [...lines.slice(0, MAX_DIFF_LINES), `… ${lines.length - MAX_DIFF_LINES} more changed lines`] : lines;
}

function isMultiLine(value: unknown): value is string {
  return typeof value === "string" && value.includes("\n");
}

function linesOf(value: unknown): string[] | undefined {
  if (value === undefined) return [];
  if (typeof value === "string") return value.split("\n").filter((line) => line.trim() !== "");
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return linesOf(value.join("\n"));
  return undefined;
}

/** Lines of `a` not matched one-for-one in `b`, in order. */
function without(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const line of b) left.set(line, (left.get(line) ?? 0) + 1);
  return a.filter((line) => {
    const count = left.get(line) ?? 0;
    if (count === 0) return true;
    left.set(line, count - 1);
    return false;
  });
}

/** `1 control plane`, `3 control planes`. */
export function plural(count: number, noun: string, nouns = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : nouns}`;
}
