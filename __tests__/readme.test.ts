/**
 * The README and docs/ promise what the code does: the README's set-up
 * commands, the sample review report and the field table in docs/. The README
 * stays a newcomer's page that links every page of docs/, and no relative link
 * points at a missing file (../shared/STYLE.md, 19).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { renderReview } from "../review/render-review";
import { synthHomelab } from "./support/synth";
import { withFieldTable } from "../config/field-table";
import { PROJECT_ROOT } from "./support/project-root";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_ROOT, file), "utf8");
const readme = read("README.md");
/** Every file under docs/, as a project-relative path with forward slashes. */
const docs = (fs.readdirSync(path.join(PROJECT_ROOT, "docs"), { recursive: true }) as string[])
  .map((entry) => path.posix.join("docs", entry.split(path.sep).join("/")))
  .filter((file) => fs.statSync(path.join(PROJECT_ROOT, file)).isFile())
  .sort();
const markdownFiles = ["README.md", ...docs.filter((file) => file.endsWith(".md"))];

/** The relative link targets of a Markdown text, outside code, as project-relative paths without #anchor. */
function relativeLinks(file: string, markdown: string): string[] {
  const prose = markdown.replace(/^(`{3,}|~{3,})[^\n]*\n[\s\S]*?^\1[ \t]*$/gm, "").replace(/(`+)[\s\S]*?\1/g, "");
  const targets = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((match) => match[1]);
  return targets
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#"))
    .map((target) => path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(target.replace(/[?#].*$/, "")))));
}

/** The relative links of a Markdown file (project-relative) that point at no file or folder. */
function brokenLinks(file: string, markdown: string): string[] {
  return relativeLinks(file, markdown).filter((target) => !fs.existsSync(path.join(PROJECT_ROOT, target)));
}

test("opens with exactly the two set-up commands: install and synthesize, then test", () => {
  const firstBlock = /^# .+\n\n```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = firstBlock.split("\n").filter(Boolean).map((line) => line.replace(/\s+#.*$/, ""));
  expect(commands).toEqual(["npm ci && npm run synth", "npm test"]);
});

test("keeps the README a newcomer's page of at most 300 lines", () => {
  expect(readme.split("\n").length).toBeLessThanOrEqual(300);
});

test("shows, in docs/review-and-ci.md, the review report the code renders for the reference homelab", () => {
  const sample = /````markdown\n([\s\S]*?)\n````/.exec(read("docs/review-and-ci.md"))?.[1];
  expect(sample).toBe(renderReview({ head: synthHomelab().json }).trimEnd());
});

test("lists, in docs/configuration.md, every HOMELAB_CONFIG field as the field definitions render it (npm run docs)", () => {
  const configuration = read("docs/configuration.md");
  expect(configuration).toBe(withFieldTable(configuration));
  expect(configuration).toContain("| `network.bridge` | text | `vmbr0` | Proxmox bridge the NICs attach to. |");
});

test("links every page of docs/ from the README", () => {
  expect(docs).toContain("docs/configuration.md");
  const linked = new Set(relativeLinks("README.md", readme));
  expect(docs.filter((file) => !linked.has(file))).toEqual([]);
});

test("points every relative link of the README and docs/ at a file that exists", () => {
  expect(markdownFiles.length).toBeGreaterThan(1);
  expect(markdownFiles.flatMap((file) => brokenLinks(file, read(file)).map((target) => `${file} -> ${target}`))).toEqual([]);
});

test("fails a link to a missing file, resolved from the page's folder without its #anchor, and skips code, web links and anchors", () => {
  // GIVEN a page in docs/ with good links, broken ones, and link-like text that is no link
  const page = [
    "[ok](configuration.md#placement) [ok too](../README.md) [folder](../examples/) [web](https://www.talos.dev) [anchor](#top)",
    "[gone](missing.md#anchor) [wrong folder](docs/configuration.md)",
    "`[in code](nowhere.md)`",
    "```sh",
    "[in a fence](nowhere-either.md)",
    "```",
  ].join("\n");
  // WHEN / THEN
  expect(brokenLinks("docs/example.md", page)).toEqual(["docs/missing.md", "docs/docs/configuration.md"]);
});

test("keeps the Safety section that every stack's health-check warning points at (README, Safety)", () => {
  const { json } = synthHomelab();
  expect(JSON.stringify(json)).toContain("Repair it, one node at a time (README, Safety).");
  expect(readme).toMatch(/^#{2,3} Safety$/m);
});
