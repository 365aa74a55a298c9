/**
 * `contains`, `startswith`, `endswith`: add Sigma wildcards around the parsed value (after escape parsing, so
 * `contains: '\Desktop\'` ends in a literal backslash). After `re` they anchor the search-semantics regex instead.
 */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { ANY_CHARS } from '../../ir/pattern.js';
import type { Pattern, PatternPart } from '../../ir/pattern.js';
import type { Value, ValueKind } from '../value.js';
import { asPattern } from './as-pattern.js';
import type { ApplyContext, ModifierDef } from './types.js';

type Affix = 'contains' | 'startswith' | 'endswith';

/** True when the regex source ends in an unescaped `$`. */
function endsAnchored(source: string): boolean {
  if (!source.endsWith('$')) return false;
  let backslashes = 0;
  for (let i = source.length - 2; i >= 0 && source[i] === '\\'; i--) backslashes++;
  return backslashes % 2 === 0;
}

function anchorRegex(value: Extract<Value, { kind: 'regex' }>, affix: Affix, ctx: ApplyContext): readonly Value[] {
  // A regex already matches anywhere (search semantics), so `contains` changes nothing.
  if (affix === 'contains') return [value];
  if (value.flags.multiline) {
    ctx.report(C.RC202, `'re|m|${affix}' is ambiguous: with the m flag '^' and '$' match at every line`);
    return [];
  }
  if (affix === 'startswith') {
    return [value.source.startsWith('^') ? value : { ...value, source: `^(?:${value.source})` }];
  }
  return [endsAnchored(value.source) ? value : { ...value, source: `(?:${value.source})$` }];
}

/** Adds `*` before and/or after an already canonical pattern without rebuilding its parts (a hot path). */
function withWildcards(p: Pattern, lead: boolean, trail: boolean): Pattern {
  const parts = p.parts;
  const out: PatternPart[] = [];
  if (lead && parts[0]?.kind !== 'anyChars') out.push(ANY_CHARS);
  for (const part of parts) out.push(part);
  if (trail && out[out.length - 1]?.kind !== 'anyChars') out.push(ANY_CHARS);
  return Object.freeze({ parts: Object.freeze(out) });
}

export function affixModifier(affix: Affix): ModifierDef {
  return {
    name: affix,
    accepts: ['raw', 'pattern', 'regex'],
    output: (input: ValueKind) => (input === 'regex' ? 'regex' : 'pattern'),
    apply(value, ctx) {
      if (value.kind === 'regex') return anchorRegex(value, affix, ctx);
      const p = asPattern(value, ctx, affix);
      if (p === undefined) return [];
      const p2 = withWildcards(p.pattern, affix !== 'startswith', affix !== 'endswith');
      return [{ kind: 'pattern', pattern: p2, bytes: p.bytes }];
    },
  };
}

export const contains = affixModifier('contains');
export const startswith = affixModifier('startswith');
export const endswith = affixModifier('endswith');
