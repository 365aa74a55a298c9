/**
 * Correlation rules as one Kusto query: the referenced rules' queries (a `union` when there are several), then
 * `summarize count() by bin(TimeGenerated, …), <group-by>` and the threshold. event_count (`count()`) and
 * value_count (`count_distinct(field)`, exact, where `dcount` would estimate), temporal (distinct rules per bin)
 * for now.
 */
import type { CorrelationInput, QueryResult, Reporter } from '../../src/backend/types.js';
import type { CompareKey } from '../../src/correlation/model.js';

const OPS: Record<CompareKey, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '==', neq: '!=' };

/** A column name as a Kusto identifier: plain, or bracket-quoted; undefined when it cannot be written safely. */
function identifier(name: string): string | undefined {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return name;
  return /^[^'\\\n\r]+$/.test(name) ? `['${name}']` : undefined;
}

export function renderSentinelCorrelation(input: CorrelationInput, report: Reporter): QueryResult {
  const c = input.correlation;
  const field = input.rules[0]?.field;
  if (!(c.type === 'event_count' || c.type === 'temporal' || (c.type === 'value_count' && field !== undefined))) {
    report.refuse('RC720', `correlation type ${c.type} is not supported for target sentinel yet`);
    return { query: '', language: 'kql' };
  }
  if (input.rules.some((r) => r.field !== field)) {
    report.refuse(
      'RC720',
      'a value field that differs between the referenced rules is not supported for target sentinel yet',
    );
    return { query: '', language: 'kql' };
  }
  const column = field === undefined ? undefined : identifier(field);
  if (field !== undefined && column === undefined)
    report.refuse('SN021', `condition field '${field}' cannot be written as a Kusto column name`);
  const groupBy = input.rules[0]?.groupBy ?? [];
  if (input.rules.some((r) => r.groupBy.join('\0') !== groupBy.join('\0'))) {
    report.refuse(
      'RC720',
      'group-by fields that differ between the referenced rules are not supported for target sentinel yet',
    );
    return { query: '', language: 'kql' };
  }
  const columns: string[] = [];
  for (const field of groupBy) {
    const id = identifier(field);
    if (id === undefined) report.refuse('SN021', `group-by field '${field}' cannot be written as a Kusto column name`);
    else columns.push(id);
  }
  report.warn('SN020', `events are counted in fixed ${c.timespan} bins, not a sliding ${c.timespan} window`);
  // temporal counts the distinct rules seen: each branch tags its rows with the rule's position (a number, so no
  // value from a rule reaches the query).
  const queries = input.rules.map((r, i) =>
    c.type === 'temporal' ? `${r.compiled.query.query}\n| extend rulec_rule = ${i}` : r.compiled.query.query,
  );
  const base =
    queries.length === 1
      ? queries[0]!
      : `union\n${queries.map((q) => `    (${q.split('\n').join('\n    ')})`).join(',\n')}`;
  // Without a condition, temporal needs every referenced rule.
  const threshold = c.threshold ?? (c.type === 'temporal' ? { gte: input.rules.length } : {});
  const where = Object.entries(threshold)
    .map(([k, v]) => `${c.type} ${OPS[k as CompareKey]} ${v}`)
    .join(' and ');
  const by = [`bin(TimeGenerated, ${c.timespan})`, ...columns].join(', ');
  const aggregate =
    c.type === 'value_count'
      ? `count_distinct(${column})`
      : c.type === 'temporal'
        ? 'count_distinct(rulec_rule)'
        : 'count()';
  return { query: `${base}\n| summarize ${c.type} = ${aggregate} by ${by}\n| where ${where}`, language: 'kql' };
}
