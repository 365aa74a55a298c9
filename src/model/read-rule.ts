/** Builds the `Rule` from a schema-validated document and its detection IR, filling in deployment defaults. */
import { effectiveLookback } from '../checks/schedule.js';
import type { IrNode } from '../ir/nodes.js';
import { DISABLED_STATUSES, RISK_SCORE_BY_LEVEL } from './rule.js';
import type { Deploy, Level, Rule } from './rule.js';

export const DEFAULT_INTERVAL = '5m';
export const DEFAULT_MAX_ALERTS = 100;
export const DEFAULT_VERSION = 1;
/**
 * Risk score of a rule without `level`. Sigma has no default level; a missing one says nothing either way, so the
 * middle band (medium, 47) is used rather than pretending the rule is known to be low or high risk.
 */
export const RISK_SCORE_WITHOUT_LEVEL = 47;

export interface ReadRuleInput {
  readonly file: string;
  readonly documentIndex: number;
  /** The document as plain data, already valid against schema/rule.schema.json. */
  readonly data: Readonly<Record<string, unknown>>;
  readonly detection: IrNode;
}

export function readRule({ file, documentIndex, data, detection }: ReadRuleInput): Rule {
  const level = data['level'] as Level | undefined;
  const author = str(data['author']);
  return {
    file,
    documentIndex,
    ...opt('id', str(data['id'])),
    title: String(data['title']),
    ...opt('name', str(data['name'])),
    ...opt('status', str(data['status'])),
    ...opt('description', str(data['description'])),
    ...opt('license', str(data['license'])),
    ...opt('author', author),
    authors: splitAuthors(author),
    references: strings(data['references']),
    ...opt('date', str(data['date'])),
    ...opt('modified', str(data['modified'])),
    logsource: Object.freeze(stringRecord(data['logsource'])),
    ...opt('level', level),
    tags: strings(data['tags']),
    falsepositives: strings(data['falsepositives']),
    fields: strings(data['fields']),
    detection,
    deploy: readDeploy(data, level),
    document: data,
  };
}

function readDeploy(data: Readonly<Record<string, unknown>>, level: Level | undefined): Deploy {
  const schedule = (data['schedule'] ?? {}) as { interval?: string; lookback?: string };
  const interval = schedule.interval ?? DEFAULT_INTERVAL;
  // Null prototypes: a rule's `targets: {__proto__: {…}}` must stay an (unknown) id, never become the prototype
  // that every target's lookup (`targets['splunk']`) falls through to; likewise inside each target's overrides.
  const targets = Object.create(null) as Record<string, Readonly<Record<string, unknown>>>;
  for (const [id, overrides] of Object.entries((data['targets'] ?? {}) as Record<string, Record<string, unknown>>)) {
    if (overrides === null || typeof overrides !== 'object') continue;
    targets[id] = Object.freeze(ownCopy(overrides));
  }
  return Object.freeze({
    interval,
    // Never shorter than the interval (RC121): the window every target searches, Sentinel's limits included.
    lookback: effectiveLookback(interval, schedule.lookback ?? defaultLookback(interval)),
    maxAlerts: num(data['max_alerts']) ?? DEFAULT_MAX_ALERTS,
    riskScore: num(data['risk_score']) ?? (level ? RISK_SCORE_BY_LEVEL[level] : RISK_SCORE_WITHOUT_LEVEL),
    version: num(data['version']) ?? DEFAULT_VERSION,
    enabled: typeof data['enabled'] === 'boolean' ? data['enabled'] : !DISABLED_STATUSES.has(String(data['status'])),
    ...opt('investigationGuide', str(data['investigation_guide'])),
    ...opt('setup', str(data['setup'])),
    targets: Object.freeze(targets),
  });
}

const SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Kibana's default look-back is the interval plus one minute (5m → 6m), so consecutive runs overlap and a late
 * event is not missed. Written in the coarsest unit that is exact.
 */
export function defaultLookback(interval: string): string {
  const match = /^(\d+)([smhd])$/.exec(interval);
  const unit = match?.[2];
  if (!match || unit === undefined) return '6m';
  const seconds = Number(match[1]) * (SECONDS[unit] ?? 60) + 60;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** `"A, B,C"` → `['A', 'B', 'C']`; empty names dropped. */
export function splitAuthors(author: string | undefined): string[] {
  if (author === undefined) return [];
  return author
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** A string or a list of strings (the schema allows both for `falsepositives`) as a frozen list. */
function strings(value: unknown): readonly string[] {
  if (typeof value === 'string') return Object.freeze([value]);
  return Object.freeze(Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
}

function stringRecord(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object') return out;
  // `__proto__` as a logsource key would set the prototype instead of a field; no log source is named that.
  for (const [k, v] of Object.entries(value)) if (typeof v === 'string' && k !== '__proto__') out[k] = v;
  return out;
}

/** The own entries of `value` in a null-prototype object, where `__proto__` is a key like any other. */
function ownCopy(value: object): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(value)) out[k] = v;
  return out;
}

/** Spreads `{ [key]: value }` only when the value is present (exactOptionalPropertyTypes forbids `key: undefined`). */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
