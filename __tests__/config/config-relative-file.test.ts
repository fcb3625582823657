/** Files named in a config file are read relative to the config file's folder. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readConfigRelativeFile } from "../../config/config-relative-file";

describe("readConfigRelativeFile", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-relative-"));
    fs.mkdirSync(path.join(dir, "patches"));
    fs.writeFileSync(path.join(dir, "patches", "labels.yaml"), "machine: {}\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("reads a path relative to the config file's folder, whatever the working directory", () => {
    const read = readConfigRelativeFile(path.join(dir, "lab.yaml"), "talos.patches[0]", "patches/labels.yaml");
    expect(read).toMatchObject({ given: "patches/labels.yaml", text: "machine: {}\n" });
  });

  test("names the field, the path as given and resolved, and where relative paths start", () => {
    const read = readConfigRelativeFile(path.join(dir, "lab.yaml"), "talos.patches[1]", "patches/missing.yaml");
    expect(read).toEqual({
      problem: `talos.patches[1] = "patches/missing.yaml": ${path.join(dir, "patches", "missing.yaml")} does not exist; paths are read relative to the folder of ${path.join(dir, "lab.yaml")}`,
    });
    expect(readConfigRelativeFile(path.join(dir, "lab.yaml"), "f", "patches")).toEqual({ problem: expect.stringContaining("is a folder, not a file") });
  });
});
