/**
 * The front half of the compiler: a rule file → validated `Rule`s plus every problem found in it.
 * load (YAML, positions) → validate (JSON Schema) → detection and condition (IR) → Rule.
 */
import { checkSchedule } from './checks/schedule.js';
import { attackTagDiagnostics } from './attack/diagnostics.js';
import type { Correlation, Filter } from './correlation/model.js';
import { documentKind, readCorrelation, readFilter } from './correlation/read.js';
import { buildDetection } from './detection/index.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { sortDiagnostics } from './diagnostics/diagnostic.js';
import { readRule } from './model/read-rule.js';
import type { Rule } from './model/rule.js';
import { acceptSlashDates } from './schema/slash-dates.js';
import { validateRule } from './schema/validate.js';
import { decodeSource } from './source/decode.js';
import { discoverRuleFiles } from './source/discover.js';
import { fastLoad } from './source/fast-load.js';
import { loadSource } from './source/load.js';
import type { Locator } from './source/locator.js';

export interface FrontendResult {
  /** One Rule per document without errors, in document order. */
  readonly rules: Rule[];
  /** Correlation rules (documents with `correlation:`), in document order. */
  readonly correlations: Correlation[];
  /** Global filters (documents with `filter:`), in document order. */
  readonly filters: Filter[];
  /** All problems of the file, every document and stage together, in stable order. */
  readonly diagnostics: Diagnostic[];
}

export interface ReadOptions {
  /** Read plain files with js-yaml and locate lazily (default true); false always takes the careful path. */
  readonly fast?: boolean;
}

/** Reads one rule file (bytes or text); never throws on bad input. */
export function readRuleFile(
  file: string,
  content: Buffer | Uint8Array | string,
  options: ReadOptions = {},
): FrontendResult {
  const decoded = decodeSource(file, content);
  if ('text' in decoded && options.fast !== false) {
    const fast = fastLoad(file, decoded.text);
    if (fast) return readDocuments(file, fast, []);
  }
  const source = loadSource(file, content);
  return readDocuments(
    file,
    source.documents.filter((d) => d.ok && isRecord(d.data)),
    source.diagnostics,
  );
}

interface ReadableDocument {
  readonly index: number;
  readonly data: unknown;
  readonly locator: Locator;
}

function readDocuments(
  file: string,
  documents: readonly ReadableDocument[],
  loadDiagnostics: readonly Diagnostic[],
): FrontendResult {
  const diagnostics: Diagnostic[] = [...loadDiagnostics];
  const rules: Rule[] = [];
  const correlations: Correlation[] = [];
  const filters: Filter[] = [];
  for (const document of documents) {
    if (!isRecord(document.data)) continue;
    // `date: 2022/04/11` is read as the ISO day it names, with a warning (RC124), before the schema sees it.
    const dated = acceptSlashDates(document.data, document.locator);
    const data = dated.data;
    const kind = documentKind(data);
    if (kind !== 'rule') {
      const input = { file, documentIndex: document.index, data, locator: document.locator };
      const read = kind === 'correlation' ? readCorrelation(input) : readFilter(input);
      read.diagnostics.unshift(...dated.diagnostics);
      read.diagnostics.push(...attackTagDiagnostics(data['tags'], document.locator));
      diagnostics.push(...read.diagnostics);
      if (read.value && !read.diagnostics.some((d) => d.severity === 'error')) {
        if (read.value.kind === 'correlation') correlations.push(read.value);
        else filters.push(read.value);
      }
      continue;
    }
    const own = [...dated.diagnostics, ...validateRule(data, document.locator)];
    if (!own.some((d) => d.severity === 'error')) own.push(...checkSchedule(data, document.locator));
    own.push(...attackTagDiagnostics(data['tags'], document.locator));
    // The detection stage expects the shape the schema guarantees; with schema errors there it would only repeat them.
    const detection = data['detection'];
    const shapeOk =
      !own.some((d) => d.severity === 'error') ||
      !own.some(
        (d) =>
          d.severity === 'error' &&
          isInside(d, document.locator.span(['detection'], 'key'), document.locator.span(['detection'])),
      );
    if (isRecord(detection) && shapeOk) {
      const result = buildDetection(detection, document.locator, ['detection']);
      own.push(...result.diagnostics);
      if (!own.some((d) => d.severity === 'error')) {
        rules.push(readRule({ file, documentIndex: document.index, data, detection: result.node }));
      }
    }
    diagnostics.push(...own);
  }
  return { rules, correlations, filters, diagnostics: sortDiagnostics(diagnostics) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether `d` points somewhere from the start of `from` to the end of `to` (a key and its value). */
function isInside(d: Diagnostic, from: Diagnostic['span'], to: Diagnostic['span']): boolean {
  if (!d.span || !from || !to) return false;
  return d.span.start.offset >= from.start.offset && d.span.start.offset <= to.end.offset;
}

/**
 * Rule files named by `paths` (see `discoverRuleFiles`). A path that does not exist is returned as is, so reading it
 * reports the problem; commands that must refuse before doing anything use `discoverRuleFiles` instead. The other
 * findings of the walk (skipped symlinks, special files: warnings) go to `warnings` when given.
 */
export function collectRuleFiles(paths: readonly string[], warnings?: Diagnostic[]): string[] {
  const { files, diagnostics } = discoverRuleFiles(paths);
  warnings?.push(...diagnostics.filter((d) => d.code !== 'RC030'));
  const missing = diagnostics.filter((d) => d.code === 'RC030').map((d) => d.file ?? '');
  return [...new Set([...files, ...missing])].sort();
}
