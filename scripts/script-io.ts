/** Small file and argument helpers shared by the generation scripts. */
import * as fs from "node:fs";
import * as path from "node:path";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** The value after `flag` on the command line, if any. */
export function argValue(flag: string): string | undefined {
  const index = process.argv.indexOf(flag);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/**
 * The shared folder with the real schemas: `--shared DIR`, else `../shared`
 * beside the project. Fails with the fix when it is missing.
 */
export function requireSharedDir(explicit?: string): string {
  const dir = path.resolve(explicit ?? path.join(__dirname, "..", "..", "shared"));
  if (!fs.existsSync(path.join(dir, "provider-schemas"))) {
    throw new Error(
      `no provider schemas under ${dir}: pass --shared DIR pointing at the folder that holds provider-schemas/ and talos-config-schemas/`,
    );
  }
  return dir;
}
