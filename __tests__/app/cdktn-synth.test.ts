/**
 * `npm run synth:cdktn`: the same app on CDK Terrain (cdktn) writes the same
 * stack JSON, byte for byte, as `npm run synth` on cdktf, for the reference
 * homelab and every example; and the cdktn bundle holds no cdktf.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { normalizeStackJson } from "../../app/stack-json";
import { PROJECT_ROOT } from "../support/project-root";

const root = PROJECT_ROOT;
/**
 * CI (.ci/run) compares every stack, the reference and each example, byte for
 * byte. Here, where each comparison costs two app processes, the reference and
 * the example with the most resource types (Proxmox HA, workers) and the one
 * with the other backend (pg).
 */
const examples = ["proxmox-cluster-ha.yaml", "shared-state-pg.yaml"];

/** Runs one app (npm run synth or synth:cdktn) into a fresh folder; resolves to its cdk.tf.json bytes. */
function synth(command: "synth" | "synth:cdktn", config: string | undefined, outdir: string): Promise<Buffer> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, CDKTF_OUTDIR: outdir, PG_CONN_STR: "set-for-the-test" };
  if (config !== undefined) env.HOMELAB_CONFIG = path.join(root, "examples", config);
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [path.join(root, "app", "run.js"), command], { cwd: root, env }, (error, _stdout, stderr) => {
      if (error) return reject(new Error(`${command} ${config ?? "(reference)"}: ${stderr}`));
      // One cluster, so one stack, named after it.
      const [stack] = fs.readdirSync(path.join(outdir, "stacks"));
      resolve(fs.readFileSync(path.join(outdir, "stacks", stack, "cdk.tf.json")));
    }),
  );
}

describe("npm run synth:cdktn", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdktn-synth-"));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(["the reference homelab", ...examples])("writes the same bytes as npm run synth: %s", async (label) => {
    const config = label.endsWith(".yaml") ? label : undefined;
    const name = config ?? "reference";
    const [cdktf, cdktn] = await Promise.all([synth("synth", config, path.join(dir, name, "cdktf")), synth("synth:cdktn", config, path.join(dir, name, "cdktn"))]);
    expect(cdktn.length).toBeGreaterThan(1000);
    expect(cdktn.equals(cdktf)).toBe(true);
  });

  test("the cdktn bundle is built from cdktn alone, with the one constructs that cdktf resolves too", () => {
    // Written by the runs above.
    const inputs = Object.keys(JSON.parse(fs.readFileSync(path.join(root, ".build", "synth-cdktn.meta.json"), "utf8")).inputs);
    expect(inputs.some((input) => input.startsWith("node_modules/cdktn/"))).toBe(true);
    expect(inputs.filter((input) => input.startsWith("node_modules/cdktf/"))).toEqual([]);
    const constructsDirs = new Set(inputs.filter((input) => /(^|\/)node_modules\/constructs\//.test(input)).map((input) => input.replace(/\/constructs\/.*$/, "/constructs")));
    expect([...constructsDirs]).toEqual(["node_modules/constructs"]);
    const fromCdktn = require.resolve("constructs", { paths: [path.dirname(require.resolve("cdktn"))] });
    const fromCdktf = require.resolve("constructs", { paths: [path.dirname(require.resolve("cdktf"))] });
    expect(fromCdktn).toBe(fromCdktf);
  });
});

describe("one layout for the stack JSON, whichever runtime wrote it", () => {
  const cdktfLayout = '{\n  "//": {\n    "metadata": {\n      "stackName": "homelab",\n      "version": "0.21.0"\n    }\n  },\n  "output": {\n    "worker_ips": {\n      "value": [\n      ]\n    }\n  }\n}';
  const cdktnLayout = '{\n  "//": {\n    "metadata": {\n      "stackName": "homelab",\n      "version": "0.24.0"\n    }\n  },\n  "output": {\n    "worker_ips": {\n      "value": []\n    }\n  }\n}';

  test("drops only the runtime's version, and writes empty lists one way", () => {
    const expected = '{\n  "//": {\n    "metadata": {\n      "stackName": "homelab"\n    }\n  },\n  "output": {\n    "worker_ips": {\n      "value": []\n    }\n  }\n}';
    expect(normalizeStackJson(cdktfLayout)).toBe(expected);
    expect(normalizeStackJson(cdktnLayout)).toBe(expected);
  });

  test("sorts keys as both runtimes do, and keeps every value", () => {
    const text = normalizeStackJson('{"b": {"y": 1, "x": [2, {"d": null, "c": "${var.a}"}]}, "a": true}');
    expect(text).toBe('{\n  "a": true,\n  "b": {\n    "x": [\n      2,\n      {\n        "c": "${var.a}",\n        "d": null\n      }\n    ],\n    "y": 1\n  }\n}');
  });
});
