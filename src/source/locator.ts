/** How later stages ask where something is in the rule file, without knowing about YAML nodes. */
import type { Span } from '../diagnostics/diagnostic.js';

export type DocPath = readonly (string | number)[];

export interface ScalarInfo {
  readonly span: Span;
  /** The scalar's YAML style; offsets inside PLAIN and QUOTE_SINGLE scalars without escapes map 1:1. */
  readonly type: 'PLAIN' | 'QUOTE_SINGLE' | 'QUOTE_DOUBLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';
  /** The raw source text of the scalar, quotes included. */
  readonly source: string;
}

export interface Locator {
  readonly file: string;
  /**
   * Span of the node at `path` (a map key or list index per segment). `part: 'key'` points at the map key of
   * the last segment (for unknown or misspelled keys). A missing path resolves to its nearest existing ancestor.
   */
  span(path: DocPath, part?: 'key' | 'value'): Span | undefined;
  /** Scalar details at `path`, or undefined when the node is not a scalar. */
  scalar(path: DocPath): ScalarInfo | undefined;
  /** Span for an offset range inside the source file. */
  spanAt(start: number, end: number): Span;
}
