/**
 * Correlation rules as Elastic detection rules, each in the rule type Elastic users would write for it:
 *
 * - event_count / value_count with an "at least" condition → a `threshold` rule over the referenced rules' KQL
 *   queries OR-ed. Kibana's threshold rule groups the run's matching events by `threshold.field` (terms) and alerts
 *   for each group with at least `threshold.value` events; `threshold.cardinality` adds "and at least `value`
 *   distinct values of `field`" (a `cardinality` aggregation), so value_count is `value: 1` plus the cardinality.
 *   Kibana docs: solutions/security/detect-and-alert/threshold, create-detection-rule ("Count" field).
 * - temporal_ordered → an EQL `sequence [by …] with maxspan=<timespan>` of the referenced rules in order.
 * - everything else (temporal, value_sum, value_avg, conditions a threshold rule cannot state: lt, eq, ranges,
 *   referenced rules that are EQL) → an ES|QL rule: `FROM … | WHERE … | STATS … BY BUCKET(@timestamp, …), … |
 *   WHERE …`. An aggregating ES|QL query needs no `METADATA _id` (that is for deduplicating non-aggregating
 *   queries; Kibana's ES|QL rule docs), so the query has none.
 *
 * Windows: a threshold rule counts what one run sees, its look-back (`from`); rulec sets it to the timespan plus the
 * run interval so that every sliding window of `timespan` lies inside some run's look-back (nothing the rule means
 * is missed) but events up to timespan + interval apart may count together (EL501). ES|QL groups by fixed
 * `BUCKET`s: a burst across a bucket boundary is split (EL502). The EQL sequence's `maxspan` is the sliding window
 * itself, and the same look-back lets every sequence of at most `timespan` end inside one run.
 */
import type { CorrelationInput, MappedRule, QueryResult, Reporter } from '../../src/backend/types.js';
import type { CompareKey, Threshold } from '../../src/correlation/model.js';
import './codes.js';
import { EqlGenerator } from './eql-dialect.js';
import { eqlField } from './eql-escape.js';
import { EsqlGenerator } from './esql-dialect.js';
import { esqlDuration, esqlField, esqlIndex, esqlNumber } from './esql-escape.js';
import { applyIpValues } from './ip-values.js';
import { applySplitFields } from './split-fields.js';

type Input = CorrelationInput;

/** Group-by fields a threshold rule takes in every Kibana that has multi-field grouping (3; 5 from 9.2). */
const MAX_THRESHOLD_FIELDS = 3;
type InputRule = Input['rules'][number];

const ESQL_OPS: Record<CompareKey, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' };

/** The name a referenced rule is written with in `rules:`, for messages. */
function ruleName(input: Input, i: number): string {
  return input.correlation.rules[i]?.text ?? `#${i + 1}`;
}

/** Reports about a referenced rule's detection, its name added to each message. */
function about(report: Reporter, name: string): Reporter {
  const tag = (m: string): string => `${m} (in referenced rule '${name}')`;
  return {
    warn: (code, m, at) => report.warn(code, tag(m), at),
    refuse: (code, m, at) => report.refuse(code, tag(m), at),
    info: (code, m, at) => report.info(code, tag(m), at),
  };
}

/** The rule's mapped detection as the Elastic queries see it (split fields, impossible ip values). */
function prepared(rule: InputRule, report: Reporter): MappedRule {
  return applyIpValues(applySplitFields(rule.compiled.mapped, report), report);
}

const same = (a: readonly string[], b: readonly string[]): boolean => a.join('\0') === b.join('\0');

/** The value field of a value type, shared by all referenced rules, or undefined (refused) when there is none. */
function sharedField(input: Input, report: Reporter): string | undefined {
  const c = input.correlation;
  if (c.fields.length !== 1) {
    report.refuse('EL514', `condition.field names ${c.fields.length} fields; Elastic aggregates one field`);
    return undefined;
  }
  const field = input.rules[0]?.field;
  if (field === undefined || input.rules.some((r) => r.field !== field)) {
    report.refuse(
      'EL513',
      'the value field differs between the referenced rules, which one Elastic query cannot aggregate',
    );
    return undefined;
  }
  return field;
}

/** The `threshold.value` meaning the condition, when it is only "at least" (counts are integers: gt N is ≥ N+1). */
function atLeast(threshold: Threshold | undefined): number | undefined {
  if (threshold === undefined) return undefined;
  const keys = Object.keys(threshold);
  if (keys.length === 0 || keys.some((k) => k !== 'gt' && k !== 'gte')) return undefined;
  const bounds = [
    ...(threshold.gte !== undefined ? [Math.ceil(threshold.gte)] : []),
    ...(threshold.gt !== undefined ? [Math.floor(threshold.gt) + 1] : []),
  ];
  // An empty group never exists, so "at least 0" is "at least 1" (a threshold rule needs a value of 1 or more).
  return Math.max(1, ...bounds);
}

/** Why a threshold rule cannot state this correlation, or undefined when it can. */
function thresholdProblem(input: Input): string | undefined {
  const c = input.correlation;
  if (atLeast(c.threshold) === undefined)
    return `the condition ${JSON.stringify(c.threshold ?? {})} is not "at least N", the only comparison of a threshold rule`;
  const eql = input.rules.findIndex((r) => r.compiled.query.language !== 'kuery');
  if (eql >= 0) return `the referenced rule '${ruleName(input, eql)}' is an EQL rule and a threshold rule takes KQL`;
  const first = input.rules[0]?.groupBy ?? [];
  const other = input.rules.find((r) => !same(r.groupBy, first));
  if (other)
    return `the referenced rules group by different Elastic fields (${first.join(', ')} / ${other.groupBy.join(', ')})`;
  if (c.type === 'value_count' && (c.fields.length !== 1 || input.rules.some((r) => r.field !== input.rules[0]?.field)))
    return 'a threshold rule counts distinct values of one field';
  // Kibana's threshold schema: at most 3 group-by fields (5 from 9.2, kibana#227465); a cardinality field that is
  // also grouped by is rejected on import ("Cardinality of a field that is being aggregated on is always 1").
  if (first.length > MAX_THRESHOLD_FIELDS)
    return `a threshold rule groups by at most ${MAX_THRESHOLD_FIELDS} fields (before Kibana 9.2), not ${first.length}`;
  if (c.type === 'value_count' && first.includes(input.rules[0]!.field!))
    return `a threshold rule cannot count distinct values of '${input.rules[0]!.field!}', a field it groups by`;
  return undefined;
}

function renderThreshold(input: Input, report: Reporter): QueryResult {
  const c = input.correlation;
  const value = atLeast(c.threshold)!;
  const queries = input.rules.map((r) => r.compiled.query.query);
  const query = queries.length === 1 ? queries[0]! : queries.map((q) => `(${q})`).join(' or ');
  report.warn(
    'EL501',
    `the threshold rule counts each run's look-back (the ${c.timespan} timespan plus the run interval), not a sliding ${c.timespan} window: events up to one interval further apart may count together`,
  );
  const threshold =
    c.type === 'value_count'
      ? { field: [...input.rules[0]!.groupBy], value: 1, cardinality: [{ field: input.rules[0]!.field!, value }] }
      : { field: [...input.rules[0]!.groupBy], value };
  if (c.type === 'value_count') approximateDistinct(report, input.rules[0]!.field!);
  return { query, language: 'kuery', extra: { type: 'threshold', threshold } };
}

function approximateDistinct(report: Reporter, field: string): void {
  report.warn(
    'EL506',
    `distinct values of '${field}' are counted by Elasticsearch's cardinality estimate (HyperLogLog++): exact up to about 3000 values, approximate above`,
  );
}

function renderSequence(input: Input, report: Reporter): QueryResult {
  const c = input.correlation;
  const shared = input.rules.every((r) => same(r.groupBy, input.rules[0]!.groupBy));
  const keys = (fields: readonly string[]): string => fields.map((f) => eqlField(f, false)).join(', ');
  const steps = input.rules.map((r, i) => {
    const mapped = prepared(r, about(report, ruleName(input, i)));
    const condition = new EqlGenerator(mapped.fieldTypes, 'a sequence step').generate(
      mapped.detection,
      mapped,
      about(report, ruleName(input, i)),
    );
    // An event without a group-by value joins no group (as the specification's `group-by` and rulec match read it).
    const present = r.groupBy.map((f) => `${eqlField(f, mapped.fieldTypes[f] === undefined)} != null`);
    const where = present.length === 0 ? condition : [`(${condition})`, ...present].join(' and ');
    const by = shared || r.groupBy.length === 0 ? '' : ` by ${keys(r.groupBy)}`;
    return `  [any where ${where}]${by}`;
  });
  const groupBy = input.rules[0]?.groupBy ?? [];
  const head = `sequence${shared && groupBy.length > 0 ? ` by ${keys(groupBy)}` : ''} with maxspan=${c.timespan}`;
  return { query: [head, ...steps].join('\n'), language: 'eql', extra: { type: 'eql' } };
}

function renderEsql(input: Input, report: Reporter): QueryResult {
  const c = input.correlation;
  const empty: QueryResult = { query: '', language: 'esql', extra: { type: 'esql' } };
  const valued = c.type === 'value_count' || c.type === 'value_sum' || c.type === 'value_avg';
  const field = valued ? sharedField(input, report) : undefined;
  if (valued && field === undefined) return empty;
  const conditions = input.rules.map((r, i) => {
    const mapped = prepared(r, about(report, ruleName(input, i)));
    return new EsqlGenerator().generate(mapped.detection, mapped, about(report, ruleName(input, i)));
  });
  const indices: string[] = [];
  for (const r of input.rules) {
    const index = r.compiled.mapped.destination['index'];
    for (const pattern of Array.isArray(index) ? index : []) {
      const text = esqlIndex(String(pattern));
      if (!indices.includes(text)) indices.push(text);
    }
  }
  if (indices.length === 0) {
    report.refuse('EL519', 'the referenced rules have no index pattern for ES|QL FROM');
    return empty;
  }
  const span = esqlDuration(c.timespan)!;
  const matches = conditions.length === 1 ? conditions[0]! : conditions.map((q) => `(${q})`).join(' OR ');
  // Aliases may give each referenced rule its own group-by fields: one column per group-by entry then takes the
  // field of the rule the event matches (the first, for an event several rules match).
  const shared = input.rules.every((r) => same(r.groupBy, input.rules[0]!.groupBy));
  const columns = shared ? input.rules[0]!.groupBy.map(esqlField) : c.groupBy.map(esqlField);
  const groupEval = shared
    ? undefined
    : `| EVAL ${columns
        .map(
          (col, k) =>
            `${col} = CASE(${input.rules.map((r, i) => `${conditions[i]}, ${esqlField(r.groupBy[k]!)}`).join(', ')})`,
        )
        .join(', ')}`;
  // An event without a group-by value joins no group (STATS … BY would make a null group of them).
  const present = columns.map((col) => `${col} IS NOT NULL`);
  const where = shared && present.length > 0 ? [`(${matches})`, ...present].join(' AND ') : matches;
  const by = [`rulec_window = BUCKET(@timestamp, ${span})`, ...columns].join(', ');
  const value = field === undefined ? '' : esqlField(field);
  const lines = [`FROM ${indices.join(', ')}`, `| WHERE ${where}`];
  if (groupEval !== undefined)
    lines.push(groupEval, ...(present.length > 0 ? [`| WHERE ${present.join(' AND ')}`] : []));
  if (c.type === 'temporal') {
    // One 0/1 column per referenced rule (an event may match several), then the number of rules seen per group.
    const tags = conditions.map((q, i) => `rulec_rule_${i} = CASE(${q}, 1, 0)`);
    lines.push(`| EVAL ${tags.join(', ')}`);
    lines.push(`| STATS ${conditions.map((_, i) => `rulec_rule_${i} = MAX(rulec_rule_${i})`).join(', ')} BY ${by}`);
    lines.push(`| EVAL temporal = ${conditions.map((_, i) => `rulec_rule_${i}`).join(' + ')}`);
  } else {
    const aggregate = {
      event_count: 'COUNT(*)',
      value_count: `COUNT_DISTINCT(${value})`,
      value_sum: `SUM(${value})`,
      value_avg: `AVG(${value})`,
    }[c.type as 'event_count' | 'value_count' | 'value_sum' | 'value_avg'];
    lines.push(`| STATS ${c.type} = ${aggregate} BY ${by}`);
  }
  // Without a condition, temporal needs every referenced rule.
  const threshold = c.threshold ?? (c.type === 'temporal' ? { gte: input.rules.length } : {});
  const tests = Object.entries(threshold).map(([k, v]) => `${c.type} ${ESQL_OPS[k as CompareKey]} ${esqlNumber(v)}`);
  if (tests.length > 0) lines.push(`| WHERE ${tests.join(' AND ')}`);
  report.warn(
    'EL502',
    `events are grouped in fixed ${c.timespan} buckets (ES|QL BUCKET), not a sliding ${c.timespan} window: a burst across a bucket boundary is split`,
  );
  report.warn(
    'EL505',
    'ES|QL reads a field holding several values (an array) as null in comparisons: such events do not match, where Sigma matches any element',
  );
  if (c.type === 'value_count') approximateDistinct(report, field!);
  return { query: lines.join('\n'), language: 'esql', extra: { type: 'esql' } };
}

export function renderElasticCorrelation(input: Input, report: Reporter): QueryResult {
  const c = input.correlation;
  // The specification: "an error must be raised … [if] it is only possible to generate a query up to an
  // intermediate correlation rule of a chain". Each Elastic rule type reads events of indices; none reads the rows
  // another aggregation produced (ES|QL has no union of a STATS result with events), so a chain stops here.
  if (input.step !== undefined) {
    report.refuse(
      'EL520',
      `the correlation '${c.name ?? c.title}' is referred to by another correlation (a chain): no Elastic rule type reads the groups another correlation finds; deploy it as its own rule and correlate its alerts`,
    );
    return { query: '', language: 'esql', extra: { type: 'esql' } };
  }
  switch (c.type) {
    case 'value_percentile':
      report.refuse(
        'EL511',
        'value_percentile is not emitted: the specification does not say which percentile its condition compares',
      );
      return { query: '', language: 'esql', extra: { type: 'esql' } };
    case 'temporal_ordered':
      return renderSequence(input, report);
    case 'event_count':
    case 'value_count': {
      const problem = thresholdProblem(input);
      if (problem === undefined) return renderThreshold(input, report);
      report.info('EL503', `emitted as an ES|QL rule, not a threshold rule: ${problem}`);
      return renderEsql(input, report);
    }
    default:
      return renderEsql(input, report);
  }
}
