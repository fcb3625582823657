/**
 * Turns cdktf 0.21's HCL into what `terraform fmt` would leave alone, and
 * adds what its renderer drops. Text in, text out; the HCL synthesis
 * (`app/synth-hcl.ts`) runs hclwrite's formatter after it.
 *
 * What cdktf writes and Terraform's formatter rewrites or warns about:
 * - interpolation-only strings, `"${x.y}"` and `"${null}"`, which fmt unwraps to `x.y` and `null`;
 * - quoted references in `depends_on`, `ignore_changes` and `replace_triggered_by`, which
 *   Terraform accepts with a deprecation warning;
 * - no `check` blocks at all: cdktf's renderer knows only its own block kinds,
 *   so they are rendered here from the JSON;
 * - a lifecycle `precondition` or `postcondition` as a list attribute
 *   (`precondition = [{ ... }]`), which Terraform refuses: they are blocks.
 */

/** Lists whose entries are references, not strings. */
const REFERENCE_LISTS = /^\s*(depends_on|ignore_changes|replace_triggered_by)\s*=\s*\[\s*$/;
const HEREDOC_START = /<<-?([A-Z]+)\s*$/;

/** `precondition = [` or `postcondition = [`: a list cdktf writes where Terraform wants one block per entry. */
const CONDITION_LIST = /^(\s*)(precondition|postcondition)\s*=\s*\[\s*$/;

/** The HCL with interpolation-only strings unwrapped, reference lists unquoted and condition lists made blocks; heredocs are left as they are. */
export function normalizeCdktfHcl(hcl: string): string {
  let heredocEnd: string | undefined;
  let inReferenceList = false;
  let conditionList: { readonly indent: string; readonly kind: string } | undefined;
  return hcl
    .split("\n")
    .flatMap((line) => {
      if (heredocEnd !== undefined) {
        if (line.trim() === heredocEnd) heredocEnd = undefined;
        return [line];
      }
      const heredoc = HEREDOC_START.exec(line);
      if (heredoc) {
        heredocEnd = heredoc[1];
        return [line];
      }
      const condition = CONDITION_LIST.exec(line);
      if (condition) {
        conditionList = { indent: condition[1], kind: condition[2] };
        return [];
      }
      if (conditionList !== undefined) {
        if (/^\s*\{\s*$/.test(line)) return [`${conditionList.indent}${conditionList.kind} {`];
        if (/^\s*\},?\s*$/.test(line)) return [`${conditionList.indent}}`];
        if (/^\s*\]\s*$/.test(line)) {
          conditionList = undefined;
          return [];
        }
        return [unwrapInterpolationOnly(line)];
      }
      if (inReferenceList) {
        if (/^\s*\]/.test(line)) inReferenceList = false;
        else return [line.replace(/^(\s*)"([^"$%{}\\]+)"(,?)\s*$/, "$1$2$3")];
      }
      if (REFERENCE_LISTS.test(line)) inReferenceList = true;
      return [unwrapInterpolationOnly(line)];
    })
    .join("\n");
}

/**
 * `key = "${expr}"` (or a list element `"${expr}",`) becomes `key = expr`
 * when the string is one interpolation and nothing else, as `terraform fmt`
 * does. Anything else is returned unchanged.
 */
export function unwrapInterpolationOnly(line: string): string {
  const match = /^(\s*(?:[\w-]+\s*=\s*)?)"\$\{/.exec(line);
  if (!match) return line;
  const start = match[0].length;
  const end = closingBrace(line, start);
  if (end === undefined) return line;
  const rest = line.slice(end + 1);
  if (!/^"(,?)\s*$/.test(rest)) return line;
  return `${match[1]}${line.slice(start, end).trim()}${rest.slice(1).trimEnd()}`;
}

/**
 * Index of the `}` that closes the interpolation whose expression starts at
 * `start`, skipping nested braces and string literals (with their own
 * interpolations); undefined when the line ends first.
 */
function closingBrace(text: string, start: number): number | undefined {
  const stack: ("expression" | "string")[] = ["expression"];
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    const mode = stack[stack.length - 1];
    if (mode === "string") {
      if (char === "\\") i++;
      else if (char === '"') stack.pop();
      else if ((char === "$" || char === "%") && text[i + 1] === "{") {
        stack.push("expression");
        i++;
      }
      continue;
    }
    if (char === '"') stack.push("string");
    else if (char === "{") stack.push("expression");
    else if (char === "}") {
      stack.pop();
      if (stack.length === 0) return i;
    }
  }
  return undefined;
}

type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** HCL of the `check` blocks of a synthesized Terraform JSON configuration (empty when it has none). */
export function renderCheckBlocks(configuration: { check?: Record<string, { data?: Record<string, Record<string, Record<string, JsonValue>>>; assert?: Record<string, JsonValue>[] }> }): string {
  return Object.entries(configuration.check ?? {})
    .map(([name, check]) => {
      const data = Object.entries(check.data ?? {}).flatMap(([type, blocks]) =>
        Object.entries(blocks).map(([local, body]) => block(`data "${type}" "${local}"`, body, "  ")),
      );
      const asserts = (check.assert ?? []).map((assert) => block("assert", assert, "  "));
      return `check "${name}" {\n${[...data, ...asserts].join("\n")}}\n`;
    })
    .join("\n");
}

function block(header: string, body: Record<string, JsonValue>, indent: string): string {
  const lines = Object.entries(body).map(([key, value]) =>
    key === "depends_on" && Array.isArray(value)
      ? `${indent}  depends_on = [${value.map((reference) => String(reference)).join(", ")}]`
      : `${indent}  ${key} = ${expression(value)}`,
  );
  return `${indent}${header} {\n${lines.join("\n")}\n${indent}}\n`;
}

/** A JSON value as an HCL expression: a `${...}`-only string becomes the bare expression. */
function expression(value: JsonValue): string {
  if (typeof value === "string") {
    const end = value.startsWith("${") ? closingBrace(value, 2) : undefined;
    return end === value.length - 1 ? value.slice(2, end).trim() : quote(value);
  }
  if (Array.isArray(value)) return `[${value.map(expression).join(", ")}]`;
  if (value && typeof value === "object") return `{ ${Object.entries(value).map(([key, item]) => `${key} = ${expression(item)}`).join(", ")} }`;
  return JSON.stringify(value);
}

/** An HCL quoted template of the text; `${` and `%{` stay templates, as in Terraform's JSON syntax. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
