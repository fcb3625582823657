/**
 * One temporary folder for the whole jest run, removed by global-teardown.ts.
 * TMPDIR points at it before the workers start, so they and the processes
 * they spawn with the inherited environment put their temporary files there:
 * the tests' own mkdtemp folders, cdktf's Testing.synth / Testing.fullSynth
 * output folders (`cdktf.outdir.*`, which cdktf never removes) and tsx's
 * cache. `npm test` leaves the machine's temporary folder as it found it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const RUN_TMPDIR_VARIABLE = "HOMELAB_TEST_RUN_TMPDIR";

export default function globalSetup(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-jest-"));
  process.env[RUN_TMPDIR_VARIABLE] = dir;
  process.env.HOMELAB_TEST_ORIGINAL_TMPDIR = process.env.TMPDIR ?? "";
  process.env.TMPDIR = dir;
}
