/** The `Locator` of ./locator.ts over one parsed yaml Document: document paths → file positions. */
import type { Document, LineCounter, Node, Pair } from 'yaml';
import type { Position, Span } from '../diagnostics/diagnostic.js';
import type { DocPath, Locator, ScalarInfo } from './locator.js';
import { yamlLib } from './yaml-lib.js';

interface Found {
  /** The deepest node reached. */
  readonly node: Node | null;
  /** The map entry holding `node` when it was reached through a map key. */
  readonly pair?: Pair<unknown, unknown>;
  /** How many segments of the path were resolved. */
  readonly depth: number;
}

/** Follows `path` from the document root as far as it exists. */
export function findNode(doc: Document, path: DocPath): Found {
  const { isAlias, isMap, isPair, isSeq } = yamlLib();
  let node = (doc.contents ?? null) as Node | null;
  let pair: Pair<unknown, unknown> | undefined;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = (node.resolve(doc) ?? null) as Node | null;
    let next: { node: Node | null; pair?: Pair<unknown, unknown> } | undefined;
    if (isMap(node)) {
      // Last entry wins, as in the parser's own toJS.
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        if (isPair(item) && keyText(item.key) === String(segment)) {
          next = { node: (item.value ?? null) as Node | null, pair: item };
          break;
        }
      }
    } else if (isSeq(node)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      const item = index >= 0 ? node.items[index] : undefined;
      if (item !== undefined) next = { node: item as Node | null };
    }
    if (next === undefined) break;
    node = next.node;
    pair = next.pair;
    depth++;
  }
  return pair === undefined ? { node, depth } : { node, pair, depth };
}

function keyText(key: unknown): string | undefined {
  if (yamlLib().isScalar(key)) return String(key.value);
  return key === null || key === undefined ? undefined : String(key);
}

function rangeOf(node: unknown): [number, number] | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as { range?: readonly number[] | null }).range;
  if (!range || range[0] === undefined || range[1] === undefined) return undefined;
  return [range[0], range[1]];
}

export function createLocator(file: string, doc: Document, lineCounter: LineCounter, text: string): Locator {
  const position = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { offset, line, col };
  };
  const spanAt = (start: number, end: number): Span => ({
    start: position(start),
    end: position(Math.max(start, end)),
  });
  const rootSpan = (): Span => {
    const range = rangeOf(doc.contents) ?? rangeOf(doc) ?? [0, 0];
    return spanAt(range[0], range[1]);
  };

  return {
    file,
    spanAt,
    span(path, part = 'value') {
      const found = findNode(doc, path);
      const exact = found.depth === path.length;
      const keyRange = found.pair ? rangeOf(found.pair.key) : undefined;
      if (exact && part === 'key' && keyRange) return spanAt(keyRange[0], keyRange[1]);
      const valueRange = rangeOf(found.node);
      // An empty value (`key:` with nothing after it) has no text to point at; the key is the useful place.
      if (keyRange && (!valueRange || valueRange[0] === valueRange[1])) return spanAt(keyRange[0], keyRange[1]);
      if (valueRange) return spanAt(valueRange[0], valueRange[1]);
      return rootSpan();
    },
    scalar(path): ScalarInfo | undefined {
      const found = findNode(doc, path);
      if (found.depth !== path.length) return undefined;
      let node: unknown = found.node;
      const { isAlias, isScalar } = yamlLib();
      if (isAlias(node)) node = node.resolve(doc);
      if (!isScalar(node)) return undefined;
      const range = rangeOf(node);
      if (!range) return undefined;
      const type = node.type ?? 'PLAIN';
      if (
        type !== 'PLAIN' &&
        type !== 'QUOTE_SINGLE' &&
        type !== 'QUOTE_DOUBLE' &&
        type !== 'BLOCK_LITERAL' &&
        type !== 'BLOCK_FOLDED'
      ) {
        return undefined;
      }
      return { span: spanAt(range[0], range[1]), type, source: text.slice(range[0], range[1]) };
    },
  };
}
