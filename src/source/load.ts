/**
 * Loading: rule file text → YAML documents with positions, as plain data, with every YAML problem as a Diagnostic.
 *
 * YAML 1.2 core schema on purpose: SigmaHQ writes `date: 2023-01-05` unquoted, which YAML 1.1 would turn into a
 * Date; under the core schema it stays the string the JSON Schema expects (Dates are normalised anyway).
 */
import type { Document, YAMLError } from 'yaml';
import type { Diagnostic, Span } from '../diagnostics/diagnostic.js';
import '../diagnostics/frontend-codes.js';
import { decodeSource } from './decode.js';
import { createLocator } from './locate.js';
import { keepDetectionNumberText } from './number-text.js';
import { yamlLib } from './yaml-lib.js';
import type { Locator } from './locator.js';

/** Deeper nesting than this is never a rule; it is a broken or hostile file. */
export const MAX_DEPTH = 64;

export interface SourceDocument {
  /** Index of the document in the file (0 for single-document files). */
  readonly index: number;
  readonly doc: Document;
  readonly locator: Locator;
  /** The document as plain JSON data (dates as `YYYY-MM-DD`); undefined when it could not be converted. */
  readonly data: unknown;
  /** True when this document has no error of its own (YAML, shape, depth). */
  readonly ok: boolean;
}

export interface LoadedSource {
  readonly file: string;
  readonly text: string;
  /** Documents that hold something; a stray `---` with nothing after it is not a document. */
  readonly documents: readonly SourceDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Decodes bytes (size, NUL, UTF-8 checks) and parses them; see `parseSource`. */
export function loadSource(file: string, content: Buffer | Uint8Array | string): LoadedSource {
  const decoded = decodeSource(file, content);
  if (!('text' in decoded)) return { file, text: '', documents: [], diagnostics: decoded.diagnostics };
  return parseSource(file, decoded.text);
}

/** Parses every YAML document of `text`; never throws on bad input. */
export function parseSource(file: string, text: string): LoadedSource {
  const { isCollection, isMap, isScalar, LineCounter, parseAllDocuments, visit } = yamlLib();
  const lineCounter = new LineCounter();
  const spanOf = (start: number, end: number): Span => {
    const a = lineCounter.linePos(start);
    const b = lineCounter.linePos(Math.max(start, end));
    return { start: { offset: start, line: a.line, col: a.col }, end: { offset: end, line: b.line, col: b.col } };
  };

  const tooDeep = flowDepthExceeded(text);
  if (tooDeep !== undefined) {
    // Checked before parsing: megabytes of `[[[[` make the parser itself spend seconds and memory.
    lineCounter.addNewLine(0);
    for (let i = text.indexOf('\n'); i >= 0 && i < tooDeep; i = text.indexOf('\n', i + 1))
      lineCounter.addNewLine(i + 1);
    return { file, text, documents: [], diagnostics: [depthDiagnostic(file, spanOf(tooDeep, tooDeep + 1))] };
  }

  const diagnostics: Diagnostic[] = [];
  const documents: SourceDocument[] = [];
  let parsed: Document[];
  try {
    const result = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false, schema: 'core' });
    parsed = Array.isArray(result) ? result : [];
  } catch (error) {
    // The parser reports its own problems as errors; a throw is a defect in it, still not the user's stack trace.
    return {
      file,
      text,
      documents: [],
      diagnostics: [{ code: 'RC010', severity: 'error', message: `YAML parser failed: ${String(error)}`, file }],
    };
  }

  const nonEmpty = parsed.filter((doc) => !isEmptyDocument(doc) || doc.errors.length > 0);
  if (nonEmpty.length === 0) {
    return {
      file,
      text,
      documents: [],
      diagnostics: [
        { code: 'RC002', severity: 'error', message: 'file has no YAML document (it is empty or only comments)', file },
      ],
    };
  }

  parsed.forEach((doc, index) => {
    if (!nonEmpty.includes(doc)) return;
    const own: Diagnostic[] = [];
    for (const error of doc.errors) own.push(yamlDiagnostic(file, error, 'error', spanOf));
    for (const warning of doc.warnings) own.push(yamlDiagnostic(file, warning, 'warning', spanOf));

    const contents = doc.contents;
    const range = contents?.range ?? doc.range ?? [0, 0, 0];
    if (contents !== null && !isMap(contents)) {
      const what = isCollection(contents)
        ? 'a list'
        : isScalar(contents) && contents.value === null
          ? 'null'
          : 'a single value';
      own.push({
        code: 'RC020',
        severity: 'error',
        message: `a rule document must be a map of fields, but this one is ${what}`,
        file,
        span: spanOf(range[0], isScalar(contents) ? range[1] : range[0] + 1),
        notes: ['a rule starts with `title:` at the left margin, followed by `logsource:` and `detection:`'],
      });
    }

    const deep = deepestNodeBeyond(contents, MAX_DEPTH);
    if (deep !== undefined) own.push(depthDiagnostic(file, spanOf(deep, deep + 1)));
    else {
      // A list or map used as a map key (`? [a, b]: x`) has no JSON form; yaml would stringify it with a
      // process warning. Report it instead.
      visit(doc, {
        Pair(_key, pair) {
          if (isCollection(pair.key)) {
            const r = (pair.key as { range?: [number, number, number] }).range ?? [0, 0, 0];
            own.push({
              code: 'RC015',
              severity: 'error',
              message: 'a map key must be a plain value, not a list or a map',
              file,
              span: spanOf(r[0], r[1]),
            });
          }
        },
      });
    }

    let data: unknown;
    if (!own.some((d) => d.code === 'RC013' || d.code === 'RC015')) {
      try {
        keepDetectionNumberText(doc);
        data = normaliseDates(doc.toJS({ maxAliasCount: 100 }));
      } catch (error) {
        own.push({
          code: 'RC014',
          severity: 'error',
          message: `YAML aliases could not be expanded: ${firstLine(String(error instanceof Error ? error.message : error))}`,
          file,
          span: spanOf(range[0], range[0] + 1),
        });
      }
    }
    diagnostics.push(...own);
    documents.push({
      index,
      doc,
      locator: createLocator(file, doc, lineCounter, text),
      data,
      ok: !own.some((d) => d.severity === 'error'),
    });
  });
  return { file, text, documents, diagnostics };
}

/** A document with no content: nothing, or the empty scalar yaml makes of a bare `---`. */
function isEmptyDocument(doc: Document): boolean {
  const { isScalar } = yamlLib();
  const contents = doc.contents;
  if (contents === null) return true;
  return (
    isScalar(contents) &&
    contents.value === null &&
    (contents.range?.[0] ?? 0) === (contents.range?.[1] ?? 0) &&
    !contents.tag
  );
}

function yamlDiagnostic(
  file: string,
  error: YAMLError,
  severity: 'error' | 'warning',
  spanOf: (start: number, end: number) => Span,
): Diagnostic {
  const [start, end] = error.pos;
  const code =
    severity === 'warning'
      ? 'RC012'
      : error.code === 'DUPLICATE_KEY'
        ? 'RC011'
        : error.code === 'RESOURCE_EXHAUSTION'
          ? 'RC013'
          : 'RC010';
  const message = code === 'RC011' ? 'duplicate key: a key may appear only once in a map' : sentence(error.message);
  return { code, severity, message, file, span: spanOf(start, end), notes: [`YAML: ${error.code}`] };
}

function depthDiagnostic(file: string, span: Span): Diagnostic {
  return { code: 'RC013', severity: 'error', message: `YAML nesting is deeper than ${MAX_DEPTH} levels`, file, span };
}

/** yaml's messages start upper-case and may end in a period or carry a source excerpt: keep one plain line. */
function sentence(message: string): string {
  const line = firstLine(message).replace(/\.$/, '');
  return line.charAt(0).toLowerCase() + line.slice(1);
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? '';
}

/**
 * Offset where `[`/`{` nesting exceeds MAX_DEPTH, ignoring quoted text and comments. A cheap guard that runs
 * before the parser; block nesting is checked on the parsed tree instead.
 */
function flowDepthExceeded(text: string): number | undefined {
  // Nesting cannot exceed MAX_DEPTH with fewer openers than that: skip the scan for ordinary rules.
  let openers = 0;
  for (let i = text.indexOf('['); i >= 0 && openers <= MAX_DEPTH; i = text.indexOf('[', i + 1)) openers++;
  for (let i = text.indexOf('{'); i >= 0 && openers <= MAX_DEPTH; i = text.indexOf('{', i + 1)) openers++;
  if (openers <= MAX_DEPTH) return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i++;
        else quote = undefined;
      } else if (c === '\\' && quote === '"') i++;
      else if (c === '\n' && quote === "'" && depth === 0) quote = undefined;
      continue;
    }
    const prev = i === 0 ? '\n' : text[i - 1];
    const atTokenStart = prev === ' ' || prev === '\t' || prev === '\n' || prev === '[' || prev === '{' || prev === ',';
    if ((c === '"' || c === "'") && atTokenStart) quote = c;
    else if (c === '#' && (prev === ' ' || prev === '\t' || prev === '\n')) {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? text.length : eol - 1;
    } else if (c === '[' || c === '{') {
      if (++depth > MAX_DEPTH) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

/** Start offset of the first node nested deeper than `limit`, walking iteratively (no recursion to overflow). */
function deepestNodeBeyond(root: unknown, limit: number): number | undefined {
  const { isCollection, isPair } = yamlLib();
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (!isCollection(node)) continue;
    if (depth >= limit) return node.range?.[0] ?? 0;
    for (const item of node.items) {
      if (isPair(item)) {
        stack.push({ node: item.key, depth: depth + 1 }, { node: item.value, depth: depth + 1 });
      } else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/** Date objects (from an explicit `!!timestamp`) become `YYYY-MM-DD`, as the schema and the Rule expect. */
export function normaliseDates(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(normaliseDates);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty, not assignment: a `__proto__` key in a rule must stay data, not change the prototype.
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: normaliseDates(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}
