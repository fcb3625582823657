/**
 * The folders are the architecture (../shared/STYLE.md, 16): domain/ is pure
 * and loads no CDK; config/, review/ and ops/ build on domain/ and never on
 * the constructs or the stack; constructs/ exports constructs and their props.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Construct } from "constructs";
import * as constructsBarrel from "../constructs";
import { LayerRule, ROOT, importsOf, sourceFiles, violations } from "./support/layer-imports";

const { COMMANDS } = require("../app/commands") as { COMMANDS: Record<string, { entry: string }> };

const CDK_PACKAGES = ["cdktf", "cdktn", "constructs", "@cdktf/provider-null", "@cdktf"];

/** domain/: pure, so nothing of the CDK, the generated bindings, or a layer above. */
const DOMAIN_RULE: LayerRule = {
  forbiddenPackages: CDK_PACKAGES,
  forbiddenFolders: [".gen", "constructs", "stacks", "app", "main.ts", "main", "config", "review", "ops", "scripts"],
  // Talos's config schemas are data, not bindings: domain/talos-config-schemas.ts requires them so the
  // construct and the config file validate user patches with one implementation, with no file read at run time.
  allowedFiles: [/^\.gen\/talos-config-schemas\/[^/]+\.json$/],
};

/** config/, review/, ops/: adapters and CLIs over domain/, never the cdktf wiring. */
const ADAPTER_RULE: LayerRule = {
  forbiddenPackages: CDK_PACKAGES,
  forbiddenFolders: [".gen", "constructs", "stacks", "app", "main.ts", "main"],
};

function broken(folder: string, rule: LayerRule): string[] {
  return sourceFiles(folder).flatMap((file) => violations(file, fs.readFileSync(path.join(ROOT, file), "utf8"), rule));
}

describe("layer rules", () => {
  test("no file under domain/ imports cdktf, constructs, .gen or a layer above", () => {
    expect(sourceFiles("domain")).toContain("domain/validation.ts");
    expect(broken("domain", DOMAIN_RULE)).toEqual([]);
  });

  test.each(["config", "review", "ops"])("no file under %s/ imports constructs/, stacks/, app/, .gen or the CDK", (folder) => {
    expect(sourceFiles(folder).length).toBeGreaterThan(0);
    expect(broken(folder, ADAPTER_RULE)).toEqual([]);
  });

  test("fails on each kind of forbidden import: package, subpath, relative folder, dynamic import and require", () => {
    // GIVEN a domain file that breaks the rule five ways, and one that does not
    const bad = [
      'import { Token } from "cdktf";',
      'import { Construct } from "constructs";',
      'import type { MachineSecrets } from "../.gen/providers/talos/machine-secrets";',
      'const stack = await import("../stacks/homelab-stack");',
      'const c = require("../constructs");',
      'import { parseCidr } from "./ipv4";',
      'import { stringify } from "yaml";',
      'const schema = require("../.gen/talos-config-schemas/talos-v1.13.9.schema.json");',
      'import { Machine } from "../.gen/talos-config-schemas/machine";',
    ].join("\n");
    // WHEN / THEN
    expect(violations("domain/example.ts", bad, DOMAIN_RULE)).toEqual([
      "domain/example.ts -> cdktf",
      "domain/example.ts -> constructs",
      "domain/example.ts -> ../.gen/providers/talos/machine-secrets",
      "domain/example.ts -> ../stacks/homelab-stack",
      "domain/example.ts -> ../constructs",
      "domain/example.ts -> ../.gen/talos-config-schemas/machine",
    ]);
    expect(violations("ops/cli/example.ts", 'import { ControlPlaneHa } from "../../constructs/control-plane-ha";', ADAPTER_RULE)).toEqual([
      "ops/cli/example.ts -> ../../constructs/control-plane-ha",
    ]);
    expect(violations("ops/cli/example.ts", 'import { parseVersion } from "../../domain/talos-versions";', ADAPTER_RULE)).toEqual([]);
  });

  test("constructs/ exports constructs only (and, as types, their props)", () => {
    const notConstructs = Object.entries(constructsBarrel)
      .filter(([, value]) => !(typeof value === "function" && value.prototype instanceof Construct))
      .map(([name]) => name);
    expect(notConstructs).toEqual([]);
    expect(Object.keys(constructsBarrel)).toEqual(expect.arrayContaining(["ControlPlaneHa", "WorkerPool"]));
  });
});

describe("entry points", () => {
  const entries = [...new Set(Object.values(COMMANDS).map(({ entry }) => entry))];

  test("every npm run command but test, generate and bench starts from its bundle (node app/run.js <command>)", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    const viaLauncher = Object.entries(scripts).filter(([name]) => !["test", "generate", "bench"].includes(name));
    expect(viaLauncher.map(([name, command]) => [name, command])).toEqual(viaLauncher.map(([name]) => [name, `node app/run.js ${name}`]));
    expect(Object.keys(COMMANDS).sort()).toEqual(viaLauncher.map(([name]) => name).sort());
    expect(JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app).toBe("node app/run.js synth");
  });

  test("no entry point imports another: in a bundle, every module's require.main === module guard would fire", () => {
    const entryFiles = new Set(entries);
    const crossings = entries.flatMap((entry) =>
      importsOf(fs.readFileSync(path.join(ROOT, entry), "utf8"))
        .filter((spec) => spec.startsWith("."))
        .map((spec) => `${path.posix.normalize(path.posix.join(path.posix.dirname(entry), spec))}.ts`)
        .filter((target) => entryFiles.has(target))
        .map((target) => `${entry} -> ${target}`),
    );
    expect(entries).toContain("ops/cli/drill.ts");
    expect(crossings).toEqual([]);
  });
});
