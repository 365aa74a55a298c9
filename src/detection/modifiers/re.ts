/**
 * `re`: a regular expression with search (substring) semantics, case-sensitive unless `i`.
 *
 * JavaScript rejects inline flag groups, which 20 SigmaHQ rules put at the start (`(?i)`), so a leading group of
 * i/m/s is moved into the flags; inline flags anywhere else are an error. The pattern must compile as a JS regex
 * with the `u` flag (the strict syntax every target's subset fits); a pattern that only compiles without `u`
 * (identity escapes such as `\-` or `\_`, common in rules written for PCRE) is kept with a warning.
 */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import type { RegexFlags } from '../../ir/nodes.js';
import { rawString } from './as-pattern.js';
import type { ApplyContext, ModifierDef } from './types.js';

const LEADING_FLAGS = /^\(\?([a-zA-Z]+)\)/;

export interface InlineFlagProblem {
  readonly offset: number;
  readonly text: string;
}

/** Finds an inline flag group (`(?i)`, `(?i:`, `(?-i)`) outside character classes and escapes. */
export function findInlineFlags(source: string): InlineFlagProblem | undefined {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(' && source[i + 1] === '?') {
      const m = /^\(\?[a-zA-Z-]+[):]/.exec(source.slice(i, i + 16));
      // `(?P<name>` is Python's named group, reported by the compile check instead.
      if (m !== null && source[i + 2] !== 'P') return { offset: i, text: m[0] };
    }
  }
  return undefined;
}

/** Splits a leading `(?ims)` group into flags; undefined flags when the group holds other letters. */
export function stripLeadingFlags(source: string): { source: string; flags: RegexFlags; bad?: string } {
  const flags = { ignoreCase: false, multiline: false, dotAll: false };
  const m = LEADING_FLAGS.exec(source);
  if (m === null) return { source, flags };
  for (const letter of m[1]!) {
    if (letter === 'i') flags.ignoreCase = true;
    else if (letter === 'm') flags.multiline = true;
    else if (letter === 's') flags.dotAll = true;
    else return { source, flags, bad: m[0] };
  }
  return { source: source.slice(m[0].length), flags };
}

/** Whether the source compiles with the `u` flag, only without it, or not at all (with the engine's message). */
export function checkRegex(source: string): { ok: 'unicode' | 'legacy' } | { ok: false; message: string } {
  try {
    new RegExp(source, 'u');
    return { ok: 'unicode' };
  } catch (unicodeError) {
    try {
      new RegExp(source);
      return { ok: 'legacy' };
    } catch {
      return { ok: false, message: (unicodeError as Error).message };
    }
  }
}

function compileProblem(source: string, ctx: ApplyContext): boolean {
  const checked = checkRegex(source);
  if (checked.ok === false) {
    ctx.report(C.RC204, `invalid regular expression: ${checked.message}`);
    return true;
  }
  if (checked.ok === 'legacy') {
    ctx.report(C.RC214, `regular expression /${source}/ is not valid with the unicode flag; kept without it`, [
      'usually an escape of a character that needs none, such as \\- or \\_ outside a class',
    ]);
  }
  return false;
}

export const re: ModifierDef = {
  name: 're',
  accepts: ['raw'],
  first: true,
  // The IR has no keyword regex: a regex needs a field.
  fieldOnly: true,
  output: () => 'regex',
  apply(value, ctx) {
    const text = rawString(value, ctx, 're');
    if (text === undefined) return [];
    const stripped = stripLeadingFlags(text);
    if (stripped.bad !== undefined) {
      ctx.report(C.RC205, `unsupported inline regex flags '${stripped.bad}': only i, m and s can be moved into flags`);
      return [];
    }
    const inline = findInlineFlags(stripped.source);
    if (inline !== undefined) {
      ctx.report(C.RC205, `inline regex flags '${inline.text}' are only supported at the start of the pattern`, [
        'use the re|i, re|m or re|s modifiers instead',
      ]);
      return [];
    }
    if (compileProblem(stripped.source, ctx)) return [];
    return [{ kind: 'regex', source: stripped.source, flags: stripped.flags }];
  },
};
