/**
 * Files a HOMELAB_CONFIG file names (Talos patches, CNI manifests), read
 * relative to the folder of the config file itself, so a config and its
 * files move together and work from any working directory.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A file a config field names, as read. */
export interface ConfigRelativeFile {
  /** The path as written in the config file. */
  readonly given: string;
  /** The path to print: relative to the working directory when inside it, else absolute. */
  readonly shown: string;
  readonly text: string;
}

/**
 * Reads `given` (relative to `configFile`'s folder, or absolute). Returns the
 * file, or a problem text naming the field, the path as given and as
 * resolved, and the fix.
 */
export function readConfigRelativeFile(configFile: string, field: string, given: string): ConfigRelativeFile | { readonly problem: string } {
  const resolved = path.resolve(path.dirname(configFile), given);
  const relative = path.relative(process.cwd(), resolved);
  const shown = relative.startsWith("..") || path.isAbsolute(relative) ? resolved : relative;
  try {
    return { given, shown, text: fs.readFileSync(resolved, "utf8") };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "does not exist"
        : code === "EISDIR"
          ? "is a folder, not a file"
          : code === "EACCES" || code === "EPERM"
            ? "may not be read by this user"
            : `cannot be read (${code ?? (error as Error).message})`;
    return { problem: `${field} = ${JSON.stringify(given)}: ${shown} ${why}; paths are read relative to the folder of ${configFile}` };
  }
}
