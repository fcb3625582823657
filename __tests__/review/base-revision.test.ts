/**
 * `npm run review -- --base <git rev>` synthesizes the base from the
 * HOMELAB_CONFIG file as it was at that revision (issue 16): a config-only
 * change shows, and a file the revision lacks is a new cluster. Run in a
 * throwaway copy of the project with its own git history.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { BaseConfig, baseConfigNote, baseLabel, withBaseNote } from "../../review/base-config";
import { diffStacks } from "../../review/resource-diff";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { synthesizedStackFile } from "../../review/synth-output";
import { PROJECT_ROOT } from "../support/project-root";
import { synthHomelab } from "../support/synth";
import { ThrowawayRepo, throwawayRepo } from "../support/throwaway-repo";

const CONFIG = "homelab/lab.yaml";
const EXAMPLE = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "three-proxmox-hosts.yaml"), "utf8");
const OLD_VIP = "10.0.20.10";
const NEW_VIP = "10.0.20.20";

describe("npm run review -- --base <git rev>, with a committed HOMELAB_CONFIG", () => {
  let repo: ThrowawayRepo;
  const commits: Record<"project" | "added" | "vipChanged", string> = { project: "", added: "", vipChanged: "" };

  beforeAll(() => {
    expect(EXAMPLE).toContain(`vip: ${OLD_VIP}\n`);
    repo = throwawayRepo();
    commits.project = repo.commit("the project, no cluster file yet");
    repo.write(CONFIG, EXAMPLE);
    commits.added = repo.commit("the lab cluster");
    repo.write(CONFIG, EXAMPLE.replace(`vip: ${OLD_VIP}\n`, `vip: ${NEW_VIP}\n`));
    commits.vipChanged = repo.commit("the lab cluster's VIP moves");
  });
  afterAll(() => repo?.remove());

  const review = (base: string) => {
    const result = spawnSync(process.execPath, ["app/run.js", "review", "--", "--base", base], {
      cwd: repo.dir,
      env: { PATH: process.env.PATH, TMPDIR: os.tmpdir(), HOMELAB_CONFIG: CONFIG },
      encoding: "utf8",
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
    expect(fs.readFileSync(path.join(repo.dir, "cdktf.out", "review.md"), "utf8")).toBe(result.stdout);
    expect(result.stdout).not.toContain(repo.dir);
    expect(result.stdout).not.toContain(os.tmpdir());
    return result.stdout;
  };

  test("a VIP change in the file alone shows: what it replaces and updates, and the VIP before and after", () => {
    // GIVEN what resource-diff makes of the two files
    const synthFile = (text: string) => {
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "homelab-lab-")), "lab.yaml");
      fs.writeFileSync(file, text);
      try {
        return synthHomelab(loadHomelabConfig(file)).json as TerraformJson;
      } finally {
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
      }
    };
    const diff = diffStacks(synthFile(EXAMPLE), synthFile(fs.readFileSync(path.join(repo.dir, CONFIG), "utf8")));
    const replaced = diff.changed.filter(({ action }) => action === "replace").map(({ address }) => address);
    const updated = diff.changed.filter(({ action }) => action === "update").map(({ address }) => address);
    expect(replaced.length).toBeGreaterThan(0);

    // WHEN the review compares with the commit before
    const text = review("HEAD~1");

    // THEN it says where each side came from, and lists the same changes
    const sha = commits.added.slice(0, 12);
    expect(text).toContain(`Synthesized from \`${CONFIG}\`.\n\nThe base, git revision \`HEAD~1\` (${sha}), is synthesized from \`${CONFIG}\` as it was at that revision.\n`);
    expect(text).toContain(`- VIP: ${OLD_VIP} → ${NEW_VIP}`);
    expect(text).toContain(`**${replaced.length} to replace**, ${updated.length} to update in place, 0 unpredictable, 0 to add, 0 to remove`);
    const section = (title: string) => text.slice(text.indexOf(`### ${title}`)).split(/\n### /)[0];
    for (const address of replaced) expect(section("Replaced")).toContain(`\`${address}\``);
    for (const address of updated) expect(section("Updated in place")).toContain(`\`${address}\``);
  });

  test("a file the base revision does not have is a new cluster: everything is created", () => {
    const text = review(commits.project);

    const sha = commits.project.slice(0, 12);
    expect(text).toContain(`\`${CONFIG}\` did not exist at git revision \`${sha}\`: this is a new cluster. The base is empty, so every resource is created.`);
    const resources = stackModel(JSON.parse(fs.readFileSync(synthesizedStackFile(path.join(repo.dir, "cdktf.out"), "the head"), "utf8"))).resources;
    const total = resources.reduce((sum, { count }) => sum + count, 0);
    expect(text).toContain(`Compared with git revision \`${sha}\`, where \`${CONFIG}\` did not exist (a new cluster: everything is created), by Terraform address`);
    expect(text).toContain(`**0 to replace**, 0 to update in place, 0 unpredictable, ${total} to add, 0 to remove, 0 with no planned change.`);
    expect(text).not.toContain("### Removed");
  });
});

describe("what the report says of the base's configuration", () => {
  const revision = "git revision `1a2b3c4d5e6f`";
  const say = (config: BaseConfig) => [baseConfigNote(revision, config), baseLabel(revision, config)];

  test("a file outside the repository, or untracked, serves both sides, and the report says so", () => {
    expect(say({ kind: "current-file", path: "lab.yaml", why: "outside-repository" })).toEqual([
      "`lab.yaml` is outside this git repository, so it cannot be read as it was at git revision `1a2b3c4d5e6f`: the base is synthesized from the current file too. Changes of the configuration do not show below, only changes of the code.",
      "git revision `1a2b3c4d5e6f`, with the current `lab.yaml` (it cannot be read at that revision)",
    ]);
    expect(say({ kind: "current-file", path: "local/lab.yaml", why: "untracked" })[0]).toMatch(/^`local\/lab.yaml` is not tracked by git \(untracked or ignored\), so it cannot be read/);
  });

  test("no HOMELAB_CONFIG: the base is the reference homelab too", () => {
    expect(say({ kind: "reference" })).toEqual(["The base, git revision `1a2b3c4d5e6f`, is synthesized from the reference homelab too (no `HOMELAB_CONFIG`).", revision]);
  });

  test("the note goes right after the line naming the head's configuration", () => {
    expect(withBaseNote("# Control plane review\n\nSynthesized from `a.yaml`.\n\n## Warnings\n", "The base...")).toBe(
      "# Control plane review\n\nSynthesized from `a.yaml`.\n\nThe base...\n\n## Warnings\n"
    );
  });
});

describe("the synthesized stack", () => {
  test("is the one stack manifest.json names, or the one --cluster names; several without a name fail, naming them", () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-manifest-"));
    try {
      const manifest = (names: string[]) =>
        fs.writeFileSync(
          path.join(outdir, "manifest.json"),
          JSON.stringify({ stacks: Object.fromEntries(names.map((name) => [name, { synthesizedStackPath: `stacks/${name}/cdk.tf.json` }])) })
        );
      manifest(["lab"]);
      expect(synthesizedStackFile(outdir, "this checkout")).toBe(path.join(outdir, "stacks", "lab", "cdk.tf.json"));
      manifest(["lab", "edge"]);
      expect(() => synthesizedStackFile(outdir, "this checkout")).toThrow(/^this checkout: there are several clusters \(edge, lab\): name one with --cluster NAME/);
      expect(synthesizedStackFile(outdir, "this checkout", "edge")).toBe(path.join(outdir, "stacks", "edge", "cdk.tf.json"));
      expect(() => synthesizedStackFile(outdir, "this checkout", "prod")).toThrow(/^this checkout: no cluster named prod here; the clusters are: edge, lab$/);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
