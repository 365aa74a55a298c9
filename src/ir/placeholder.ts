/**
 * `%name%` placeholders (`field|expand: '%name%'`) stay in the IR until a target's pipeline resolves them, since
 * each target may resolve them differently (values from the configuration, or a native reference). In a pattern a
 * placeholder is a literal part holding the name between two private-use characters; the pipeline replaces it or
 * refuses the rule, so such a part never reaches a query.
 */
import type { Pattern, PatternPart } from './pattern.js';
import { literalPart, pattern } from './pattern.js';

const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = /\uE000([^\uE001]*)\uE001/g;

/** The literal part standing for placeholder `name`. */
export function placeholderPart(name: string): PatternPart {
  return literalPart(`${OPEN}${name}${CLOSE}`);
}

/** Names of the placeholders in a pattern, in order of appearance (empty for nearly every pattern). */
export function placeholdersIn(p: Pattern): string[] {
  const names: string[] = [];
  for (const part of p.parts)
    if (part.kind === 'literal' && part.text.includes(OPEN))
      for (const m of part.text.matchAll(MARKER)) names.push(m[1]!);
  return names;
}

/** The pattern with every placeholder replaced by `value(name)` (itself a pattern: values keep their wildcards). */
export function substitutePlaceholders(p: Pattern, value: (name: string) => Pattern): Pattern {
  const parts: PatternPart[] = [];
  for (const part of p.parts) {
    if (part.kind !== 'literal' || !part.text.includes(OPEN)) {
      parts.push(part);
      continue;
    }
    let last = 0;
    for (const m of part.text.matchAll(MARKER)) {
      parts.push(literalPart(part.text.slice(last, m.index)));
      parts.push(...value(m[1]!).parts);
      last = m.index + m[0].length;
    }
    parts.push(literalPart(part.text.slice(last)));
  }
  return pattern(parts);
}

/** The placeholder's name when the pattern is that one placeholder and nothing else (`'%name%'`), else undefined. */
export function wholePlaceholder(p: Pattern): string | undefined {
  if (p.parts.length !== 1 || p.parts[0]!.kind !== 'literal') return undefined;
  const m = /^\uE000([^\uE001]*)\uE001$/.exec(p.parts[0]!.text);
  return m?.[1];
}
