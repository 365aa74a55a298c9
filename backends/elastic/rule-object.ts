/**
 * The Kibana detection-rule object for one compiled rule, as `POST /api/detection_engine/rules/_import` reads it
 * (docs/reference/targets/elastic.md §2): always `rule_id` and `version`; keys in alphabetical order at every level so output is stable.
 */
import type { CompiledRule } from '../../src/backend/types.js';
import type { Correlation } from '../../src/correlation/model.js';
import { timespanMs } from '../../src/correlation/model.js';
import { fieldsOf } from '../../src/ir/visit.js';
import type { Level, Rule } from '../../src/model/rule.js';
import { readDestination } from './destination.js';
import { elasticFieldType } from './field-types.js';
import { ruleKey } from './naming.js';
import { applySplitFields } from './split-fields.js';
import { elasticTags } from './tags.js';
import { ruleThreat } from './threat.js';
import type { ExceptionItem } from './value-lists.js';
import { exceptionListId, exceptionObjects } from './value-lists.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';

const SEVERITY_BY_LEVEL: Readonly<Record<Level, Severity>> = {
  informational: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
};

/** Severity from the Sigma level; without one, from detection-rules' risk bands (low ≤21, medium ≤47, high ≤73). */
export function severityOf(rule: Rule): Severity {
  if (rule.level !== undefined) return SEVERITY_BY_LEVEL[rule.level];
  const risk = rule.deploy.riskScore;
  return risk <= 21 ? 'low' : risk <= 47 ? 'medium' : risk <= 73 ? 'high' : 'critical';
}

/** ECS field sets: a required field under one of these is an ECS field (`ecs: true` in `required_fields`). */
// prettier-ignore
const ECS_FIELD_SETS = new Set([
  '@timestamp', 'agent', 'as', 'client', 'cloud', 'container', 'data_stream', 'destination', 'device', 'dll', 'dns',
  'ecs', 'email', 'error', 'event', 'faas', 'file', 'group', 'host', 'http', 'log', 'message', 'network', 'observer',
  'orchestrator', 'organization', 'package', 'process', 'registry', 'related', 'rule', 'server', 'service', 'source',
  'threat', 'tls', 'url', 'user', 'user_agent', 'vulnerability',
]);

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    // A loop, not entries → fromEntries: no pair arrays per key (measurable on every rule object).
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = sortKeys((value as Record<string, unknown>)[k]);
      // `__proto__` as an own key, as fromEntries made it, never the object's prototype.
      if (k === '__proto__')
        Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
      else out[k] = v;
    }
    return out;
  }
  return value;
}

/** Milliseconds as `<n><s|m|h|d>` in the largest unit that divides them. */
function duration(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
  ] as const)
    if (ms % size === 0) return `${ms / size}${unit}`;
  return `${Math.ceil(ms / 1000)}s`;
}

/**
 * A correlation's schedule: it runs every `interval` (the rule's, but never longer than the timespan) and looks back
 * the timespan plus one interval, so every window of `timespan` lies inside some run's look-back (correlation.ts).
 */
export function correlationSchedule(
  correlation: Correlation,
  ruleInterval: string,
): { readonly interval: string; readonly from: string } {
  const span = correlation.timespanMs;
  const interval = Math.min(timespanMs(ruleInterval) ?? span, span);
  return { interval: duration(interval), from: `now-${duration(span + interval)}` };
}

/** The value-list exception items the query rendering set aside (./value-lists.ts), if any. */
export function exceptionsOf(compiled: CompiledRule): readonly ExceptionItem[] {
  const items = compiled.query.extra?.['exceptions'];
  return Array.isArray(items) ? (items as ExceptionItem[]) : [];
}

/**
 * The exception container and items a rule's value lists need, for Kibana's import (they follow the rules in an
 * NDJSON import file, as in Kibana's own export); empty for a rule without value lists. The rule's
 * `exceptions_list` names the container by `list_id`, which the import resolves.
 */
export function buildExceptionObjects(compiled: CompiledRule): Record<string, unknown>[] {
  const items = exceptionsOf(compiled);
  if (items.length === 0) return [];
  const { rule } = compiled.mapped;
  return exceptionObjects(ruleKey(rule), rule.title, items).map((o) => sortKeys(o) as Record<string, unknown>);
}

export function buildRuleObject(compiled: CompiledRule): Record<string, unknown> {
  const { mapped, query } = compiled;
  const { rule } = mapped;
  const destination = readDestination(mapped.destination);
  const type = typeof query.extra?.['type'] === 'string' ? query.extra['type'] : 'query';
  // The fields the query tests: split fields (Sysmon Hashes, User) as their parts. Refusals were reported when the
  // query was rendered; a refused rule never gets here.
  const silent = { warn() {}, refuse() {}, info() {} };
  const requiredFields = fieldsOf(applySplitFields(mapped, silent).detection)
    .sort()
    .map((name) => ({
      ecs: ECS_FIELD_SETS.has(name.split('.')[0]!),
      name,
      type: mapped.fieldTypes[name] ?? elasticFieldType(name) ?? 'unknown',
    }));
  const correlation = compiled.correlation;
  const schedule = correlation ? correlationSchedule(correlation, rule.deploy.interval) : undefined;
  // A correlation's description already ends with what it correlates (src/correlation/as-compiled.ts).
  const description = rule.description ?? rule.title;
  const object: Record<string, unknown> = {
    author: [...rule.authors],
    description,
    false_positives: [...rule.falsepositives],
    from: schedule?.from ?? `now-${rule.deploy.lookback}`,
    // An ES|QL query names its indices in FROM; the rule object has no `index` then.
    ...(type === 'esql' ? {} : { index: [...destination.index] }),
    interval: schedule?.interval ?? rule.deploy.interval,
    language: query.language,
    max_signals: rule.deploy.maxAlerts,
    name: rule.title,
    query: query.query,
    references: [...rule.references],
    related_integrations: destination.relatedIntegrations,
    required_fields: requiredFields,
    risk_score: rule.deploy.riskScore,
    rule_id: ruleKey(rule),
    severity: severityOf(rule),
    tags: elasticTags(rule, destination),
    threat: ruleThreat(rule.tags),
    // A correlation's windows are on event time (@timestamp), as Sigma's timespan is: no ingest-time override.
    ...(correlation ? {} : { timestamp_override: 'event.ingested' }),
    ...(type === 'threshold' && query.extra?.['threshold'] !== undefined
      ? { threshold: query.extra['threshold'] }
      : {}),
    type,
    version: rule.deploy.version,
    // Optional keys: absent rather than invented. A rule without a licence gets none (rulec does not guess one);
    // its authors stay in `author` for attribution.
    // Kibana switches a rule on unless told otherwise: say `enabled: false` for a rule that must start switched
    // off (status experimental/deprecated/unsupported, or the rule's `enabled: false`), nothing for the others.
    ...(rule.deploy.enabled ? {} : { enabled: false }),
    ...(rule.license !== undefined ? { license: rule.license } : {}),
    ...(exceptionsOf(compiled).length > 0
      ? {
          exceptions_list: [
            {
              id: exceptionListId(ruleKey(rule)),
              list_id: exceptionListId(ruleKey(rule)),
              namespace_type: 'single',
              type: 'detection',
            },
          ],
        }
      : {}),
    ...(rule.deploy.investigationGuide !== undefined ? { note: rule.deploy.investigationGuide } : {}),
    ...(rule.deploy.setup !== undefined ? { setup: rule.deploy.setup } : {}),
  };
  return sortKeys(object) as Record<string, unknown>;
}
