/**
 * Correlation rules as Splunk searches: the referenced rules' searches OR-ed, then `bin` + `stats … by` + `where`,
 * as Splunk content writes threshold searches. event_count (`count`) and value_count (`dc(field)`) for now.
 */
import type { CorrelationInput, QueryResult, Reporter } from '../../src/backend/types.js';
import type { CompareKey } from '../../src/correlation/model.js';

const OPS: Record<CompareKey, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '!=' };
/** Field names `stats … by` and `where` take unquoted. */
const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/;

export function renderSplunkCorrelation(input: CorrelationInput, report: Reporter): QueryResult {
  const c = input.correlation;
  const field = input.rules[0]?.field;
  if (!(c.type === 'event_count' || (c.type === 'value_count' && field !== undefined))) {
    report.refuse('RC720', `correlation type ${c.type} is not supported for target splunk yet`);
    return { query: '', language: 'spl' };
  }
  if (input.rules.some((r) => r.field !== field)) {
    report.refuse(
      'RC720',
      'a value field that differs between the referenced rules is not supported for target splunk yet',
    );
    return { query: '', language: 'spl' };
  }
  if (field !== undefined && !PLAIN_FIELD.test(field))
    report.refuse('SP502', `condition field '${field}' is not a plain Splunk field name`);
  const groupBy = input.rules[0]?.groupBy ?? [];
  if (input.rules.some((r) => r.groupBy.join('\0') !== groupBy.join('\0'))) {
    report.refuse(
      'RC720',
      'group-by fields that differ between the referenced rules are not supported for target splunk yet',
    );
    return { query: '', language: 'spl' };
  }
  for (const field of groupBy) {
    if (!PLAIN_FIELD.test(field)) report.refuse('SP502', `group-by field '${field}' is not a plain Splunk field name`);
  }
  const searches = input.rules.map((r) => r.compiled.query.query);
  // A search with piped parts (`| regex`) cannot be OR-ed inside one `search` clause.
  if (searches.length > 1 && searches.some((q) => q.includes('|'))) {
    report.refuse('RC720', 'several referenced rules with piped searches are not supported for target splunk yet');
    return { query: '', language: 'spl' };
  }
  report.warn('SP501', `events are counted in fixed ${c.timespan} bins, not a sliding ${c.timespan} window`);
  const base = searches.length === 1 ? searches[0]! : searches.map((q) => `(${q})`).join(' OR ');
  const where = Object.entries(c.threshold ?? {})
    .map(([k, v]) => `${c.type} ${OPS[k as CompareKey]} ${v}`)
    .join(' AND ');
  const by = ['_time', ...groupBy].join(' ');
  const aggregate = c.type === 'value_count' ? `dc(${field})` : 'count';
  const query = [
    base,
    `| bin _time span=${c.timespan}`,
    `| stats ${aggregate} as ${c.type} by ${by}`,
    `| where ${where}`,
  ];
  return { query: query.join('\n'), language: 'spl' };
}
