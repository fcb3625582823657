/**
 * The same input gives the same bytes, wherever and by whomever it is
 * synthesized, and a failed synth never leaves cdktf.out half written.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { replaceOutdir } from "../../app/replace-outdir";
import { PROJECT_ROOT } from "../support/project-root";

const root = PROJECT_ROOT;
const COPIED = ["main.ts", "app", "config", "constructs", "domain", "stacks", "scripts", ".gen", "package.json", "tsconfig.json", "cdktf.json"];

/** A copy of the project (sharing node_modules) under a fresh, differently named folder. */
function copyProject(name: string): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`)), name);
  for (const entry of COPIED) fs.cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

function synthIn(dir: string): Record<string, string> {
  const result = spawnSync(process.execPath, ["app/run.js", "synth"], { cwd: dir, env: { PATH: process.env.PATH }, encoding: "utf8" });
  expect(result.status).toBe(0);
  const outdir = path.join(dir, "cdktf.out");
  return Object.fromEntries(["manifest.json", "stacks/homelab/cdk.tf.json"].map((file) => [file, fs.readFileSync(path.join(outdir, file), "utf8")]));
}

describe("portable output", () => {
  test("two project folders synthesize byte-identical files with nothing of the machine in them", () => {
    const [first, second] = [copyProject("checkout-one"), copyProject("another-checkout")];
    const [a, b] = [synthIn(first), synthIn(second)];
    expect(a).toEqual(b);

    const text = Object.values(a).join("\n");
    for (const machineSpecific of [first, second, root, os.homedir(), os.tmpdir()]) {
      expect(text).not.toContain(machineSpecific);
    }
    expect(text).not.toMatch(new RegExp(`\\b${os.hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`));
    expect(text).not.toMatch(/\b(19|20)\d\d-[01]\d-[0-3]\dT\d\d:\d\d/); // no timestamps
    expect(text).not.toMatch(/stacktrace/);
  });
});

describe("replaceOutdir", () => {
  function previousOutput(): string {
    const outdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "outdir-")), "cdktf.out");
    fs.mkdirSync(path.join(outdir, "stacks", "homelab", ".terraform"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "manifest.json"), "previous manifest");
    fs.writeFileSync(path.join(outdir, "stacks", "homelab", "cdk.tf.json"), "previous stack");
    fs.writeFileSync(path.join(outdir, "stacks", "homelab", ".terraform.lock.hcl"), "lock file");
    return outdir;
  }

  test("a failed synth leaves the previous output untouched and no staging folder behind", () => {
    const outdir = previousOutput();
    expect(() =>
      replaceOutdir(outdir, (staging) => {
        fs.mkdirSync(path.join(staging, "stacks", "homelab"), { recursive: true });
        fs.writeFileSync(path.join(staging, "stacks", "homelab", "cdk.tf.json"), "half written");
        throw new Error("synthesis failed");
      }),
    ).toThrow("synthesis failed");
    expect(fs.readFileSync(path.join(outdir, "stacks", "homelab", "cdk.tf.json"), "utf8")).toBe("previous stack");
    expect(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).toBe("previous manifest");
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(["cdktf.out"]);
  });

  test("a successful synth replaces the synthesized files and keeps Terraform's own", () => {
    const outdir = previousOutput();
    fs.writeFileSync(path.join(outdir, "stacks", "homelab", "cdk.tf"), "stale HCL from an earlier synth");
    replaceOutdir(outdir, (staging) => {
      fs.mkdirSync(path.join(staging, "stacks", "homelab"), { recursive: true });
      fs.writeFileSync(path.join(staging, "stacks", "homelab", "cdk.tf.json"), "new stack");
      fs.writeFileSync(path.join(staging, "manifest.json"), "new manifest");
    });
    const stackDir = path.join(outdir, "stacks", "homelab");
    expect(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")).toBe("new stack");
    expect(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")).toBe("new manifest");
    expect(fs.readdirSync(stackDir).sort()).toEqual([".terraform", ".terraform.lock.hcl", "cdk.tf.json"]);
    expect(fs.readdirSync(path.dirname(outdir))).toEqual(["cdktf.out"]);
  });

  test("the folder of a stack no longer written goes, unless the cdktf CLI runs the app (it removes orphans itself)", () => {
    const write = (staging: string) => {
      fs.mkdirSync(path.join(staging, "stacks", "lab"), { recursive: true });
      fs.writeFileSync(path.join(staging, "stacks", "lab", "cdk.tf.json"), "lab");
    };
    // GIVEN homelab's folder from an earlier synth; WHEN only lab is written
    const underCli = previousOutput();
    replaceOutdir(underCli, write, { removeStaleStacks: false });
    const plain = previousOutput();
    replaceOutdir(plain, write);
    // THEN the cdktf CLI still finds the folder it listed before the synth; a plain synth leaves only lab
    expect(fs.readdirSync(path.join(underCli, "stacks")).sort()).toEqual(["homelab", "lab"]);
    expect(fs.readdirSync(path.join(plain, "stacks"))).toEqual(["lab"]);
  });
});
