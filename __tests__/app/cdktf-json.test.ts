/**
 * cdktf.json stays as committed when the cdktf CLI runs (`npx cdktf synth`
 * and friends): unless CHECKPOINT_DISABLE is set, the CLI's telemetry writes
 * a random "projectId" into it, reformatted with JSON.stringify(..., null, 2),
 * whenever the file has none. So the file carries a fixed one, in that format.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../support/project-root";

const text = fs.readFileSync(path.join(PROJECT_ROOT, "cdktf.json"), "utf8");
const cdktfJson = JSON.parse(text) as Record<string, unknown>;

describe("cdktf.json", () => {
  test("has a fixed projectId, so the cdktf CLI never adds one", () => {
    expect(cdktfJson.projectId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  test("is formatted as the cdktf CLI writes it (2-space JSON), plus a final newline", () => {
    expect(text).toBe(`${JSON.stringify(cdktfJson, null, 2)}\n`);
  });
});
