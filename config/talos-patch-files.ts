/**
 * A Talos patch given as text in the config file (`talos.patches`,
 * `talos.controlPlanePatches`, `talos.workerPatches`, a node's `patches`) is
 * the path of a YAML file, relative to the config file; the construct takes
 * the YAML itself (constructs never read files). This swaps one for the
 * other once the file's shape is checked, and remembers which file each
 * patch came from, so a problem in it names the file.
 */
import { ControlPlaneHaProps, HomelabStackProps, PatchSource, TalosPatch } from "../domain";
import { readConfigRelativeFile } from "./config-relative-file";

/** The patch lists of the cluster: prop field and file field. */
const CLUSTER_PATCH_FIELDS = [
  ["talosPatches", "talos.patches"],
  ["controlPlanePatches", "talos.controlPlanePatches"],
  ["workerPatches", "talos.workerPatches"],
] as const;

/**
 * The props with each patch path replaced by the file's text, and where each
 * came from (by prop field, e.g. `workerPatches[1]`); or every path that
 * cannot be read.
 */
export function withTalosPatchFiles(
  configFile: string,
  props: HomelabStackProps,
): { readonly props: HomelabStackProps; readonly patchSource: PatchSource } | { readonly problems: string[] } {
  const cluster: ControlPlaneHaProps = props.cluster ?? {};
  const sources = new Map<string, string>();
  const problems: string[] = [];
  const readAll = (patches: readonly TalosPatch[] | undefined, propField: string, fileField: string): TalosPatch[] | undefined =>
    patches?.map((patch, index) => {
      if (typeof patch !== "string") return patch;
      if (patch.includes("\n")) {
        // No path holds a newline: this is YAML written as text (`- |`), which the file does not take.
        problems.push(
          `${fileField}[${index}] = ${JSON.stringify(`${patch.split("\n")[0]}...`)}: is YAML written as text; in the config file a patch is a mapping (write the same YAML without the "|") or the path of a YAML file`,
        );
        return "";
      }
      const read = readConfigRelativeFile(configFile, `${fileField}[${index}]`, patch);
      if ("problem" in read) {
        problems.push(read.problem);
        return "";
      }
      sources.set(`${propField}[${index}]`, read.shown);
      return read.text;
    });
  const withFiles: Record<string, unknown> = {};
  for (const [prop, file] of CLUSTER_PATCH_FIELDS) {
    if (cluster[prop] !== undefined) withFiles[prop] = readAll(cluster[prop], prop, file);
  }
  for (const list of ["controlPlanes", "workers"] as const) {
    const nodes = cluster[list];
    if (nodes?.some((node) => node.patches !== undefined)) {
      withFiles[list] = nodes.map((node, index) =>
        node.patches === undefined ? node : { ...node, patches: readAll(node.patches, `${list}[${index}].patches`, `${list}[${index}].patches`) },
      );
    }
  }
  if (problems.length > 0) return { problems };
  if (Object.keys(withFiles).length === 0) return { props, patchSource: () => undefined };
  return { props: { ...props, cluster: { ...cluster, ...withFiles } }, patchSource: (field) => sources.get(field) };
}
