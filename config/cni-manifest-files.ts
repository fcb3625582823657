/**
 * `talos.cniManifests` names files, relative to the config file; the
 * construct takes their text (constructs never read files). This swaps one
 * for the other once the file's shape is checked.
 */
import { HomelabStackProps } from "../domain";
import { readConfigRelativeFile } from "./config-relative-file";

/** The props with each CNI manifest path replaced by the file's text, or every path that cannot be read. */
export function withCniManifestFiles(configFile: string, props: HomelabStackProps): { readonly props: HomelabStackProps } | { readonly problems: string[] } {
  const paths = props.cluster?.cniManifests;
  if (!paths || paths.length === 0) return { props };
  const problems: string[] = [];
  const texts = paths.map((given, index) => {
    const read = readConfigRelativeFile(configFile, `talos.cniManifests[${index}]`, given);
    if ("problem" in read) {
      problems.push(read.problem);
      return "";
    }
    return read.text;
  });
  return problems.length > 0 ? { problems } : { props: { ...props, cluster: { ...props.cluster, cniManifests: texts } } };
}
