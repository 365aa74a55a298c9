/**
 * A correlation rule as a `CompiledRule`, so a target renders its artifacts with its normal `renderArtifacts`:
 * a synthetic Rule carries the correlation's metadata (what the artifact shows: title, id, level, tags, …) and a
 * schedule made from its `timespan`; the destination is the referenced rules'; `query` is the target's correlation
 * query; `correlation` tells the target it is one (for the artifact's shape, e.g. Elastic's rule type).
 */
import type { CompiledRule, MappedRule, QueryResult } from '../backend/types.js';
import { TRUE } from '../ir/build.js';
import { splitAuthors } from '../model/read-rule.js';
import type { Deploy, Rule } from '../model/rule.js';
import { DISABLED_STATUSES, RISK_SCORE_BY_LEVEL } from '../model/rule.js';
import type { Correlation, Filter } from './model.js';
import { tunedRule } from './tune.js';

/** Risk score without a level, as for detection rules (read-rule.ts). */
const RISK_SCORE_WITHOUT_LEVEL = 47;
const DEFAULT_MAX_ALERTS = 100;

const strings = (value: unknown): readonly string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v) => typeof v === 'string') : [];
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * The line of the description that says what the correlation combines, so the deployed alert explains itself:
 * `Correlation event_count over 5m (group-by User) of the rules: 'a', 'b'.`
 */
export function correlationLine(correlation: Correlation, referenced: readonly string[]): string {
  const by = correlation.groupBy.length > 0 ? ` (group-by ${correlation.groupBy.join(', ')})` : '';
  const names = referenced.map((r) => `'${r}'`).join(', ');
  return `Correlation ${correlation.type} over ${correlation.timespan}${by} of the rules: ${names}.`;
}

/**
 * The schedule of a correlation's search: it runs every `timespan` and looks back `timespan`, the window the
 * correlation counts in (targets then fit it to their limits and warn when they must, e.g. Sentinel's 5m minimum).
 */
function deployOf(correlation: Correlation): Deploy {
  const doc = correlation.document;
  const level = correlation.level;
  return Object.freeze({
    interval: correlation.timespan,
    lookback: correlation.timespan,
    maxAlerts: typeof doc['max_alerts'] === 'number' ? doc['max_alerts'] : DEFAULT_MAX_ALERTS,
    riskScore:
      typeof doc['risk_score'] === 'number'
        ? doc['risk_score']
        : level
          ? RISK_SCORE_BY_LEVEL[level]
          : RISK_SCORE_WITHOUT_LEVEL,
    version: typeof doc['version'] === 'number' ? doc['version'] : 1,
    enabled: typeof doc['enabled'] === 'boolean' ? doc['enabled'] : !DISABLED_STATUSES.has(String(correlation.status)),
    targets: Object.freeze(Object.create(null) as Record<string, Readonly<Record<string, unknown>>>),
  });
}

/**
 * The Rule a target sees for a correlation: its metadata, detection TRUE and no logsource (the query is the
 * target's correlation query, not made from this detection). `referenced` names the referenced rules for the
 * description's correlation line.
 */
export function correlationAsRule(correlation: Correlation, referenced: readonly string[]): Rule {
  const doc = correlation.document;
  const author = text(doc['author']);
  const line = correlationLine(correlation, referenced);
  const description = correlation.description === undefined ? line : `${correlation.description}\n\n${line}`;
  return {
    file: correlation.file,
    documentIndex: correlation.documentIndex,
    ...(correlation.id !== undefined ? { id: correlation.id } : {}),
    title: correlation.title,
    ...(correlation.name !== undefined ? { name: correlation.name } : {}),
    ...(correlation.status !== undefined ? { status: correlation.status } : {}),
    description,
    ...(text(doc['license']) !== undefined ? { license: text(doc['license'])! } : {}),
    ...(author !== undefined ? { author } : {}),
    authors: splitAuthors(author),
    references: strings(doc['references']),
    ...(text(doc['date']) !== undefined ? { date: text(doc['date'])! } : {}),
    ...(text(doc['modified']) !== undefined ? { modified: text(doc['modified'])! } : {}),
    logsource: Object.freeze({}),
    ...(correlation.level !== undefined ? { level: correlation.level } : {}),
    tags: [...correlation.tags],
    falsepositives: strings(doc['falsepositives']),
    fields: strings(doc['fields']),
    detection: TRUE,
    deploy: deployOf(correlation),
    document: doc,
  };
}

/**
 * The destination of a correlation: the first referenced rule's, with every list value (e.g. Sentinel's
 * `requiredDataConnectors`) the union over all referenced rules, in first-seen order.
 */
export function unionDestination(
  destinations: readonly Readonly<Record<string, unknown>>[],
): Readonly<Record<string, unknown>> {
  const [first, ...rest] = destinations;
  if (!first) return {};
  const out: Record<string, unknown> = { ...first };
  for (const [key, value] of Object.entries(first)) {
    if (!Array.isArray(value)) continue;
    const seen = new Set<string>();
    const merged: unknown[] = [];
    for (const d of destinations) {
      const list = d[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const k = JSON.stringify(item);
        if (seen.has(k)) continue;
        seen.add(k);
        merged.push(item);
      }
    }
    out[key] = merged;
  }
  // Lists only the other rules have are unioned too (a connector the first rule's table does not need).
  for (const d of rest)
    for (const [key, value] of Object.entries(d))
      if (!(key in out) && Array.isArray(value)) out[key] = unionDestination(rest.filter((x) => key in x))[key];
  return out;
}

/**
 * The compiled form of a correlation for one target. `referenced` are its referenced rules as the target compiled
 * them (filters applied), in `rules:` order; `names` how the correlation names them; `filters` the filters applied
 * to them (for the tag and description line).
 */
export function correlationAsCompiled(
  correlation: Correlation,
  referenced: readonly CompiledRule[],
  names: readonly string[],
  query: QueryResult,
  filters: readonly Filter[] = [],
): CompiledRule {
  const plain = correlationAsRule(correlation, names);
  // The filters that tuned its referenced rules tune the correlation's query too: said as on a tuned rule.
  const tuned = filters.length === 0 ? plain : tunedRule({ ...plain, detection: TRUE }, filters);
  const mapped: MappedRule = {
    rule: { ...tuned, detection: TRUE },
    detection: TRUE,
    ...(referenced[0]?.mapped.logsourceId !== undefined ? { logsourceId: referenced[0].mapped.logsourceId } : {}),
    destination: unionDestination(referenced.map((r) => r.mapped.destination)),
    // The first rule's type wins where two disagree, as its destination does.
    fieldTypes: Object.assign({}, ...[...referenced].reverse().map((r) => r.mapped.fieldTypes)) as Record<
      string,
      string
    >,
  };
  return { mapped, query, correlation };
}
