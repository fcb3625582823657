/**
 * The cdktf app: the reference homelab, or the cluster described by the file
 * that HOMELAB_CONFIG names. Bad input stops here, before anything is
 * written, with every problem listed and a non-zero exit code; a synth that
 * fails later leaves the previous cdktf.out as it was.
 */
import { App } from "cdktf";
import { replaceOutdir } from "./app/replace-outdir";
import { clusterWarnings, resolveClusterSpec } from "./constructs";
import { HomelabStack, HomelabStackProps } from "./stacks/homelab-stack";

/** Terraform working directory name under cdktf.out/stacks/. */
const STACK_ID = "homelab";

async function main(): Promise<void> {
  const configFile = process.env.HOMELAB_CONFIG;
  // Loaded only when needed: the file checks pull in a JSON Schema validator.
  const props: HomelabStackProps = configFile ? (await import("./config/load-homelab-config")).loadHomelabConfig(configFile) : {};

  for (const warning of clusterWarnings(resolveClusterSpec(props.cluster))) {
    console.warn(`warning: ${warning}`);
  }

  replaceOutdir(process.env.CDKTF_OUTDIR ?? "cdktf.out", (stagingDir) => {
    // No stack traces in annotations: they hold this machine's absolute paths.
    const app = new App({ outdir: stagingDir, stackTraces: false });
    new HomelabStack(app, STACK_ID, props);
    app.synth();
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
