/**
 * A file that does not parse as YAML, told the way its author can act on:
 * the reason, the line and column, the fix for the usual slips, and the
 * offending line (secrets masked) with a caret under the column.
 */
import { LineCounter, YAMLError } from "yaml";
import { maskSecretsInText } from "./find-secrets";

/** How to fix the usual YAML slips, by the yaml library's error code. */
const YAML_FIXES: Readonly<Record<string, string>> = {
  BLOCK_AS_IMPLICIT_KEY: 'quote a value that holds ": " (name: "a: b"), and put a nested field on a line of its own, indented',
  MULTILINE_IMPLICIT_KEY: "write a field's name and its colon on one line, and indent what belongs to it",
  BAD_INDENT: "indent each nested field further than its parent, with spaces, and close every [ and {",
  TAB_AS_INDENT: "indent with spaces, not tabs",
  DUPLICATE_KEY: "each field may appear once in its section; remove one of them",
  MULTIPLE_DOCS: "a file describes one cluster: remove the --- line and keep one document",
};

/** The yaml library's reasons, where its own words speak to a programmer rather than to the file's author. */
const YAML_REASONS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: "a field is written twice",
  MULTIPLE_DOCS: "the file holds more than one YAML document",
};

/**
 * The reason, the line and column, the fix, and the offending line with a
 * caret under the column; `more` counts the errors after it, not printed.
 */
export function describeYamlError(error: YAMLError, text: string, lineCounter: LineCounter, more: number): string {
  const opened = openingQuoteOf(error, text);
  const { line, col } = lineCounter.linePos(opened ?? error.pos[0]);
  const reason = opened !== undefined ? `the ${text[opened]} opened here is never closed` : (YAML_REASONS[error.code] ?? error.message.replace(/\.$/, ""));
  const fix = opened !== undefined ? "close it where the text ends, on the same line" : YAML_FIXES[error.code];
  const following = more > 0 ? ` (${more} more YAML error${more === 1 ? "" : "s"} after it, often from the same slip: fix this one and run again)` : "";
  const lines = text.split(/\r?\n/);
  // The line before gives context.
  const shown = [line - 1, line].filter((number) => number >= 1 && number <= lines.length && (number === line || lines[number - 1].trim() !== ""));
  const width = String(line).length;
  const excerpt = shown.map((number) => `  ${String(number).padStart(width)} | ${maskSecretsInText(lines[number - 1])}`);
  // Under a tab, a tab, so that the caret lines up however wide the terminal shows tabs.
  const caret = `  ${" ".repeat(width)} | ${(lines[line - 1] ?? "").slice(0, col - 1).replace(/[^\t]/g, " ")}^`;
  return [`does not parse as YAML or JSON at line ${line}, column ${col}: ${lowerFirst(reason)}${fix ? `; ${fix}` : ""}${following}`, ...excerpt, caret].join("\n");
}

/**
 * Where the quote a "missing closing quote" error is about was opened: the
 * library reports the end of the file, where the quoted text ran out.
 */
function openingQuoteOf(error: YAMLError, text: string): number | undefined {
  const quote = error.code === "MISSING_CHAR" ? /closing (["'])quote/.exec(error.message)?.[1] : undefined;
  if (quote === undefined) return undefined;
  // Inside the open text a quote only appears escaped: \" in double quotes, '' in single ones.
  for (let at = text.lastIndexOf(quote, error.pos[0] - 1); at >= 0; at = text.lastIndexOf(quote, at - 1)) {
    const escaped = quote === '"' ? text[at - 1] === "\\" : text[at - 1] === "'" || text[at + 1] === "'";
    if (!escaped) return at;
    if (quote === "'") at -= 1;
  }
  return undefined;
}

function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? `${text[0].toLowerCase()}${text.slice(1)}` : text;
}
