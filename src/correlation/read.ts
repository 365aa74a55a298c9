/** Reads correlation and filter documents: schema validation, then the model of `model.ts`. */
import { buildDetection } from '../detection/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/correlation-codes.js';
import type { Level } from '../model/rule.js';
import { validateDocument } from '../schema/validate.js';
import type { Locator } from '../source/locator.js';
import correlationSchema from '../../schema/correlation.schema.json' with { type: 'json' };
import filterSchema from '../../schema/filter.schema.json' with { type: 'json' };
import type { CompareKey, Correlation, CorrelationType, Filter, Reference, Threshold } from './model.js';
import { timespanMs } from './model.js';

export type DocumentKind = 'rule' | 'correlation' | 'filter';

/**
 * The kind of a document: `correlation:` or `filter:` without `detection:` make a meta-rule. A document with
 * `detection:` stays a detection rule, so its own errors (an extra key) read as they always did.
 */
export function documentKind(data: Readonly<Record<string, unknown>>): DocumentKind {
  if ('detection' in data) return 'rule';
  if ('correlation' in data) return 'correlation';
  if ('filter' in data) return 'filter';
  return 'rule';
}

interface Input {
  readonly file: string;
  readonly documentIndex: number;
  readonly data: Readonly<Record<string, unknown>>;
  readonly locator: Locator;
}

export interface MetaResult<T> {
  readonly value?: T;
  readonly diagnostics: Diagnostic[];
}

const COMPARE_KEYS: readonly CompareKey[] = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'];

export function readCorrelation({ file, documentIndex, data, locator }: Input): MetaResult<Correlation> {
  const diagnostics = validateDocument(correlationSchema, data, locator);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const c = data['correlation'] as Record<string, unknown>;
  const type = c['type'] as CorrelationType;
  const rules = references(c['rules'], ['correlation', 'rules'], locator);
  const groupBy = (c['group-by'] as string[] | undefined) ?? [];
  const condition = (c['condition'] ?? undefined) as Record<string, unknown> | undefined;
  const threshold: Partial<Record<CompareKey, number>> = {};
  for (const key of COMPARE_KEYS) if (typeof condition?.[key] === 'number') threshold[key] = condition[key];
  const rawField = condition?.['field'];
  const fields = typeof rawField === 'string' ? [rawField] : Array.isArray(rawField) ? (rawField as string[]) : [];
  if (fields.length > 1 && type !== 'value_count') {
    diagnostics.push({
      code: 'RC711',
      severity: 'error',
      message: `${type} aggregates one field, but \`condition.field\` lists ${fields.length}`,
      file,
      ...spanOf(locator, ['correlation', 'condition', 'field']),
    });
    return { diagnostics };
  }
  if (fields.length > 0 && !type.startsWith('value_')) {
    diagnostics.push({
      code: 'RC712',
      severity: 'error',
      message: `${type} counts ${type === 'event_count' ? 'events' : 'rules'}; \`condition.field\` belongs to the value types`,
      file,
      ...spanOf(locator, ['correlation', 'condition', 'field']),
    });
    return { diagnostics };
  }
  const aliases = (c['aliases'] ?? {}) as Record<string, Record<string, string>>;
  const aliasSpans: Record<string, ReturnType<Locator['span']>> = {};
  for (const alias of Object.keys(aliases)) aliasSpans[alias] = locator.span(['correlation', 'aliases', alias], 'key');
  const timespan = String(c['timespan']);
  const correlation: Correlation = {
    kind: 'correlation',
    file,
    documentIndex,
    ...meta(data),
    type,
    rules,
    groupBy,
    groupBySpans: groupBy.map((_, i) => locator.span(['correlation', 'group-by', i])),
    aliases,
    aliasSpans,
    timespanMs: timespanMs(timespan) ?? 0,
    timespan,
    ...(Object.keys(threshold).length > 0 ? { threshold: threshold as Threshold } : {}),
    fields,
    generate: c['generate'] === true || data['generate'] === true,
    ...spanOf(locator, ['correlation']),
    document: data,
  };
  return { value: correlation, diagnostics };
}

export function readFilter({ file, documentIndex, data, locator }: Input): MetaResult<Filter> {
  const diagnostics = validateDocument(filterSchema, data, locator);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const f = data['filter'] as Record<string, unknown>;
  // The search identifiers and the condition are a detection section; `rules` is the filter's own key.
  const detection: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(f)) if (key !== 'rules') detection[key] = value;
  const built = buildDetection(detection, locator, ['filter']);
  diagnostics.push(...built.diagnostics);
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const logsource: Record<string, string> = {};
  for (const [k, v] of Object.entries((data['logsource'] ?? {}) as Record<string, unknown>))
    if (typeof v === 'string' && k !== 'definition') logsource[k] = v;
  const filter: Filter = {
    kind: 'filter',
    file,
    documentIndex,
    ...pick(data, 'id'),
    ...pick(data, 'name'),
    title: String(data['title']),
    logsource: Object.freeze(logsource),
    rules: references(f['rules'], ['filter', 'rules'], locator),
    detection: built.node,
    ...spanOf(locator, ['filter']),
  };
  return { value: filter, diagnostics };
}

function references(value: unknown, path: readonly string[], locator: Locator): Reference[] {
  return ((value ?? []) as string[]).map((text, i) => ({ text, ...spanOf(locator, [...path, i]) }));
}

function spanOf(
  locator: Locator,
  path: readonly (string | number)[],
): { span?: NonNullable<ReturnType<Locator['span']>> } {
  const span = locator.span(path);
  return span ? { span } : {};
}

function meta(data: Readonly<Record<string, unknown>>) {
  return {
    ...pick(data, 'id'),
    ...pick(data, 'name'),
    title: String(data['title']),
    ...(typeof data['level'] === 'string' ? { level: data['level'] as Level } : {}),
    ...pick(data, 'status'),
    ...pick(data, 'description'),
    tags: Array.isArray(data['tags']) ? (data['tags'] as string[]) : [],
  };
}

function pick<K extends string>(data: Readonly<Record<string, unknown>>, key: K): { [P in K]?: string } {
  const v = data[key];
  return (typeof v === 'string' ? { [key]: v } : {}) as { [P in K]?: string };
}
