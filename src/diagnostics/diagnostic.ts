/** Errors are data: every problem rulec reports is a Diagnostic with a stable code. */
import { compareText } from './compare-text.js';

export { compareText };

export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  /** 0-based character offset into the file. */
  readonly offset: number;
  /** 1-based line. */
  readonly line: number;
  /** 1-based column. */
  readonly col: number;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

/**
 * Where in a rule document a diagnostic belongs, as a path of map keys and list indexes, for stages that have no
 * positions (the targets, the build). `locateDiagnostics` (src/source/locate-diagnostics.ts) turns it into a span
 * when the diagnostic is printed, so compiling never parses a file with positions and the reference survives being
 * sent back from a worker thread.
 */
export interface SourceRef {
  readonly path: readonly (string | number)[];
  /** The map key of the last segment (a field name, a modifier) rather than its value. Default: the value. */
  readonly part?: 'key' | 'value';
  /** The YAML document of the file (0 for single-document files). */
  readonly document?: number;
  /** With `part: 'key'`: characters `[from, to)` of the key's text (the field of `Field|contains`). */
  readonly range?: readonly [number, number];
}

export interface Diagnostic {
  /** Stable code such as `RC201`; catalogued in ./codes.ts (target-specific ones in backends/<target>/codes.ts). */
  readonly code: string;
  readonly severity: Severity;
  /** One line, starting lower-case, no trailing period. */
  readonly message: string;
  readonly file?: string;
  readonly span?: Span;
  /** Shown under the caret in the code frame (e.g. "did you mean 'contains'?"). */
  readonly label?: string;
  /** Extra lines shown as `= note: …`. */
  readonly notes?: readonly string[];
  /** Set for diagnostics that concern one target only. */
  readonly target?: string;
  /** Where the diagnostic belongs in the rule when `span` is not known yet; see `SourceRef`. */
  readonly at?: SourceRef;
  /** How many identical diagnostics (same code, message, file and target) this one stands for; absent means 1. */
  readonly count?: number;
}

export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

export function hasErrors(ds: readonly Diagnostic[]): boolean {
  return ds.some(isError);
}

/** Stable order: by file, then offset, then code. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  // compareText orders as localeCompare without loading ICU's collation data (a large share of a one-file run's
  // time, and megabytes of memory) for the files and codes it sees.
  return [...ds].sort(
    (a, b) =>
      compareText(a.file ?? '', b.file ?? '') ||
      (a.span?.start.offset ?? -1) - (b.span?.start.offset ?? -1) ||
      compareText(a.code, b.code),
  );
}
