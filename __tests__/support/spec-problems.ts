/** The refusals of cluster props, as the construct and the config loader print them (the props' field names). */
import { ControlPlaneHaProps, formatProblem, resolveClusterSpec, validateClusterSpec } from "../../domain";

/** Every problem of a cluster with these props, one line each (empty: accepted). */
export function specProblemsOf(props: ControlPlaneHaProps): string[] {
  return validateClusterSpec(resolveClusterSpec(props)).map(formatProblem);
}
