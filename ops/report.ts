/**
 * Reports of the operator commands, generic: a title, a table, a verdict.
 * The same report prints as a readable table, and is written as Markdown
 * and JSON to cdktf.out/ops/<name>.md and .json. Callers put no secret in it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { table } from "../review/markdown";

export interface Report {
  /** File name without extension: `verify` -> cdktf.out/ops/verify.md. */
  readonly name: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Whether everything reported holds (the command's exit code). */
  readonly ok: boolean;
  /** One line under the table. */
  readonly summary: string;
  /** Structured detail for the JSON report (e.g. the CheckResults). */
  readonly data?: unknown;
}

/** Where reports go, relative to the project folder. */
export const REPORT_DIR = path.join("cdktf.out", "ops");

/** A fixed-width text table; long cells wrap at `width` characters within their column. */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[], maxCellWidth = 72): string {
  const wrap = (text: string): string[] => {
    const lines: string[] = [];
    for (const paragraph of text.split("\n")) {
      let line = "";
      for (const word of paragraph.split(" ")) {
        if (line !== "" && line.length + 1 + word.length > maxCellWidth) {
          lines.push(line);
          line = word;
        } else line = line === "" ? word : `${line} ${word}`;
      }
      lines.push(line);
    }
    return lines;
  };
  const wrapped = rows.map((row) => columns.map((_, i) => wrap(row[i] ?? "")));
  const widths = columns.map((column, i) => Math.max(column.length, ...wrapped.map((row) => Math.max(...row[i].map((l) => l.length)))));
  const format = (cells: readonly string[]) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ").trimEnd();
  const out = [format(columns), format(widths.map((w) => "-".repeat(w)))];
  for (const row of wrapped) {
    const height = Math.max(...row.map((cell) => cell.length));
    for (let line = 0; line < height; line++) out.push(format(row.map((cell) => cell[line] ?? "")));
  }
  return out.join("\n");
}

/** The report as the terminal shows it. */
export function renderText(report: Report): string {
  return `${report.title}\n\n${renderTable(report.columns, report.rows)}\n\n${report.summary}\n`;
}

/** The report as Markdown (pipes escaped). */
export function renderMarkdown(report: Report): string {
  const rows = report.rows.map((row) => report.columns.map((_, i) => row[i] ?? ""));
  const lines = [`# ${report.title}`, "", ...table(report.columns, rows)];
  lines.push("", report.summary, "");
  return lines.join("\n");
}

/** The report as JSON. */
export function renderJson(report: Report): string {
  return `${JSON.stringify({ name: report.name, title: report.title, ok: report.ok, summary: report.summary, columns: report.columns, rows: report.rows, data: report.data }, null, 2)}\n`;
}

/** Writes <projectDir>/cdktf.out/ops/<name>.md and .json; returns their paths. */
export function writeReport(projectDir: string, report: Report): { readonly markdown: string; readonly json: string } {
  const dir = path.join(projectDir, REPORT_DIR);
  fs.mkdirSync(dir, { recursive: true });
  const markdown = path.join(dir, `${report.name}.md`);
  const json = path.join(dir, `${report.name}.json`);
  fs.writeFileSync(markdown, renderMarkdown(report));
  fs.writeFileSync(json, renderJson(report));
  return { markdown, json };
}
