/**
 * A problem of a cluster description and how it is printed: the field, the
 * value, where a derived value came from, and the fix. Pure.
 */
import { maskUrlCredentials } from "./url-credentials";

export interface ValidationProblem {
  /** Dotted path of the field, e.g. `controlPlanes[1].ip`. */
  readonly field: string;
  readonly value: unknown;
  /**
   * Where a value the user never wrote came from, e.g. "derived from the last
   * octet of the IP 192.168.1.211". Fields named in it are written as {@link fieldRef}.
   */
  readonly origin?: string;
  /**
   * What is wrong and how to fix it. Fields named in it are written as
   * {@link fieldRef}, so that {@link formatProblem} prints them under the
   * names the reader uses (the props' or the file's).
   */
  readonly message: string;
}

/** A field named inside a message or an origin: `{{networkCidr}}`, printed as `networkCidr` or, for a file, `network.cidr`. */
export function fieldRef(field: string): string {
  return `{{${field}}}`;
}

const FIELD_REF = /\{\{([A-Za-z][\w.[\]]*)\}\}/g;

/** Names a field for the reader; by default the props' own names. */
export type FieldNamer = (field: string) => string;

/**
 * `field = value (origin): message`, every field in it named by `nameOf`,
 * and any credentials of a URL in it masked (`user:***@`).
 */
export function problemFormatter(nameOf: FieldNamer): (problem: ValidationProblem) => string {
  const named = (text: string) => text.replace(FIELD_REF, (_, field: string) => nameOf(field));
  return (problem) => {
    const origin = problem.origin ? ` (${named(problem.origin)})` : "";
    return maskUrlCredentials(`${nameOf(problem.field)} = ${JSON.stringify(problem.value)}${origin}: ${named(problem.message)}`);
  };
}

const formatWithPropNames = problemFormatter((field) => field);

/** `field = value (origin): message`, fields under the props' names (see {@link problemFormatter} for the file's). */
export function formatProblem(problem: ValidationProblem): string {
  return formatWithPropNames(problem);
}

