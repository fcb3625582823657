/**
 * The stack a cluster's props make, as the legacy-state rule sees it. Apart
 * from cluster-set.ts, which the operator commands load: resolving props
 * pulls in the field definitions, and the commands start faster without them.
 */
import { resolveClusterSpec } from "./cluster-spec";
import type { StackState } from "./cluster-set";
import type { HomelabStackProps } from "./control-plane-ha-props";
import { resolveStateBackend } from "./state-backend";
import { stackIdOf } from "./stack-outputs";

/** The stack a cluster's props make: its id and whether its state is a local file (as main.ts synthesizes it). */
export function stackStateOf(props: HomelabStackProps): StackState {
  const spec = resolveClusterSpec(props.cluster);
  return { stackId: stackIdOf(spec.clusterName), local: resolveStateBackend(props.backend, spec.clusterName).type === "local" };
}

