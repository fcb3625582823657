/**
 * "Did you mean ...?": the known names nearest to a mistyped one, by edit
 * distance ignoring case. Only run for a value already found unknown, so
 * the lookups that pass stay plain set lookups.
 */

/**
 * Up to `count` names nearest to `value`: the nearest, and those one edit
 * further, nearest first, ties in list order. A name the value begins
 * (`skylake` of `Skylake-Client`) counts as one edit away.
 */
export function closestNames(value: string, names: readonly string[], count = 3): string[] {
  const target = value.toLowerCase();
  const distanceTo = (name: string) => {
    const lower = name.toLowerCase();
    const distance = editDistance(target, lower);
    return target.length >= 3 && lower.startsWith(target) ? Math.min(distance, 1) : distance;
  };
  const ranked = names.map((name, index) => ({ name, index, distance: distanceTo(name) }));
  ranked.sort((a, b) => a.distance - b.distance || a.index - b.index);
  const best = ranked[0]?.distance ?? 0;
  return ranked.filter(({ distance }) => distance <= best + 1).slice(0, count).map(({ name }) => name);
}

/** `a`, `a or b`, `a, b or c`. */
export function orList(names: readonly string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
}

/** The first of `candidates` nearest to `name` (ignoring case) within `maxDistance` edits, or undefined. */
export function nearestWithin(name: string, candidates: readonly string[], maxDistance: number): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= maxDistance && (!best || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
