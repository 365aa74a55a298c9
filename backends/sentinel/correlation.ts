/**
 * Correlation rules as one Kusto query: the referenced rules' queries (a `union` when there are several), then
 * `summarize … by bin(TimeGenerated, …), <group-by>` and the threshold: event_count `count()`, value_count
 * `count_distinct(field)`, value_sum/value_avg `sum`/`avg`, temporal the distinct rules per bin; temporal_ordered
 * sorts the rules seen per group and bin by time (`make_list` + `array_sort_asc`) and matches the order with a
 * pattern of rule positions; value_percentile is each value's share of the group's events per bin, in percent
 * (see src/correlation/correlator.ts), by two `summarize` and an `mv-expand`, no `join` of the union with itself.
 */
import type { CompiledRule, CorrelationInput, QueryResult, Reporter } from '../../src/backend/types.js';
import { firesEarly } from '../../src/correlation/correlator.js';
import { fieldsOf } from '../../src/ir/visit.js';
import type { ColumnEntity, EntityMapping } from './entities.js';
import { columnEntities, correlationEntities, entityMappingsFor } from './entities.js';
import { computedColumns } from './prelude.js';
import type { CompareKey, Threshold } from '../../src/correlation/model.js';

const OPS: Record<CompareKey, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' };

/** A column name as a Kusto identifier: plain, or bracket-quoted; undefined when it cannot be written safely. */
function identifier(name: string): string | undefined {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  return /^[^'\\\n\r]+$/.test(name) ? `['${name}']` : undefined;
}

export function renderSentinelCorrelation(input: CorrelationInput, report: Reporter): QueryResult {
  const c = input.correlation;
  const refused = (code: string, message: string): QueryResult => {
    report.refuse(code, message);
    return { query: '', language: 'kql' };
  };
  const field = input.rules[0]?.field;
  if (c.type.startsWith('value_') && input.rules.some((r) => r.field === undefined))
    return refused('RC720', `correlation type ${c.type} without one condition field is not supported for sentinel`);
  // Aliases (or a pipeline mapping the rules' tables differently) give a group-by entry or the value field a
  // different column per rule: each branch then copies its own column into one named after the entry.
  const renamed = (values: readonly (string | undefined)[]): boolean => values.some((v) => v !== values[0]);
  const fieldDiffers = renamed(input.rules.map((r) => r.field));
  const differs = c.groupBy.map((_, g) => renamed(input.rules.map((r) => r.groupBy[g])));
  const named = (name: string, what: string): string | undefined => {
    const id = identifier(name);
    if (id === undefined) report.refuse('SN021', `${what} '${name}' cannot be written as a Kusto column name`);
    return id;
  };
  const column = field === undefined ? undefined : fieldDiffers ? 'rulec_value' : named(field, 'condition field');
  const columns: string[] = [];
  c.groupBy.forEach((entry, g) => {
    const id = named(differs[g] ? entry : input.rules[0]!.groupBy[g]!, 'group-by field');
    if (id !== undefined) columns.push(id);
  });
  report.warn('SN020', `events are counted in fixed ${c.timespan} bins, not a sliding ${c.timespan} window`);
  // The temporal types count or order the rules seen: each branch tags its rows with the rule's position (a
  // number, so no value from a rule reaches the query).
  const tagged = c.type === 'temporal' || c.type === 'temporal_ordered';
  const numeric = c.type === 'value_sum' || c.type === 'value_avg';
  // A chain: a referenced correlation comes as a step query whose rows are that rule's events (CorrelationInput).
  // Its group-by columns and the rules' are made strings alike, so that `union` merges them into one column
  // (a column of two types would split in two, `User_string` and `User_long`).
  const chained = input.rules.some((r) => r.compiled.correlation !== undefined);
  const queries = input.rules.map((r, i) => {
    // A group-by or value field the table has no column for is computed as the rule's own filter computes the
    // fields it tests (prelude.ts: event data of SecurityEvent, a profile's `extend`), unless that filter did.
    const tested = new Set(fieldsOf(r.compiled.mapped.detection));
    const needed = [...new Set([...r.groupBy, ...(r.field !== undefined ? [r.field] : [])])];
    const computed =
      r.compiled.correlation !== undefined
        ? []
        : computedColumns(
            r.compiled.mapped,
            needed.filter((f) => !tested.has(f)),
          );
    // Kusto reads no column an `extend` declares in that same `extend`: the computed ones come in a line before.
    const query =
      computed.length === 0 ? r.compiled.query.query : `${r.compiled.query.query}\n| extend ${computed.join(', ')}`;
    const extend: string[] = [];
    c.groupBy.forEach((entry, g) => {
      const source = named(r.groupBy[g]!, 'group-by field');
      const target = identifier(differs[g] ? entry : r.groupBy[g]!);
      const convert = differs[g] || (chained && r.compiled.correlation === undefined);
      if (convert && source !== undefined && target !== undefined) extend.push(`${target} = tostring(${source})`);
    });
    if (fieldDiffers && r.field !== undefined) {
      const source = named(r.field, 'condition field');
      if (source !== undefined) extend.push(`rulec_value = ${numeric ? 'todouble' : 'tostring'}(${source})`);
    }
    if (tagged) extend.push(`rulec_rule = ${i}`);
    return extend.length === 0 ? query : `${query}\n| extend ${extend.join(', ')}`;
  });
  // A union even of one branch in a chain: the step's own `summarize` stays inside its parentheses.
  const base =
    queries.length === 1 && !chained
      ? queries[0]!
      : `union\n${queries.map((q) => `    (${q.split('\n').join('\n    ')})`).join(',\n')}`;
  const by = [`bin(TimeGenerated, ${c.timespan})`, ...columns].join(', ');
  const lines = [base];
  // As a chain step, each firing carries the time of the last event of its group and bin (SN023).
  const step = input.step;
  const fired = step ? ', rulec_fired = max(TimeGenerated)' : '';
  switch (c.type) {
    case 'event_count':
    case 'value_count':
    case 'value_sum':
    case 'value_avg':
    case 'temporal': {
      const aggregate = {
        event_count: 'count()',
        // Exact, where `dcount` would estimate.
        value_count: `count_distinct(${column})`,
        // A field of type string in the schema still sums as a number, as Splunk's `sum` and the JS correlator do.
        value_sum: `sum(todouble(${column}))`,
        value_avg: `avg(todouble(${column}))`,
        temporal: 'count_distinct(rulec_rule)',
      }[c.type];
      // Without a condition, temporal needs every referenced rule.
      const threshold = c.threshold ?? (c.type === 'temporal' ? { gte: input.rules.length } : {});
      lines.push(`| summarize ${c.type} = ${aggregate}${fired} by ${by}`, `| where ${whereClause(c.type, threshold)}`);
      break;
    }
    case 'temporal_ordered': {
      report.warn('SN022', 'events of two steps at the same instant are put in either order');
      // make_list keeps at most 1,048,576 items per group and bin (Kusto's cap), far above what a detection sees in
      // one window. The rules seen in a group's bin, in time order, as text ("0,2,1,…"); the pattern asks for 0, 1, …, n-1 as a
      // subsequence. Only rule positions (numbers) reach the pattern.
      const steps = input.rules.map((_, i) => String(i)).join(',([0-9]+,)*');
      lines.push(
        `| summarize rulec_times = make_list(TimeGenerated), rulec_rules = make_list(rulec_rule)${fired} by ${by}`,
        '| extend (rulec_times, rulec_order) = array_sort_asc(rulec_times, rulec_rules)',
        `| where strcat_array(rulec_order, ",") matches regex "(^|,)${steps}(,|$)"`,
      );
      break;
    }
    case 'value_percentile': {
      const groups = ['TimeGenerated', ...columns].join(', ');
      lines.push(
        `| summarize rulec_count = count()${fired} by ${by}, ${column}`,
        `| summarize rulec_values = make_list(${column}), rulec_counts = make_list(rulec_count)${step ? ', rulec_fireds = make_list(rulec_fired)' : ''}, rulec_total = sum(rulec_count) by ${groups}`,
        `| mv-expand ${column} = rulec_values, rulec_count = rulec_counts to typeof(long)${step ? ', rulec_fired = rulec_fireds to typeof(datetime)' : ''}`,
        '| extend value_percentile = 100.0 * rulec_count / rulec_total',
        `| where ${whereClause('value_percentile', c.threshold ?? {})}`,
      );
      break;
    }
  }
  if (step) {
    // The rows the referring correlation reads: the firing time and the columns it names, as strings (see above).
    const outputs = step.outputs.flatMap((o) => {
      const target = named(o.column, 'group-by field');
      const source = columns[o.entry];
      return target !== undefined && source !== undefined ? [`${target} = tostring(${source})`] : [];
    });
    lines.push(`| project ${['TimeGenerated = rulec_fired', ...new Set(outputs)].join(', ')}`);
    if (firesEarly(c))
      report.warn(
        'SN023',
        `the correlation '${c.name ?? c.title}' fires at most once per group and ${c.timespan} bin, at the time of the last event of its bin, where rulec match fires as soon as its condition is met, and again after`,
      );
  }
  const entityMappings = correlationEntities(
    step ? step.outputs.map((o) => o.column) : columns,
    input.rules.map((r) => ({
      map: sourceEntities(r.compiled),
      groupBy: step ? step.outputs.map((o) => r.groupBy[o.entry]!) : r.groupBy,
    })),
  );
  return {
    query: lines.join('\n'),
    language: 'kql',
    ...(entityMappings.length > 0 ? { extra: { entityMappings } } : {}),
  };
}

/**
 * Column → entity in the rows a referenced source gives: a rule's, from its table (entities.yml, the columns the
 * pipeline types); a chain step's, from the entity mappings its own query result carries.
 */
function sourceEntities(compiled: CompiledRule): ReadonlyMap<string, ColumnEntity> {
  const extra = compiled.query.extra;
  if (compiled.correlation !== undefined)
    return columnEntities(Array.isArray(extra?.['entityMappings']) ? (extra['entityMappings'] as EntityMapping[]) : []);
  const table = extra?.['table'];
  if (typeof table !== 'string') return new Map();
  const fieldTypes = table === compiled.mapped.destination['table'] ? compiled.mapped.fieldTypes : {};
  return columnEntities(entityMappingsFor(table, fieldTypes) ?? []);
}

function whereClause(name: string, threshold: Threshold): string {
  return Object.entries(threshold)
    .map(([k, v]) => `${name} ${OPS[k as CompareKey]} ${v}`)
    .join(' and ');
}
