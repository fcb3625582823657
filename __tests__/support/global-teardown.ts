/** Removes the run's temporary folder that global-setup.ts made, and restores TMPDIR. */
import * as fs from "node:fs";
import { RUN_TMPDIR_VARIABLE } from "./global-setup";

export default function globalTeardown(): void {
  const dir = process.env[RUN_TMPDIR_VARIABLE];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  const original = process.env.HOMELAB_TEST_ORIGINAL_TMPDIR;
  if (original) process.env.TMPDIR = original;
  else delete process.env.TMPDIR;
  delete process.env[RUN_TMPDIR_VARIABLE];
  delete process.env.HOMELAB_TEST_ORIGINAL_TMPDIR;
}
