/**
 * `npm run drill -- --measure-only`: its arguments, its report, and the
 * command run in-process against a TLS server on 127.0.0.1.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { runMeasureOnly } from "../../../ops/cli/drill";
import { measureReport, parseMeasureArgs, parseEndpoint, renderMarkdown, renderTable, UsageError, type MeasureReport } from "../../../ops/drill-measure";
import type { ProbeRun } from "../../../ops/probe";
import { close, listen, mintPki } from "../../support/ops-api";

describe("parseMeasureArgs", () => {
  test("the measuring mode with its defaults", () => {
    expect(parseMeasureArgs(["--measure-only", "--endpoint", "https://198.18.0.10:6443", "--seconds", "6"])).toEqual({
      host: "198.18.0.10",
      port: 6443,
      endpoint: "https://198.18.0.10:6443",
      seconds: 6,
      intervalMs: 100,
      deadlineMs: 1000,
      outDir: "cdktf.out/ops",
      json: false,
    });
  });

  test("every option", () => {
    const args = parseMeasureArgs(["--measure-only", "--endpoint=https://[::1]:8443", "--seconds=1.5", "--interval-ms", "50", "--deadline-ms", "300", "--ca", "ca.pem", "--out", "o", "--json"]);
    expect(args).toEqual({ host: "::1", port: 8443, endpoint: "https://[::1]:8443", seconds: 1.5, intervalMs: 50, deadlineMs: 300, caFile: "ca.pem", outDir: "o", json: true });
  });

  test("an https URL without a port means 443", () => {
    expect(parseEndpoint("https://api.example.test")).toEqual({ host: "api.example.test", port: 443 });
  });

  test.each([
    [["--endpoint", "https://198.18.0.10:6443", "--seconds", "6"], /these options are --measure-only's; for a drill against the cluster use --mode graceful\|crash/],
    [["--measure-only", "--seconds", "6"], /--endpoint is required/],
    [["--measure-only", "--endpoint", "https://198.18.0.10:6443"], /--seconds is required/],
    [["--measure-only", "--endpoint", "http://198.18.0.10:6443", "--seconds", "6"], /--endpoint must start with https:\/\/, got 'http:\/\/198.18.0.10:6443'/],
    [["--measure-only", "--endpoint", "198.18.0.10:6443", "--seconds", "6"], /--endpoint must .*https/],
    [["--measure-only", "--endpoint", "https://198.18.0.10:6443/readyz", "--seconds", "6"], /host and port only/],
    [["--measure-only", "--endpoint", "https://198.18.0.10:6443", "--seconds", "0"], /--seconds must be a number above 0 and at most 3600, got '0'/],
    [["--measure-only", "--endpoint", "https://198.18.0.10:6443", "--seconds", "six"], /--seconds must be a number/],
    [["--measure-only", "--endpoint", "https://198.18.0.10:6443", "--seconds", "6", "--interval-ms", "1"], /--interval-ms must be at least 10/],
    [["--measure-only", "--endpoint", "https://198.18.0.10:6443", "--seconds", "6", "--bogus"], /Unknown option '--bogus'; usage: npm run drill/],
    [["--measure-only", "stray"], /usage: npm run drill/],
  ])("fails on %j", (argv, message) => {
    expect(() => parseMeasureArgs(argv)).toThrow(UsageError);
    expect(() => parseMeasureArgs(argv)).toThrow(message);
  });
});

describe("the report", () => {
  const run: ProbeRun = {
    host: "198.18.0.10",
    port: 6443,
    intervalMs: 100,
    deadlineMs: 1000,
    verified: false,
    startedAt: "2026-01-01T00:00:00.000Z",
    results: [
      { startedAtMs: 0, endedAtMs: 3, ok: true },
      { startedAtMs: 100, endedAtMs: 1100, ok: false, error: "no TLS handshake within 1000 ms" },
      { startedAtMs: 200, endedAtMs: 1200, ok: false, error: "no TLS handshake within 1000 ms" },
      { startedAtMs: 300, endedAtMs: 303.4, ok: true },
      { startedAtMs: 400, endedAtMs: 401, ok: false, error: "ECONNREFUSED" },
    ],
  };
  const report: MeasureReport = measureReport({ endpoint: "https://198.18.0.10:6443", seconds: 0.5 }, run);

  test("JSON: the windows in seconds from the start of probing, and every probe", () => {
    expect(report).toMatchObject({ probes: 5, succeeded: 2, failed: 3, longestWindowSeconds: 0.3, certificateVerified: false });
    expect(report.windows).toEqual([
      { start: 0.003, end: 0.303, durationSeconds: 0.3, open: false, fromRunStart: false, failedProbes: 2, errors: ["no TLS handshake within 1000 ms"] },
      { start: 0.303, end: null, durationSeconds: 0.097, open: true, fromRunStart: false, failedProbes: 1, errors: ["ECONNREFUSED"] },
    ]);
    expect(report.results[1]).toEqual({ startedAt: 0.1, endedAt: 1.1, ok: false, error: "no TLS handshake within 1000 ms" });
  });

  test("the table", () => {
    expect(renderTable(report)).toMatchInlineSnapshot(`
"drill --measure-only: https://198.18.0.10:6443 for 0.5 s, a TLS handshake every 100 ms (deadline 1000 ms, certificate not verified)
5 probes: 2 succeeded, 3 failed; 2 outage windows

#  start (s)  end (s)  duration (s)  failed probes  errors
1      0.003    0.303         0.300              2  no TLS handshake within 1000 ms
2      0.303     open      >= 0.097              1  ECONNREFUSED

start = last success before the fault, end = first success after, in seconds from the start of probing
"
`);
  });

  test("Markdown", () => {
    const markdown = renderMarkdown(report);
    expect(markdown).toContain("| # | start (s) | end (s) | duration (s) | failed probes | errors |");
    expect(markdown).toContain("| 2 | 0.303 | open | >= 0.097 | 1 | ECONNREFUSED |");
    expect(markdown).toContain("Started 2026-01-01T00:00:00.000Z.");
  });

  test("no outage", () => {
    const healthy = measureReport({ endpoint: "https://h:1", seconds: 0.1 }, { ...run, results: [run.results[0]] });
    expect(renderTable(healthy)).toContain("no outage: every probe completed its handshake");
    expect(renderMarkdown(healthy)).toContain("No outage");
  });
});

describe("runMeasureOnly", () => {
  test("--measure-only --help prints its usage and exits 0", async () => {
    let out = "";
    expect(await runMeasureOnly(["--measure-only", "--help"], { stdout: (t) => (out += t), stderr: () => undefined })).toBe(0);
    expect(out).toMatch(/^usage: npm run drill -- --measure-only --endpoint https:\/\/HOST:PORT --seconds N .*--ca FILE/);
  });

  function capture() {
    const out = { stdout: "", stderr: "" };
    return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
  }

  test("fails with exit 2 and one line on bad arguments", async () => {
    const { out, io } = capture();
    expect(await runMeasureOnly(["--measure-only"], io)).toBe(2);
    expect(out.stdout).toBe("");
    expect(out.stderr.trim().split("\n")).toHaveLength(1);
    expect(out.stderr).toMatch(/^drill: --endpoint is required/);
  });

  test("probes a TLS server on 127.0.0.1, verified against its CA, prints JSON and writes both reports", async () => {
    const pki = await mintPki();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drill-cli-"));
    fs.writeFileSync(path.join(dir, "ca.pem"), pki.ca);
    const server = tls.createServer({ key: pki.serverKey, cert: pki.ca }, (socket) => socket.on("error", () => undefined).end());
    const port = await listen(server);
    try {
      const { out, io } = capture();
      const argv = ["--measure-only", "--endpoint", `https://127.0.0.1:${port}`, "--seconds", "0.5", "--ca", path.join(dir, "ca.pem"), "--out", path.join(dir, "ops"), "--json"];
      expect(await runMeasureOnly(argv, io)).toBe(0);
      const printed = JSON.parse(out.stdout) as MeasureReport;
      expect(printed).toMatchObject({ mode: "measure-only", probes: 5, succeeded: 5, windows: [], certificateVerified: true });
      expect(JSON.parse(fs.readFileSync(path.join(dir, "ops", "drill-measure.json"), "utf8"))).toEqual(printed);
      expect(fs.readFileSync(path.join(dir, "ops", "drill-measure.md"), "utf8")).toContain("No outage");
      expect(out.stderr).toMatch(/^drill: probing https:\/\/127.0.0.1:\d+ every 100 ms for 0.5 s/);
    } finally {
      await close(server);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("exit 2 with the reason when the CA file cannot be read", async () => {
    const { out, io } = capture();
    const code = await runMeasureOnly(["--measure-only", "--endpoint", "https://127.0.0.1:1", "--seconds", "0.1", "--ca", "/nonexistent/ca.pem"], io);
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/^drill: ENOENT/);
  });
});
