/**
 * The cdktf app: the reference homelab, or the cluster described by the file
 * that HOMELAB_CONFIG names. Bad input stops here, before anything is
 * written, with every problem listed and a non-zero exit code; a synth that
 * fails later leaves the previous cdktf.out as it was.
 */
import { App } from "cdktf";
import { replaceOutdir } from "./app/replace-outdir";
import { normalizeSynthesizedStacks } from "./app/stack-json";
import { HomelabStackProps, ResolvedStateBackend, STACK_ID, clusterWarnings, resolveClusterSpec, resolveStateBackend, warningSubjectOf } from "./domain";
import { HomelabStack } from "./stacks/homelab-stack";

async function main(): Promise<void> {
  const configFile = process.env.HOMELAB_CONFIG;
  // Loaded only when needed: the file checks pull in a JSON Schema validator.
  // Set but empty is an error there, not the reference homelab.
  const props: HomelabStackProps = configFile !== undefined ? (await import("./config/load-homelab-config")).loadHomelabConfig(configFile) : {};

  // The construct records each warning as an annotation, which the cdktf CLI
  // prints itself (as WARN); printed here too, it would appear twice, the
  // second time labelled ERROR because the CLI tags the app's stderr so.
  if (!runByCdktfCli() && !writesHcl()) {
    const spec = resolveClusterSpec(props.cluster);
    for (const warning of [...clusterWarnings(warningSubjectOf(spec)), ...environmentWarnings(resolveStateBackend(props.backend, spec.clusterName))]) {
      console.warn(`warning [stack ${STACK_ID}]: ${warning}`);
    }
  }

  replaceOutdir(process.env.CDKTF_OUTDIR ?? "cdktf.out", (stagingDir) => {
    // No stack traces in annotations: they hold this machine's absolute paths.
    const app = new App({ outdir: stagingDir, stackTraces: false });
    new HomelabStack(app, STACK_ID, props);
    app.synth();
    normalizeSynthesizedStacks(stagingDir);
  });
}

/**
 * What this shell lacks for a deploy. Terraform's pg backend falls back to
 * localhost:5432 when PG_CONN_STR is unset, which fails far from the cause.
 */
function environmentWarnings(backend: ResolvedStateBackend): string[] {
  if (backend.type !== "pg" || process.env.PG_CONN_STR) return [];
  return [`backend.type is pg, and PG_CONN_STR is not set in this shell: export it before cdktf deploy or terraform init (without it Terraform's pg backend tries localhost:5432)`];
}

/** The HCL pass of `npm run synth:hcl` comes after a JSON pass that printed the warnings already. */
function writesHcl(): boolean {
  return process.env.SYNTH_HCL_OUTPUT === "true";
}

/** The cdktf CLI (synth, diff, deploy) sets this when it runs the app. */
function runByCdktfCli(): boolean {
  return process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS !== undefined;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
