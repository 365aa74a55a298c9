/**
 * The last step before diagnostics are shown: those that only know where they belong in the rule (a `SourceRef`,
 * reported by a target or the build) get a span, and repeats of one cause are folded into one diagnostic.
 *
 * Positions are computed here, not while compiling, because most rules are read by the fast path without positions
 * (src/source/fast-load.ts) and most diagnostics of a corpus build are never printed; a file is parsed with
 * positions at most once, and only when one of its diagnostics needs it.
 */
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import { sortDiagnostics } from '../diagnostics/diagnostic.js';
import type { Locator } from './locator.js';
import { parseSource } from './load.js';
import { mayReadFast } from './fast-load.js';
import type { LightLocator } from './light-locate.js';
import { lightLocator } from './light-locate.js';

/** Gives every diagnostic with a `SourceRef` and a known source text a span; the others are returned unchanged. */
export function locateDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): Diagnostic[] {
  const parsed = new Map<string, ReturnType<typeof parseSource> | undefined>();
  const careful = (file: string, document: number): Locator | undefined => {
    if (!parsed.has(file)) {
      const text = sources.get(file);
      // The texts kept for code frames may still start with a byte-order mark; positions are counted without it.
      parsed.set(file, text === undefined ? undefined : parseSource(file, text.replace(/^\uFEFF/, '')));
    }
    return parsed.get(file)?.documents.find((d) => d.index === document)?.locator;
  };
  // Most spans asked for are single-line scalars of plain files, which the light scanner finds without a parser.
  const light = new Map<string, LightLocator | undefined>();
  const locatorOf = (file: string, document: number): Locator | undefined => {
    if (!light.has(file)) {
      const text = sources.get(file)?.replace(/^\uFEFF/, '');
      light.set(file, text !== undefined && mayReadFast(text) ? lightLocator(text) : undefined);
    }
    const quick = document === 0 ? light.get(file) : undefined;
    if (!quick) return careful(file, document);
    return {
      file,
      span: (path, part) => quick.span(path, part) ?? careful(file, document)?.span(path, part),
      scalar: (path) => quick.scalar(path) ?? careful(file, document)?.scalar(path),
      spanAt: (start, end) => quick.spanAt(start, end),
    };
  };
  return diagnostics.map((d) => {
    if (d.at === undefined || d.span !== undefined || d.file === undefined) return d;
    const { at, ...rest } = d;
    let span: Span | undefined;
    try {
      const locator = locatorOf(d.file, at.document ?? 0);
      span = locator?.span(at.path, at.part ?? 'value');
      if (span && locator && at.part === 'key' && at.range) span = keyPart(locator, span, at.path, at.range);
    } catch {
      // A file that changed since it was compiled, or a path the document lacks: the diagnostic stays unlocated.
      span = undefined;
    }
    return span ? { ...rest, span } : d;
  });
}

/**
 * Characters `range` of the key whose span is `span`. The key's source form may differ from its text (quotes,
 * escapes): offsets map 1:1 only when the span is as long as the text (plain) or two longer (simple quotes),
 * otherwise the whole key is kept.
 */
function keyPart(
  locator: Locator,
  span: Span,
  path: readonly (string | number)[],
  range: readonly [number, number],
): Span {
  const key = path[path.length - 1];
  if (typeof key !== 'string') return span;
  const width = span.end.offset - span.start.offset;
  const shift = width === key.length ? 0 : width === key.length + 2 ? 1 : -1;
  if (shift < 0) return span;
  const start = span.start.offset + shift;
  return locator.spanAt(start + range[0], start + range[1]);
}

/** Lines listed in the note of a folded diagnostic; beyond that only the number is given. */
const MAX_LISTED = 8;

/**
 * One diagnostic per cause: diagnostics with the same file, target, code, severity and message (a target that
 * cannot render any of a rule's 39 keywords) become the first of them, with `count` and a note naming where the
 * others are. Returns the diagnostics in stable order.
 */
export function foldRepeats(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const groups = new Map<string, Diagnostic[]>();
  for (const d of sortDiagnostics(diagnostics)) {
    const key = JSON.stringify([d.file ?? '', d.target ?? '', d.code, d.severity, d.message]);
    const group = groups.get(key);
    if (group) group.push(d);
    else groups.set(key, [d]);
  }
  const out: Diagnostic[] = [];
  for (const group of groups.values()) {
    const first = group[0]!;
    if (group.length === 1) {
      out.push(first);
      continue;
    }
    const count = group.reduce((n, d) => n + (d.count ?? 1), 0);
    const lines = [...new Set(group.slice(1).flatMap((d) => (d.span ? [d.span.start.line] : [])))];
    const listed = lines.slice(0, MAX_LISTED).join(', ');
    const more = lines.length > MAX_LISTED ? ` and ${lines.length - MAX_LISTED} other lines` : '';
    const where = lines.length > 0 ? ` (also line${lines.length === 1 ? '' : 's'} ${listed}${more})` : '';
    out.push({
      ...first,
      count,
      notes: [...(first.notes ?? []), `reported ${count} times for this rule${where}`],
    });
  }
  return sortDiagnostics(out);
}

/** Located, then folded: what every command prints. */
export function prepareDiagnostics(
  diagnostics: readonly Diagnostic[],
  sources: ReadonlyMap<string, string>,
): Diagnostic[] {
  return foldRepeats(locateDiagnostics(diagnostics, sources));
}
