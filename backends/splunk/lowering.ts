/**
 * What the base `search` command can say exactly, and a sound superset (prefilter) of what it cannot.
 *
 * A test `search` cannot say (doc §3 rule 3: `?`, literal `*`, `cased`, `re`, fieldref, unsafe characters) is
 * evaluated by a trailing `| where`; the base search keeps a wildcard prefilter that every matching event passes,
 * so the post-filter alone decides and no event is lost.
 */
import * as b from '../../src/ir/build.js';
import type { IrNode } from '../../src/ir/nodes.js';
import type { Pattern, PatternPart } from '../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, pattern, patternShape } from '../../src/ir/pattern.js';
import { isSearchSafeLiteral, UNSAFE_CHARS } from './escape.js';

/** A number `search` and `where` can compare with: plain decimal text, no exponent, no NaN/Infinity. */
export function plainNumber(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  return /^-?\d+(\.\d+)?$/.test(text) ? text : undefined;
}

function patternSearchable(p: Pattern): boolean {
  return p.parts.every(
    (part) => part.kind === 'anyChars' || (part.kind === 'literal' && isSearchSafeLiteral(part.text)),
  );
}

/** Why a leaf cannot go into the base search, or undefined when it can. */
export function searchGap(node: IrNode): string | undefined {
  switch (node.kind) {
    case 'stringMatch':
    case 'keyword': {
      if (node.cased) return 'a case-sensitive match';
      const parts = node.pattern.parts;
      if (parts.some((p) => p.kind === 'oneChar')) return "a '?' wildcard";
      if (patternSearchable(node.pattern)) return undefined;
      const text = parts.map((p) => (p.kind === 'literal' ? p.text : '')).join('');
      if (text.includes('*')) return "a literal '*'";
      if (text.includes('`')) return 'a backtick';
      if (UNSAFE_CHARS.test(text)) return 'a control or line-separator character';
      return "a backslash before '|'";
    }
    case 'regexMatch':
      return 'a regular expression';
    case 'fieldRef':
      return 'a comparison of two fields';
    case 'timePart':
      return 'a date part';
    case 'inList':
      return node.cased ? 'a case-sensitive match' : undefined;
    case 'const':
      return node.value ? undefined : 'a condition that is always false';
    default:
      return undefined;
  }
}

/** Whether the whole tree can be written in the base search. */
export function searchable(node: IrNode): boolean {
  if (node.kind === 'and' || node.kind === 'or') return node.children.every(searchable);
  if (node.kind === 'not') return searchable(node.child);
  return searchGap(node) === undefined;
}

/** The leaves of a tree that keep it out of the base search. */
export function gaps(node: IrNode): { node: IrNode; reason: string }[] {
  if (node.kind === 'and' || node.kind === 'or') return node.children.flatMap(gaps);
  if (node.kind === 'not') return gaps(node.child);
  const reason = searchGap(node);
  return reason === undefined ? [] : [{ node, reason }];
}

/** Literal text split at every character search cannot carry, each replaced by `*`. */
function widenParts(p: Pattern): PatternPart[] {
  const out: PatternPart[] = [];
  for (const part of p.parts) {
    if (part.kind !== 'literal') {
      out.push(ANY_CHARS);
      continue;
    }
    // The same characters `isSearchSafeLiteral` rejects; a `\` before `|` goes, the `|` alone is harmless.
    part.text.split(/[*`\u0000-\u001f\u007f\u0085\u2028\u2029]|\\(?=\|)/).forEach((piece, i) => {
      if (i > 0) out.push(ANY_CHARS);
      out.push(literalPart(piece));
    });
  }
  return out;
}

/**
 * A searchable tree implied by `node` (every event matching `node` matches it), or undefined when only "any event"
 * is implied. Search values are case-insensitive, so dropping `cased` only widens.
 */
export function widen(node: IrNode): IrNode | undefined {
  if (searchable(node)) return node;
  switch (node.kind) {
    case 'and': {
      const parts = node.children.map(widen).filter((c): c is IrNode => c !== undefined);
      return parts.length === 0 ? undefined : b.and(parts);
    }
    case 'or': {
      const parts = node.children.map(widen);
      return parts.every((c): c is IrNode => c !== undefined) ? b.or(parts) : undefined;
    }
    case 'stringMatch':
      return b.stringMatch(node.field, pattern(widenParts(node.pattern)), false);
    case 'keyword': {
      const widened = pattern(widenParts(node.pattern));
      return patternShape(widened).kind === 'any' ? undefined : b.keyword(widened, false);
    }
    // A negation's superset needs the child's subset, which is not computed: no prefilter.
    default:
      return undefined;
  }
}
