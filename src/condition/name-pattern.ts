/** `x of` name patterns: `*` matches any run of characters; everything else literally, case-sensitive. */

export function matchesNamePattern(pattern: string, name: string): boolean {
  if (!pattern.includes('*')) return pattern === name;
  const pieces = pattern.split('*');
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (name.length < first.length + last.length || !name.startsWith(first) || !name.endsWith(last)) return false;
  // Greedy left-to-right search of the middle pieces is exact for `*`-only globs.
  let at = first.length;
  const stop = name.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const found = name.indexOf(pieces[i]!, at);
    if (found < 0 || found + pieces[i]!.length > stop) return false;
    at = found + pieces[i]!.length;
  }
  return true;
}

/**
 * The names an `x of` target selects, in declaration order. `them` and patterns skip names starting with `_`
 * unless the pattern itself starts with `_` (pySigma's rule for filter-like identifiers).
 */
export function selectNames(
  target: { them: true } | { them: false; pattern: string },
  names: readonly string[],
): string[] {
  if (target.them) return names.filter((n) => !n.startsWith('_'));
  const pattern = target.pattern;
  const underscore = pattern.startsWith('_');
  return names.filter((n) => (underscore || !n.startsWith('_')) && matchesNamePattern(pattern, n));
}
