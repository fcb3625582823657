/** The README promises what the code does: its set-up commands and its sample review report. */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderReview } from "../review/render-review";
import { synthHomelab } from "./support/synth";
import { withFieldTable } from "../config/field-table";
import { PROJECT_ROOT } from "./support/project-root";

const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");

test("opens with exactly the two set-up commands: install and synthesize, then test", () => {
  const firstBlock = /^# .+\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = firstBlock.split("\n").filter(Boolean).map((line) => line.replace(/\s+#.*$/, ""));
  expect(commands).toEqual(["npm ci && npm run synth", "npm test"]);
});

test("shows the review report the code renders for the reference homelab", () => {
  const sample = /````markdown\n([\s\S]*?)\n````/.exec(readme)?.[1];
  expect(sample).toBe(renderReview({ head: synthHomelab().json }).trimEnd());
});

test("lists every HOMELAB_CONFIG field as the field definitions render it (npm run docs)", () => {
  expect(readme).toBe(withFieldTable(readme));
  expect(readme).toContain("| `network.bridge` | text | `vmbr0` | Proxmox bridge the NICs attach to. |");
});
