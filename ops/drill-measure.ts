/**
 * `drill --measure-only`, without the network: its arguments, and the report
 * (table, Markdown, JSON) made from a finished probe run. The entry is
 * ops/cli/drill.ts; the prober is ./probe.ts.
 */
import { parseArgs } from "node:util";
import { summarizeProbes, type OutageWindow } from "./outage-windows";
import { DEFAULT_DEADLINE_MS, DEFAULT_INTERVAL_MS, type ProbeRun } from "./probe";
import { table } from "../review/markdown";

export const MEASURE_ONLY_USAGE =
  "usage: npm run drill -- --measure-only --endpoint https://HOST:PORT --seconds N [--interval-ms 100] [--deadline-ms 1000] [--ca FILE] [--out DIR] [--json]";

/** The measuring mode's arguments, checked. */
export interface MeasureArgs {
  readonly host: string;
  readonly port: number;
  /** As given, for the report. */
  readonly endpoint: string;
  readonly seconds: number;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  /** A PEM file the server certificate must chain to; without it the certificate is not checked. */
  readonly caFile?: string;
  /** Where the Markdown and JSON reports go. */
  readonly outDir: string;
  readonly json: boolean;
}

export const DEFAULT_OUT_DIR = "cdktf.out/ops";

/** Thrown for bad arguments: the entry prints the message as one line and exits 2. */
export class UsageError extends Error {}

/** Parses `drill --measure-only`'s arguments (the graceful and crash modes are ops/cli/drill.ts's parseDrillModeArgs). */
export function parseMeasureArgs(argv: readonly string[]): MeasureArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        "measure-only": { type: "boolean" },
        endpoint: { type: "string" },
        seconds: { type: "string" },
        "interval-ms": { type: "string" },
        "deadline-ms": { type: "string" },
        ca: { type: "string" },
        out: { type: "string" },
        json: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new UsageError(`drill: ${(error as Error).message}; ${MEASURE_ONLY_USAGE}`);
  }
  if (!values["measure-only"]) {
    throw new UsageError(`drill: these options are --measure-only's; for a drill against the cluster use --mode graceful|crash. ${MEASURE_ONLY_USAGE}`);
  }
  if (values.endpoint === undefined) throw new UsageError(`drill: --endpoint is required; ${MEASURE_ONLY_USAGE}`);
  if (values.seconds === undefined) throw new UsageError(`drill: --seconds is required; ${MEASURE_ONLY_USAGE}`);
  const { host, port } = parseEndpoint(values.endpoint);
  const seconds = positiveNumber("--seconds", values.seconds, 3600);
  const intervalMs = positiveNumber("--interval-ms", values["interval-ms"] ?? String(DEFAULT_INTERVAL_MS), 60_000);
  const deadlineMs = positiveNumber("--deadline-ms", values["deadline-ms"] ?? String(DEFAULT_DEADLINE_MS), 60_000);
  if (intervalMs < 10) throw new UsageError(`drill: --interval-ms must be at least 10, got ${intervalMs}`);
  return {
    host,
    port,
    endpoint: values.endpoint,
    seconds,
    intervalMs,
    deadlineMs,
    ...(values.ca !== undefined ? { caFile: values.ca } : {}),
    outDir: values.out ?? DEFAULT_OUT_DIR,
    json: values.json ?? false,
  };
}

/** `https://HOST:PORT` (IPv6 in brackets) to host and port; the port defaults to 443 as in any https URL. */
export function parseEndpoint(endpoint: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new UsageError(`drill: --endpoint must be a URL like https://192.0.2.10:6443, got '${endpoint}'`);
  }
  if (url.protocol !== "https:") throw new UsageError(`drill: --endpoint must start with https://, got '${endpoint}'`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username) {
    throw new UsageError(`drill: --endpoint is a host and port only (https://HOST:PORT), got '${endpoint}'`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  return { host, port: url.port === "" ? 443 : Number(url.port) };
}

function positiveNumber(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new UsageError(`drill: ${flag} must be a number above 0 and at most ${max}, got '${text}'`);
  }
  return value;
}

/** The report, as `--json` prints it and drill-measure.json holds it. Times in seconds from the run's start. */
export interface MeasureReport {
  readonly mode: "measure-only";
  readonly endpoint: string;
  /** Wall clock, for the reader only. */
  readonly startedAt: string;
  readonly seconds: number;
  readonly intervalMs: number;
  readonly deadlineMs: number;
  readonly certificateVerified: boolean;
  readonly probes: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly longestWindowSeconds: number;
  readonly windows: readonly ReportWindow[];
  /** Every probe, in start order: [started, ended] in seconds, and the error when it failed. */
  readonly results: readonly { readonly startedAt: number; readonly endedAt: number; readonly ok: boolean; readonly error?: string }[];
}

export interface ReportWindow {
  /** The last success before the fault. */
  readonly start: number;
  /** The first success after it; null while still open at the end of the run. */
  readonly end: number | null;
  readonly durationSeconds: number;
  readonly open: boolean;
  readonly fromRunStart: boolean;
  readonly failedProbes: number;
  readonly errors: readonly string[];
}

export function measureReport(args: Pick<MeasureArgs, "endpoint" | "seconds">, run: ProbeRun): MeasureReport {
  const summary = summarizeProbes(run.results);
  return {
    mode: "measure-only",
    endpoint: args.endpoint,
    startedAt: run.startedAt,
    seconds: args.seconds,
    intervalMs: run.intervalMs,
    deadlineMs: run.deadlineMs,
    certificateVerified: run.verified,
    probes: summary.probes,
    succeeded: summary.succeeded,
    failed: summary.failed,
    longestWindowSeconds: summary.longestSeconds,
    windows: summary.windows.map(reportWindow),
    results: run.results.map((r) => ({ startedAt: s(r.startedAtMs), endedAt: s(r.endedAtMs), ok: r.ok, ...(r.error ? { error: r.error } : {}) })),
  };
}

function reportWindow(w: OutageWindow): ReportWindow {
  return {
    start: s(w.startMs),
    end: w.endMs === undefined ? null : s(w.endMs),
    durationSeconds: w.durationSeconds,
    open: w.open,
    fromRunStart: w.fromRunStart,
    failedProbes: w.failedProbes,
    errors: w.errors,
  };
}

const s = (ms: number) => Math.round(ms) / 1000;
const f = (seconds: number) => seconds.toFixed(3);

function headline(report: MeasureReport): string[] {
  const windows = report.windows.length === 1 ? "1 outage window" : `${report.windows.length} outage windows`;
  return [
    `drill --measure-only: ${report.endpoint} for ${report.seconds} s, a TLS handshake every ${report.intervalMs} ms (deadline ${report.deadlineMs} ms, certificate ${report.certificateVerified ? "verified" : "not verified"})`,
    `${report.probes} probes: ${report.succeeded} succeeded, ${report.failed} failed; ${windows}`,
  ];
}

function windowCells(w: ReportWindow, index: number): string[] {
  return [
    String(index + 1),
    w.fromRunStart ? `${f(w.start)} (run start)` : f(w.start),
    w.end === null ? "open" : f(w.end),
    w.open ? `>= ${f(w.durationSeconds)}` : f(w.durationSeconds),
    String(w.failedProbes),
    w.errors.join(", "),
  ];
}

const COLUMNS = ["#", "start (s)", "end (s)", "duration (s)", "failed probes", "errors"];

/** The readable table printed by default. */
export function renderTable(report: MeasureReport): string {
  const lines = headline(report);
  if (report.windows.length === 0) return [...lines, "no outage: every probe completed its handshake", ""].join("\n");
  const rows = [COLUMNS, ...report.windows.map(windowCells)];
  const widths = COLUMNS.map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const pad = (row: string[]) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padStart(widths[c]))).join("  ").trimEnd();
  lines.push("", ...rows.map(pad), "", "start = last success before the fault, end = first success after, in seconds from the start of probing");
  return lines.join("\n") + "\n";
}

/** drill-measure.md. */
export function renderMarkdown(report: MeasureReport): string {
  const lines = ["# drill --measure-only", "", ...headline(report).map((l) => `${l}  `), `Started ${report.startedAt}.`, ""];
  if (report.windows.length === 0) {
    lines.push("No outage: every probe completed its handshake.");
  } else {
    lines.push(...table(COLUMNS, report.windows.map((w, i) => windowCells(w, i))));
    lines.push("", "Start is the last success before the fault, end the first success after, in seconds from the start of probing.");
  }
  return lines.join("\n") + "\n";
}
