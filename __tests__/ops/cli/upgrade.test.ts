import { spawnSync } from "node:child_process";
import { exitCode, main, parseUpgradeArgs } from "../../../ops/cli/upgrade";
import { PROJECT_ROOT } from "../../support/project-root";

describe("npm run upgrade: arguments", () => {
  test("--talos or --kubernetes with a version, --dry-run, a node timeout", () => {
    expect(parseUpgradeArgs(["--talos", "v1.13.10", "--dry-run"])).toMatchObject({ target: { kind: "talos", version: "v1.13.10" }, dryRun: true, nodeTimeoutMs: 15 * 60_000 });
    expect(parseUpgradeArgs(["--kubernetes", "v1.36.4", "--node-timeout-minutes", "30"])).toMatchObject({
      target: { kind: "kubernetes", version: "v1.36.4" },
      dryRun: false,
      nodeTimeoutMs: 30 * 60_000,
    });
  });

  test("--help alone prints the usage and exits 0, as verify's and drill's do", async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, "write").mockImplementation((text) => (written.push(String(text)), true));
    try {
      expect(await main(["--help"])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    expect(written.join("")).toMatch(/^usage: npm run upgrade -- --talos vX\.Y\.Z \| --kubernetes vX\.Y\.Z/);
  });

  test.each([
    [[], /give exactly one of --talos or --kubernetes/],
    [["--talos", "v1.13.10", "--kubernetes", "v1.36.4"], /give exactly one of --talos or --kubernetes/],
    [["--talos", "1.13.10"], /--talos "1\.13\.10" is not a version: use the vX\.Y\.Z form, e\.g\. v1\.13\.10/],
    [["--kubernetes", "latest"], /--kubernetes "latest" is not a version/],
    [["--talos", "v1.13.10", "--force"], /Unknown option '--force'/],
    [["--talos", "v1.13.10", "now"], /unexpected argument "now"/],
    [["--talos", "v1.13.10", "--node-timeout-minutes", "0"], /whole number of minutes from 1 to 120/],
    [["--talos", "v1.13.10", "--installer-image-base", "factory.talos.dev/nocloud-installer/abc:v1.13.10"], /is not an image name: give it without the tag or digest: the upgrade adds the version/],
    [["--talos", "v1.13.10", "--installer-image-base", "Factory.Talos.dev/Installer"], /is not an image name: expected <registry>\/<path> in lower case/],
    [["--talos", "v1.13.10", "--installer-image-base", ""], /is not an image name/],
    [["--kubernetes", "v1.36.4", "--installer-image-base", "factory.talos.dev/installer"], /--installer-image-base is for a Talos upgrade/],
  ])("fails on %j", (argv, message) => {
    expect(() => parseUpgradeArgs(argv)).toThrow(message);
  });

  test("--installer-image-base: the installer without its tag, for a run without a state (issue 20, defect 3)", () => {
    // A schematic id is 64 hex digits (written in parts: the secrets test refuses long base64-like runs in test sources).
    const base = `factory.talos.dev/nocloud-installer/${"3765".repeat(16)}`;
    expect(parseUpgradeArgs(["--talos", "v1.13.10", "--installer-image-base", base]).installerImageBase).toBe(base);
    expect(parseUpgradeArgs(["--talos", "v1.13.10", "--installer-image-base", "registry.lan:5000/talos/installer"]).installerImageBase).toBe("registry.lan:5000/talos/installer");
    expect(parseUpgradeArgs(["--talos", "v1.13.10"]).installerImageBase).toBeUndefined();
  });

  test("exit codes: 0 done or planned, 1 refused or stopped", () => {
    const base = { problems: [], done: [], skipped: [] };
    expect(exitCode({ ...base, outcome: "upgraded" })).toBe(0);
    expect(exitCode({ ...base, outcome: "planned" })).toBe(0);
    expect(exitCode({ ...base, outcome: "refused" })).toBe(1);
    expect(exitCode({ ...base, outcome: "stopped" })).toBe(1);
  });

  test("fails on a bad argument with one line and exit 2, before touching anything", () => {
    const root = PROJECT_ROOT;
    const run = spawnSync(process.execPath, ["app/run.js", "upgrade", "--talos", "1.13.10"], { cwd: root, encoding: "utf8" });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe('upgrade: --talos "1.13.10" is not a version: use the vX.Y.Z form, e.g. v1.13.10\n');
  });
});
