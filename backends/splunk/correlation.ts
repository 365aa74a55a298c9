/**
 * Correlation rules as Splunk searches: the referenced rules' searches OR-ed, then `bin` + `stats … by` + `where`,
 * as Splunk content writes threshold searches. Per type:
 * - event_count `count`, value_count `dc(field)`, value_sum `sum(field)`, value_avg `avg(field)`;
 * - temporal: each event tagged per rule with `searchmatch` of that rule's search (an event may match several),
 *   `max` of each tag per group and bin, their sum is the number of rules seen;
 * - temporal_ordered: the same tags, then one `eventstats` per step: the first time of step k in the group's bin
 *   that is later than step k-1's (greedy, which finds an ordered chain whenever one exists);
 * - value_percentile: the share of each value of the field among the group's events of the bin, in percent
 *   (`stats count` by group and value, `eventstats sum` by group), see src/correlation/correlator.ts.
 */
import type { CorrelationInput, QueryResult, Reporter } from '../../src/backend/types.js';
import type { CompareKey, Threshold } from '../../src/correlation/model.js';
import { tokenize } from './spl-check.js';

const OPS: Record<CompareKey, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '=', neq: '!=' };
/** Field names `stats … by` and `where` take unquoted. */
const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/;

/** An eval string literal holding `text`: backslashes and double quotes escaped, nothing else can end it. */
function evalString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function whereClause(name: string, threshold: Threshold): string {
  return Object.entries(threshold)
    .map(([k, v]) => `${name} ${OPS[k as CompareKey]} ${v}`)
    .join(' AND ');
}

export function renderSplunkCorrelation(input: CorrelationInput, report: Reporter): QueryResult {
  const c = input.correlation;
  const refused = (code: string, message: string): QueryResult => {
    report.refuse(code, message);
    return { query: '', language: 'spl' };
  };
  const field = input.rules[0]?.field;
  if (c.type.startsWith('value_') && input.rules.some((r) => r.field === undefined))
    return refused('RC720', `correlation type ${c.type} without one condition field is not supported for splunk`);
  for (const r of input.rules) {
    if (r.field !== undefined && !PLAIN_FIELD.test(r.field))
      report.refuse('SP502', `condition field '${r.field}' is not a plain Splunk field name`);
    for (const g of r.groupBy)
      if (!PLAIN_FIELD.test(g)) report.refuse('SP502', `group-by field '${g}' is not a plain Splunk field name`);
  }
  // Aliases (or a pipeline mapping the rules' sources differently) give a group-by entry or the value field a
  // different field per rule: one `eval` takes, for each event, the field of the rule whose search it matches.
  const renamed = (values: readonly (string | undefined)[]): boolean => values.some((v) => v !== values[0]);
  const fieldDiffers = renamed(input.rules.map((r) => r.field));
  const differs = c.groupBy.map((_, g) => renamed(input.rules.map((r) => r.groupBy[g])));
  for (const [g, entry] of c.groupBy.entries())
    if (differs[g] && !PLAIN_FIELD.test(entry))
      report.refuse('SP502', `group-by alias '${entry}' is not a plain Splunk field name`);
  const groupBy = c.groupBy.map((entry, g) => (differs[g] ? entry : input.rules[0]!.groupBy[g]!));
  const valueField = fieldDiffers ? 'rulec_value' : field;
  const searches = input.rules.map((r) => r.compiled.query.query);
  const tagged = c.type === 'temporal' || c.type === 'temporal_ordered';
  const aliased = fieldDiffers || differs.some(Boolean);
  // A search with piped parts (`| regex`) can neither be OR-ed inside one `search` clause nor be a `searchmatch`.
  // A `|` inside a quoted value is no pipe: the checker's tokenizer tells them apart.
  const piped = (q: string): boolean => tokenize(q, []).some((t) => t.kind === 'pipe');
  if ((searches.length > 1 || tagged || aliased) && searches.some(piped))
    return refused('RC720', 'referenced rules with piped searches are not supported for this correlation on splunk');
  if (aliased)
    report.warn('SP504', "an event matching several referenced rules takes the first such rule's field for an alias");
  report.warn('SP501', `events are counted in fixed ${c.timespan} bins, not a sliding ${c.timespan} window`);
  const base = searches.length === 1 ? searches[0]! : searches.map((q) => `(${q})`).join(' OR ');
  const bin = `| bin _time span=${c.timespan}`;
  const by = ['_time', ...groupBy].join(' ');
  const lines = [base];
  // The tags are numbers computed from the rule searches rulec wrote, quoted as eval strings: no rule value can
  // end the literal (evalString), and the tag names are fixed.
  const tags = searches.map((q, i) => `rulec_rule_${i}=if(searchmatch(${evalString(q)}),1,0)`);
  if (aliased) {
    // PLAIN_FIELD names need no quoting in eval except for dots, so every field is single-quoted alike.
    const pick = (fieldOf: (r: CorrelationInput['rules'][number]) => string | undefined): string =>
      `case(${input.rules.map((r, i) => `searchmatch(${evalString(searches[i]!)}),'${fieldOf(r) ?? ''}'`).join(',')})`;
    const assignments = c.groupBy.flatMap((entry, g) => (differs[g] ? [`${entry}=${pick((r) => r.groupBy[g])}`] : []));
    if (fieldDiffers) assignments.push(`rulec_value=${pick((r) => r.field)}`);
    lines.push(`| eval ${assignments.join(', ')}`);
  }
  switch (c.type) {
    case 'event_count':
    case 'value_count':
    case 'value_sum':
    case 'value_avg': {
      const aggregate = {
        event_count: 'count',
        value_count: `dc(${valueField})`,
        value_sum: `sum(${valueField})`,
        value_avg: `avg(${valueField})`,
      }[c.type];
      lines.push(
        bin,
        `| stats ${aggregate} as ${c.type} by ${by}`,
        `| where ${whereClause(c.type, c.threshold ?? {})}`,
      );
      break;
    }
    case 'temporal': {
      const max = searches.map((_, i) => `max(rulec_rule_${i}) as rulec_rule_${i}`).join(' ');
      const sum = searches.map((_, i) => `rulec_rule_${i}`).join('+');
      // Without a condition, temporal needs every referenced rule.
      const threshold = c.threshold ?? { gte: searches.length };
      lines.push(
        `| eval ${tags.join(', ')}`,
        bin,
        `| stats ${max} by ${by}`,
        `| eval temporal=${sum}`,
        `| where ${whereClause('temporal', threshold)}`,
      );
      break;
    }
    case 'temporal_ordered': {
      report.warn('SP503', 'events of two steps at the same instant do not count as ordered');
      lines.push(`| eval ${tags.join(', ')}, rulec_time=_time`, bin);
      searches.forEach((_, i) => {
        const after = i === 0 ? '' : ` AND rulec_time>rulec_step_${i - 1}`;
        lines.push(
          `| eventstats min(eval(if(rulec_rule_${i}=1${after},rulec_time,null()))) as rulec_step_${i} by ${by}`,
        );
      });
      const last = `rulec_step_${searches.length - 1}`;
      lines.push(`| stats min(${last}) as rulec_end by ${by}`, '| where isnotnull(rulec_end)');
      break;
    }
    case 'value_percentile': {
      const groups = ['_time', ...groupBy].join(' ');
      lines.push(
        bin,
        `| stats count as rulec_count by ${groups} ${valueField}`,
        `| eventstats sum(rulec_count) as rulec_total by ${groups}`,
        '| eval value_percentile=100*rulec_count/rulec_total',
        `| where ${whereClause('value_percentile', c.threshold ?? {})}`,
      );
      break;
    }
  }
  return { query: lines.join('\n'), language: 'spl' };
}
