/**
 * A Sigma string value after the spec's escape rules have been applied.
 *
 * Wildcards are structure, never characters: a literal `*` lives inside a `literal` part's text, a Sigma
 * wildcard is its own part. No backend can therefore confuse the two (pySigma's `SigmaString` idea).
 */
export type PatternPart =
  | { readonly kind: 'literal'; readonly text: string }
  /** Sigma `*`: any run of characters, including none and including newlines. */
  | { readonly kind: 'anyChars' }
  /** Sigma `?`: exactly one character. */
  | { readonly kind: 'oneChar' };

export interface Pattern {
  readonly parts: readonly PatternPart[];
}

export const ANY_CHARS: PatternPart = Object.freeze({ kind: 'anyChars' });
export const ONE_CHAR: PatternPart = Object.freeze({ kind: 'oneChar' });

export function literalPart(text: string): PatternPart {
  return Object.freeze({ kind: 'literal', text });
}

/** Builds a pattern, merging adjacent literals and dropping empty ones, so equal patterns have equal parts. */
export function pattern(parts: readonly PatternPart[]): Pattern {
  const out: PatternPart[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (part.kind === 'literal') {
      if (part.text === '') continue;
      if (last?.kind === 'literal') {
        out[out.length - 1] = literalPart(last.text + part.text);
        continue;
      }
      out.push(literalPart(part.text));
    } else if (part.kind === 'anyChars' && last?.kind === 'anyChars') {
      // `**` means the same as `*`.
      continue;
    } else {
      out.push(part);
    }
  }
  return Object.freeze({ parts: Object.freeze(out) });
}

export function literalPattern(text: string): Pattern {
  return pattern([literalPart(text)]);
}

/**
 * The whole-value pattern that means "contains a match of `p`": `p` between two `*`. A keyword is searched inside
 * the event's text (spec: keywords are "applied to the full log message", "searching for keywords across an entire
 * event"), so a target that tests values whole tests each value against this pattern.
 */
export function searchPattern(p: Pattern): Pattern {
  return pattern([ANY_CHARS, ...p.parts, ANY_CHARS]);
}

/**
 * The wildcard shape of a pattern, which decides the cheapest faithful operator in every target
 * (`==`, startswith, endswith, contains, or a general wildcard/regex form). pySigma picks its expression
 * from the final value's shape the same way, so `Image: '*\x.exe'` and `Image|endswith: '\x.exe'` render alike.
 */
export type PatternShape =
  | { readonly kind: 'exact'; readonly text: string }
  | { readonly kind: 'prefix'; readonly text: string }
  | { readonly kind: 'suffix'; readonly text: string }
  | { readonly kind: 'contains'; readonly text: string }
  /** Only `*` parts: matches any value including the empty string. */
  | { readonly kind: 'any' }
  | { readonly kind: 'complex' };

const ANY_SHAPE: PatternShape = Object.freeze({ kind: 'any' });
const COMPLEX_SHAPE: PatternShape = Object.freeze({ kind: 'complex' });

/**
 * One pass over the parts, no cache: every backend asks for the shape of every value (tens of thousands of calls
 * on a corpus), and a WeakMap lookup per call cost more than the scan it saved.
 */
export function patternShape(p: Pattern): PatternShape {
  const parts = p.parts;
  const n = parts.length;
  if (n === 0) return { kind: 'exact', text: '' };
  let text: string | undefined;
  for (let i = 0; i < n; i++) {
    const part = parts[i]!;
    if (part.kind === 'oneChar') return COMPLEX_SHAPE;
    if (part.kind === 'literal') {
      // More than one literal: a `*` (or more) between them.
      if (text !== undefined) return COMPLEX_SHAPE;
      text = part.text;
    }
  }
  if (text === undefined) return ANY_SHAPE;
  const lead = parts[0]!.kind === 'anyChars';
  const trail = parts[n - 1]!.kind === 'anyChars';
  if (lead && trail) return { kind: 'contains', text };
  if (lead) return { kind: 'suffix', text };
  if (trail) return { kind: 'prefix', text };
  return { kind: 'exact', text };
}

export function hasWildcards(p: Pattern): boolean {
  return p.parts.some((x) => x.kind !== 'literal');
}

/** The pattern's text when it has no wildcards, else undefined. */
export function exactText(p: Pattern): string | undefined {
  const shape = patternShape(p);
  return shape.kind === 'exact' ? shape.text : undefined;
}

/** Regex source (JS / RE2 / PCRE common subset) that matches the whole value; literals escaped. */
export function patternToRegexSource(p: Pattern, options: { anchored: boolean } = { anchored: true }): string {
  let body = '';
  for (const part of p.parts) {
    if (part.kind === 'literal') body += escapeRegexLiteral(part.text);
    else if (part.kind === 'anyChars') body += '.*';
    else body += '.';
  }
  return options.anchored ? `^${body}$` : body;
}

/**
 * Escapes the regex syntax characters of JS (valid under the `u` flag, which rejects other identity
 * escapes such as `\-`), RE2 and PCRE. Engines with more metacharacters (Lucene: `# @ & < > ~ "`) escape
 * those in their own dialect.
 */
export function escapeRegexLiteral(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, (c) => `\\${c}`);
}

/** Human-readable Sigma form of the pattern, re-escaped, for messages and tests. */
export function patternToSigma(p: Pattern): string {
  return p.parts
    .map((part) =>
      part.kind === 'literal' ? part.text.replace(/[\\*?]/g, (c) => `\\${c}`) : part.kind === 'anyChars' ? '*' : '?',
    )
    .join('');
}
