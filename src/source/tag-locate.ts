/**
 * Where an item of the top-level `tags:` list is, found by looking at that list's lines only. Half the rules of
 * SigmaHQ carry a tag the bundled ATT&CK table does not know (RC140, on 1,500 rules), and placing each warning with
 * the light scanner (./light-locate.ts) meant reading all of those files' structure, cold code run a thousand times:
 * a tenth of a corpus compile.
 *
 * It answers only for the common shape, and only what the other locators answer (test/frontend/tag-locate.test.ts
 * compares it with the careful locator on every tag of the corpus): a file whose root map starts at the left margin,
 * with one `tags:` line there and nothing after its colon but a comment, then items `- value` in one column, each a
 * single-line plain or quoted scalar. Anything else is left to the light and careful locators (undefined).
 */
import type { Position, Span } from '../diagnostics/diagnostic.js';
import type { DocPath } from './locator.js';

/** A plain item value this locator reads: not an indicator, not a map (`- key: value`). */
const PLAIN_START = /[A-Za-z0-9_]/;

/**
 * The span of `tags[index]` in `text`, or undefined when this locator cannot tell. `tags` is the list as loaded: the
 * item found must spell the value loaded at its index.
 */
export function tagItemSpan(
  text: string,
  tags: unknown,
  path: DocPath,
  part: 'key' | 'value' = 'value',
): Span | undefined {
  if (part !== 'value' || path.length !== 2 || path[0] !== 'tags' || typeof path[1] !== 'number') return undefined;
  const index = path[1];
  const expected = Array.isArray(tags) ? (tags as unknown[])[index] : undefined;
  if (typeof expected !== 'string') return undefined;
  // The root map at the left margin, one `tags:` line on it (and no quoted `'tags':` key), no document markers.
  if (!rootAtMargin(text)) return undefined;
  const at = text.startsWith('tags:') ? 0 : text.indexOf('\ntags:') + 1;
  if (at === 0 && !text.startsWith('tags:')) return undefined;
  if (text.indexOf('\ntags:', at) >= 0 || /['"]tags['"]|^(?:---|\.\.\.)/m.test(text)) return undefined;
  let lineEnd = lineEndAt(text, at);
  if (!onlyComment(text, at + 5, lineEnd)) return undefined;
  let column = -1;
  let item = 0;
  while (lineEnd < text.length) {
    const start = lineEnd + 1;
    lineEnd = lineEndAt(text, start);
    let k = start;
    while (k < lineEnd && text.charCodeAt(k) === 32) k++;
    if (k === lineEnd || text[k] === '#') continue;
    const indent = k - start;
    const isItem = text[k] === '-' && text[k + 1] === ' ';
    // The list ends (or something else starts) before item `index`: not this locator's case.
    if (!isItem || (column >= 0 && indent !== column)) return undefined;
    column = indent;
    let v = k + 2;
    while (v < lineEnd && text.charCodeAt(v) === 32) v++;
    const range = scalarRange(text, v, lineEnd);
    if (!range) return undefined;
    if (item === index) {
      // A continuation line below the item would make it a multi-line scalar.
      const next = nextContentIndent(text, lineEnd);
      if ((next !== undefined && next > column) || valueOf(text, range) !== expected) return undefined;
      return { start: positionOf(text, range[0]), end: positionOf(text, range[1]) };
    }
    item++;
  }
  return undefined;
}

/** Whether the first content line (not blank, not a comment) starts at the left margin. */
function rootAtMargin(text: string): boolean {
  for (let start = 0; start < text.length;) {
    const end = lineEndAt(text, start);
    let k = start;
    while (k < end && text.charCodeAt(k) === 32) k++;
    if (k < end && text[k] !== '#') return k === start;
    start = end + 1;
  }
  return false;
}

function lineEndAt(text: string, from: number): number {
  const end = text.indexOf('\n', from);
  return end < 0 ? text.length : end;
}

/** Whether `[from, end)` holds only spaces, then perhaps a comment after a space. */
function onlyComment(text: string, from: number, end: number): boolean {
  let k = from;
  while (k < end && text.charCodeAt(k) === 32) k++;
  return k === end || (text[k] === '#' && k > from);
}

/** The indentation of the next content line after the line ending at `lineEnd`, or undefined at the end. */
function nextContentIndent(text: string, lineEnd: number): number | undefined {
  for (let start = lineEnd + 1; start < text.length;) {
    const end = lineEndAt(text, start);
    let k = start;
    while (k < end && text.charCodeAt(k) === 32) k++;
    if (k < end && text[k] !== '#') return k - start;
    start = end + 1;
  }
  return undefined;
}

/** The range of a single-line scalar starting at `at` and ending the line (a comment may follow), else undefined. */
function scalarRange(text: string, at: number, end: number): readonly [number, number] | undefined {
  const quote = text[at];
  if (quote === "'" || quote === '"') {
    for (let k = at + 1; k < end; k++) {
      const c = text[k];
      if (quote === '"' && c === '\\') k++;
      else if (c === quote) {
        if (quote === "'" && text[k + 1] === "'") k++;
        else return onlyComment(text, k + 1, end) ? [at, k + 1] : undefined;
      }
    }
    return undefined;
  }
  if (at >= end || !PLAIN_START.test(text[at]!)) return undefined;
  let valueEnd = end;
  for (let k = at + 1; k < end; k++) {
    const c = text.charCodeAt(k);
    // `: ` or a final `:` makes the item a map.
    if (c === 58 && (k + 1 === end || text.charCodeAt(k + 1) === 32)) return undefined;
    if (c === 35 && text.charCodeAt(k - 1) === 32) {
      valueEnd = k - 1;
      break;
    }
  }
  while (valueEnd > at && text.charCodeAt(valueEnd - 1) === 32) valueEnd--;
  return [at, valueEnd];
}

/** The value of a scalar `scalarRange` found; undefined for double quotes with escapes (not compared). */
function valueOf(text: string, [start, end]: readonly [number, number]): string | undefined {
  const source = text.slice(start, end);
  if (source.startsWith("'")) return source.slice(1, -1).replace(/''/g, "'");
  if (source.startsWith('"')) return source.includes('\\') ? undefined : source.slice(1, -1);
  return source;
}

/** Line and column of `offset` as the `yaml` package's LineCounter gives them (1-based). */
function positionOf(text: string, offset: number): Position {
  let line = 1;
  for (let k = text.indexOf('\n'); k >= 0 && k < offset; k = text.indexOf('\n', k + 1)) line++;
  return { offset, line, col: offset - (text.lastIndexOf('\n', offset - 1) + 1) + 1 };
}
