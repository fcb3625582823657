/**
 * `npm run drill -- --measure-only --endpoint https://HOST:PORT --seconds N [--json]`
 *
 * Probes the endpoint and prints every outage window it saw; writes
 * drill-measure.md and drill-measure.json under cdktf.out/ops/ (or --out).
 * Exit 0 when the probing ran; 2 when it could not (bad arguments, unreadable
 * CA file), as the other operator commands do. A window is not a failure here:
 * measuring is all this mode does.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { measureReport, parseDrillArgs, renderMarkdown, renderTable, UsageError } from "../drill-measure";
import { probeEndpoint } from "../probe";

export interface DrillIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const processIo: DrillIo = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** Runs the command; resolves to the exit code. */
export async function runDrill(argv: readonly string[], io: DrillIo = processIo): Promise<number> {
  let args;
  try {
    args = parseDrillArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(error.message + "\n");
    return 2;
  }
  try {
    const ca = args.caFile === undefined ? undefined : fs.readFileSync(args.caFile);
    // On stderr, so that --json keeps stdout to the report; the netns test waits for this line.
    io.stderr(`drill: probing ${args.endpoint} every ${args.intervalMs} ms for ${args.seconds} s\n`);
    const run = await probeEndpoint({ host: args.host, port: args.port, seconds: args.seconds, intervalMs: args.intervalMs, deadlineMs: args.deadlineMs, ca });
    const report = measureReport(args, run);
    fs.mkdirSync(args.outDir, { recursive: true });
    fs.writeFileSync(path.join(args.outDir, "drill-measure.json"), JSON.stringify(report, null, 2) + "\n");
    fs.writeFileSync(path.join(args.outDir, "drill-measure.md"), renderMarkdown(report));
    io.stdout(args.json ? JSON.stringify(report, null, 2) + "\n" : renderTable(report));
    return 0;
  } catch (error) {
    io.stderr(`drill: ${(error as Error).message}\n`);
    return 2;
  }
}

if (require.main === module) {
  runDrill(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
