/**
 * The cdktf app: the reference homelab, or the clusters HOMELAB_CONFIG
 * describes (a file: one cluster; a folder: one cluster per file), each one
 * stack named after its cluster. Bad input stops here, before anything is
 * written, with every problem listed and a non-zero exit code; a synth that
 * fails later leaves the previous cdktf.out as it was.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Annotations, App } from "cdktf";
import { replaceOutdir } from "./app/replace-outdir";
import { normalizeSynthesizedStacks } from "./app/stack-json";
import type { LoadedCluster } from "./config/load-clusters";
import { ResolvedStateBackend, clusterWarnings, legacyStateMove, resolveClusterSpec, resolveStateBackend, stackIdOf, stackStateOf, warningSubjectOf } from "./domain";
import { HomelabStack } from "./stacks/homelab-stack";

async function main(): Promise<void> {
  const configPath = process.env.HOMELAB_CONFIG;
  // Loaded only when needed: the file checks pull in a JSON Schema validator.
  // Set but empty is an error there, not the reference homelab.
  const clusters: LoadedCluster[] = configPath !== undefined ? (await import("./config/load-clusters")).loadClusters(configPath) : [{ props: {} }];
  const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
  const stacks = clusters.map(({ props }) => {
    const spec = resolveClusterSpec(props.cluster);
    const backend = resolveStateBackend(props.backend, spec.clusterName);
    return { props, spec, backend, stackId: stackIdOf(spec.clusterName) };
  });
  // The local state files sit beside cdktf.out (stacks/<id>/../../../).
  const projectDir = path.dirname(path.resolve(outdir));
  const stateOf = clusters.map(({ props }) => stackStateOf(props));
  const legacyMoves = new Map(stacks.map(({ stackId }) => [stackId, legacyStateMove(stateOf, stackId, (file) => fs.existsSync(path.join(projectDir, file)))]));

  // The construct records each warning as an annotation, which the cdktf CLI
  // prints itself (as WARN); printed here too, it would appear twice, the
  // second time labelled ERROR because the CLI tags the app's stderr so.
  if (!runByCdktfCli() && !writesHcl()) {
    for (const { spec, backend, stackId } of stacks) {
      const move = legacyMoves.get(stackId);
      for (const warning of [...(move ? [move] : []), ...clusterWarnings(warningSubjectOf(spec)), ...environmentWarnings(backend)]) {
        console.warn(`warning [stack ${stackId}]: ${warning}`);
      }
    }
  }

  replaceOutdir(outdir, (stagingDir) => {
    // No stack traces in annotations: they hold this machine's absolute paths.
    const app = new App({ outdir: stagingDir, stackTraces: false });
    for (const { props, stackId } of stacks) {
      const stack = new HomelabStack(app, stackId, props);
      const move = legacyMoves.get(stackId);
      if (move && runByCdktfCli()) Annotations.of(stack).addWarning(move);
    }
    app.synth();
    normalizeSynthesizedStacks(stagingDir);
  }, { removeStaleStacks: !runByCdktfCli() });
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
