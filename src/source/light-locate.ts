/**
 * Positions without a YAML parser, for the common case. Most diagnostics of a corpus point at one single-line
 * scalar of a plain block-style file (an unknown ATT&CK tag, RC140, is reported on 1,500 SigmaHQ rules), and
 * parsing such a file with the `yaml` package only to find where `tags[3]` starts cost as much as compiling it.
 *
 * This is a line scanner for the block structure (maps, sequences, single-line scalars) of a single-document file.
 * It answers only when the path leads exactly to a map key or to a single-line scalar it has read completely; for
 * anything else (flow collections, block and multi-line scalars, paths through them, missing paths, several
 * documents) it answers `undefined` and the caller asks the careful locator (./locate.ts), so its answers are the
 * careful ones or none: test/frontend/light-locate.test.ts compares both on every scalar of the SigmaHQ corpus.
 * It is only used for texts the fast path reads (no anchors, tags, tabs, CR, complex keys: ./fast-load.ts).
 */
import type { Position, Span } from '../diagnostics/diagnostic.js';
import type { DocPath, ScalarInfo } from './locator.js';

type Range = readonly [number, number];

interface ScalarNode {
  readonly kind: 'scalar';
  readonly range: Range;
  readonly type: ScalarInfo['type'];
}
/** A value the scanner does not read (flow collection, block or multi-line scalar): only the careful way knows. */
interface OpaqueNode {
  readonly kind: 'opaque';
}
/** `key:` with nothing after it. */
interface EmptyNode {
  readonly kind: 'empty';
}
interface MapNode {
  readonly kind: 'map';
  readonly entries: { readonly key: string; readonly keyRange: Range; readonly value: Node }[];
  /** Where the careful parser's range of the collection is known to be; undefined when it is not. */
  readonly range: Range | undefined;
}
interface SeqNode {
  readonly kind: 'seq';
  readonly items: Node[];
  readonly range: Range | undefined;
}
type Node = ScalarNode | OpaqueNode | EmptyNode | MapNode | SeqNode;

/** A content line (not blank, not only a comment): where its text starts and ends, and its indentation. */
interface Line {
  readonly indent: number;
  readonly start: number;
  readonly end: number;
}

/** Thrown when the text holds something the scanner does not read; the whole file then goes the careful way. */
class Unreadable extends Error {}

const OPAQUE: OpaqueNode = { kind: 'opaque' };
const EMPTY: EmptyNode = { kind: 'empty' };

/** Characters a plain map key may not start with (YAML indicators, quotes, and what core-schema resolves). */
const NOT_PLAIN_KEY_START = /^[-?:,[\]{}#&*!|>'"%@`~+.\d]/;
/** Keys the core schema reads as something other than the string they spell: compared differently, left out. */
const NON_STRING_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;

function contentLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let first = start;
    while (first < end && text.charCodeAt(first) === 32) first++;
    if (first < end && text[first] !== '#') {
      // Document markers and directives: several documents are left to the careful way.
      if (first === start && (text.startsWith('---', start) || text.startsWith('...', start))) throw new Unreadable();
      let last = end;
      while (last > first && text.charCodeAt(last - 1) === 32) last--;
      lines.push({ indent: first - start, start: first, end: last });
    }
    start = end + 1;
  }
  return lines;
}

class Scanner {
  private i = 0;
  constructor(
    private readonly text: string,
    private readonly lines: readonly Line[],
  ) {}

  document(): Node {
    if (this.lines.length === 0) throw new Unreadable();
    const root = this.block(this.lines[0]!.indent, this.lines[0]!.start);
    if (this.i < this.lines.length) throw new Unreadable();
    return root;
  }

  /** The collection whose first entry starts at `at` (a line's start, or after `- ` on it) in column `indent`. */
  private block(indent: number, at: number): Node {
    const line = this.lines[this.i]!;
    if (this.isSeqItem(at, line.end)) return this.seq(indent, at);
    return this.map(indent, at);
  }

  private isSeqItem(at: number, end: number): boolean {
    return this.text[at] === '-' && (at + 1 === end || this.text[at + 1] === ' ');
  }

  /** Skips the lines indented deeper than `indent`; returns whether there were any. */
  private skipDeeper(indent: number): boolean {
    const from = this.i;
    while (this.i < this.lines.length && this.lines[this.i]!.indent > indent) this.i++;
    return this.i > from;
  }

  private map(indent: number, first: number): MapNode {
    const entries: MapNode['entries'][number][] = [];
    let at = first;
    for (;;) {
      const line = this.lines[this.i]!;
      const quoted = this.quotedKey(at, line.end);
      let colon: number;
      let keyEnd: number;
      let key: string;
      if (quoted) {
        ({ key, end: keyEnd } = quoted);
        colon = keyEnd;
      } else {
        colon = this.keyEnd(at, line.end);
        keyEnd = colon;
        while (keyEnd > at && this.text.charCodeAt(keyEnd - 1) === 32) keyEnd--;
        key = this.text.slice(at, keyEnd);
        if (NOT_PLAIN_KEY_START.test(key) || NON_STRING_KEY.test(key) || key.includes(' #')) throw new Unreadable();
      }
      let valueStart = colon + 1;
      while (valueStart < line.end && this.text.charCodeAt(valueStart) === 32) valueStart++;
      this.i++;
      let value: Node;
      if (valueStart >= line.end || this.text[valueStart] === '#') {
        const next = this.lines[this.i];
        if (next && next.indent > indent) value = this.block(next.indent, next.start);
        else if (next && next.indent === indent && this.isSeqItem(next.start, next.end))
          value = this.seq(indent, next.start, true);
        else value = EMPTY;
      } else value = this.inline(valueStart, line.end, indent);
      entries.push({ key, keyRange: [at, keyEnd], value });
      const next = this.lines[this.i];
      if (!next || next.indent < indent)
        return { kind: 'map', entries, range: this.collectionRange(first, entries.at(-1)!.value) };
      if (next.indent > indent || this.isSeqItem(next.start, next.end)) throw new Unreadable();
      at = next.start;
    }
  }

  /** `compact`: the sequence is a map value in its key's column (`key:` then `- a` below it), ended by a key. */
  private seq(indent: number, first: number, compact = false): SeqNode {
    const items: Node[] = [];
    let at = first;
    for (;;) {
      const line = this.lines[this.i]!;
      let valueStart = at + 1;
      while (valueStart < line.end && this.text.charCodeAt(valueStart) === 32) valueStart++;
      const column = indent + (valueStart - at);
      if (valueStart >= line.end || this.text[valueStart] === '#') {
        this.i++;
        const next = this.lines[this.i];
        items.push(next && next.indent > indent ? this.block(next.indent, next.start) : EMPTY);
      } else if (this.isSeqItem(valueStart, line.end)) {
        this.i++;
        this.skipDeeper(indent);
        items.push(OPAQUE);
      } else if (this.isKeyLine(valueStart, line.end)) {
        // `- key: value`: a map whose keys stand in the column of this first one.
        items.push(this.map(column, valueStart));
      } else {
        this.i++;
        items.push(this.inline(valueStart, line.end, indent));
      }
      const next = this.lines[this.i];
      if (!next || next.indent < indent || (compact && next.indent === indent && !this.isSeqItem(next.start, next.end)))
        return { kind: 'seq', items, range: this.collectionRange(first, items.at(-1)!) };
      if (next.indent > indent || !this.isSeqItem(next.start, next.end)) throw new Unreadable();
      at = next.start;
    }
  }

  /**
   * A block collection's range as the careful parser gives it: from its first key or dash to the start of the line
   * after its last line (its trailing spaces, a comment and the line break included). Unknown when its last value
   * is empty or one the scanner does not read, or blank or comment lines follow it.
   */
  private collectionRange(first: number, last: Node): Range | undefined {
    if (
      last.kind === 'opaque' ||
      last.kind === 'empty' ||
      ((last.kind === 'map' || last.kind === 'seq') && !last.range)
    )
      return undefined;
    const line = this.lines[this.i - 1]!;
    const newline = this.text.indexOf('\n', line.end);
    const end = newline < 0 ? this.text.length : newline + 1;
    // Blank and comment lines after it may belong to it or not: the careful parser decides.
    const next = this.lines[this.i];
    if (next ? next.start - next.indent !== end : end !== this.text.length) return undefined;
    return [first, end];
  }

  private isKeyLine(at: number, end: number): boolean {
    const c = this.text[at];
    if (c === '"' || c === "'" || c === '[' || c === '{' || c === '|' || c === '>') return false;
    const colon = this.findColon(at, end);
    return colon >= 0;
  }

  private findColon(at: number, end: number): number {
    for (let k = at; k < end; k++) {
      const c = this.text[k];
      if (c === '#' && k > at && this.text[k - 1] === ' ') return -1;
      if (c === ':' && (k + 1 === end || this.text[k + 1] === ' ')) return k;
    }
    return -1;
  }

  /**
   * A quoted map key with no escape in it (`'|all':`, the keyword modifiers of SigmaHQ), its colon right after the
   * closing quote: its text and where it ends (the closing quote included, as the careful parser's key range).
   * Undefined when the line does not start with a quote; anything else quoted is left to the careful way.
   */
  private quotedKey(at: number, end: number): { key: string; end: number } | undefined {
    const quote = this.text[at];
    if (quote !== "'" && quote !== '"') return undefined;
    const close = this.text.indexOf(quote, at + 1);
    if (close < 0 || close >= end) throw new Unreadable();
    const key = this.text.slice(at + 1, close);
    // `''` in single quotes ends the search at its first quote, and no colon follows it: unreadable, as escapes are.
    if ((quote === '"' && key.includes('\\')) || this.text[close + 1] !== ':') throw new Unreadable();
    if (close + 2 < end && this.text.charCodeAt(close + 2) !== 32) throw new Unreadable();
    return { key, end: close + 1 };
  }

  private keyEnd(at: number, end: number): number {
    const colon = this.findColon(at, end);
    if (colon < 0) throw new Unreadable();
    return colon;
  }

  /**
   * A value that starts on its key's (or dash's) line at `start`; the line's own lines were consumed. Lines below
   * it indented deeper than its parent's `indent` continue it: a multi-line scalar, not read here.
   */
  private inline(start: number, end: number, indent: number): Node {
    const c = this.text[start];
    if (c === '|' || c === '>') {
      this.skipDeeper(indent);
      return OPAQUE;
    }
    if (c === '[' || c === '{') {
      // A flow collection closed on its line is skipped whole; one spanning lines is left to the careful way.
      if (this.text[end - 1] !== (c === '[' ? ']' : '}') || this.skipDeeper(indent)) throw new Unreadable();
      return OPAQUE;
    }
    let valueEnd: number;
    let type: ScalarNode['type'];
    if (c === "'" || c === '"') {
      valueEnd = this.quotedEnd(start, end, c);
      type = c === "'" ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE';
      let k = valueEnd;
      while (k < end && this.text.charCodeAt(k) === 32) k++;
      if (k < end && (this.text[k] !== '#' || k === valueEnd)) throw new Unreadable();
    } else {
      // A comment starts at ` #` on this line (searched on the line only: indexOf would scan the rest of the file).
      valueEnd = end;
      for (let k = start + 1; k < end; k++) {
        if (this.text.charCodeAt(k) === 35 && this.text.charCodeAt(k - 1) === 32) {
          valueEnd = k - 1;
          break;
        }
      }
      while (valueEnd > start && this.text.charCodeAt(valueEnd - 1) === 32) valueEnd--;
      type = 'PLAIN';
    }
    if (this.skipDeeper(indent)) return OPAQUE;
    return { kind: 'scalar', range: [start, valueEnd], type };
  }

  /** End (after the closing quote) of a quoted scalar that closes on its line; otherwise the file is unreadable. */
  private quotedEnd(start: number, end: number, quote: string): number {
    for (let k = start + 1; k < end; k++) {
      const c = this.text[k];
      if (quote === '"' && c === '\\') k++;
      else if (c === quote) {
        if (quote === "'" && this.text[k + 1] === "'") k++;
        else return k + 1;
      }
    }
    throw new Unreadable();
  }
}

export interface LightLocator {
  /** As `Locator.span`, or undefined when only the careful locator can tell. */
  span(path: DocPath, part?: 'key' | 'value'): Span | undefined;
  /** As `Locator.scalar`, or undefined when only the careful locator can tell. */
  scalar(path: DocPath): ScalarInfo | undefined;
  /** As `Locator.spanAt` (line starts counted as the `yaml` package's LineCounter does). */
  spanAt(start: number, end: number): Span;
}

/** The light locator of a single-document block-style text, or undefined when it cannot read the text. */
export function lightLocator(text: string): LightLocator | undefined {
  let root: Node;
  try {
    root = new Scanner(text, contentLines(text)).document();
  } catch (error) {
    if (error instanceof Unreadable) return undefined;
    throw error;
  }
  let lineStarts: number[] | undefined;
  const position = (offset: number): Position => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) lineStarts.push(k + 1);
    }
    // The binary search of yaml's LineCounter#linePos, so that both locators give the same positions.
    let low = 0;
    let high = lineStarts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (lineStarts[mid]! < offset) low = mid + 1;
      else high = mid;
    }
    if (lineStarts[low] === offset) return { offset, line: low + 1, col: 1 };
    if (low === 0) return { offset, line: 0, col: offset };
    return { offset, line: low, col: offset - lineStarts[low - 1]! + 1 };
  };
  const spanAt = (start: number, end: number): Span => ({
    start: position(start),
    end: position(Math.max(start, end)),
  });

  /** The node at `path` and the key range of its map entry, when the scanner read every step of the way. */
  const find = (path: DocPath): { node: Node; keyRange?: Range } | undefined => {
    let node = root;
    let keyRange: Range | undefined;
    for (const segment of path) {
      if (node.kind === 'map') {
        const key = String(segment);
        let entry: MapNode['entries'][number] | undefined;
        // Last entry wins, as in the careful locator.
        for (let k = node.entries.length - 1; k >= 0 && !entry; k--)
          if (node.entries[k]!.key === key) entry = node.entries[k];
        if (!entry) return undefined;
        node = entry.value;
        keyRange = entry.keyRange;
      } else if (node.kind === 'seq') {
        const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
        const item = index >= 0 ? node.items[index] : undefined;
        if (!item) return undefined;
        node = item;
        keyRange = undefined;
      } else return undefined;
    }
    return keyRange ? { node, keyRange } : { node };
  };

  return {
    spanAt,
    span(path, part = 'value') {
      const found = find(path);
      if (!found) return undefined;
      const { node, keyRange } = found;
      if (keyRange && (part === 'key' || node.kind === 'empty')) return spanAt(keyRange[0], keyRange[1]);
      if (node.kind === 'scalar') return spanAt(node.range[0], node.range[1]);
      if ((node.kind === 'map' || node.kind === 'seq') && node.range) return spanAt(node.range[0], node.range[1]);
      return undefined;
    },
    scalar(path) {
      const found = find(path);
      if (!found || found.node.kind !== 'scalar') return undefined;
      const [start, end] = found.node.range;
      return { span: spanAt(start, end), type: found.node.type, source: text.slice(start, end) };
    },
  };
}
