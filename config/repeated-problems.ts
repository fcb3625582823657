/**
 * Caps problems of one kind: 600 workers on a /16 would otherwise print some
 * 360 lines of the same VM id collision. Problems are of one kind when their
 * lines differ only in numbers and quoted values (`workers[191].vmId = 211 ...`,
 * `workers[192].vmId = 212 ...`).
 */

/** How many problems of one kind are printed before the rest are counted. */
export const SHOWN_OF_A_KIND = 10;

/** The problem's kind: its line with every quoted value and every number blanked. */
export function kindOf(problem: string): string {
  return problem.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\d+/g, "#");
}

/**
 * The problems in their order, at most `limit` of each kind; the first ten of a
 * kind are followed by one line, "and N more like it", for the rest.
 */
export function capRepeated(problems: readonly string[], limit = SHOWN_OF_A_KIND): string[] {
  const totals = new Map<string, number>();
  for (const problem of problems) totals.set(kindOf(problem), (totals.get(kindOf(problem)) ?? 0) + 1);
  const shown = new Map<string, number>();
  const printed: string[] = [];
  for (const problem of problems) {
    const kind = kindOf(problem);
    const count = (shown.get(kind) ?? 0) + 1;
    shown.set(kind, count);
    if (count <= limit) printed.push(problem);
    const total = totals.get(kind)!;
    if (count === limit && total > limit) printed.push(`and ${total - limit} more like it`);
  }
  return printed;
}
