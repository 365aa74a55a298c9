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
import type { CorrelationInput, CorrelationStep, QueryResult, Reporter } from '../../src/backend/types.js';
import { firesEarly } from '../../src/correlation/correlator.js';
import type { CompareKey, Correlation, Threshold } from '../../src/correlation/model.js';
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
  // A chain: a referenced correlation comes as a step query whose rows are that rule's events (CorrelationInput).
  const isStep = input.rules.map((r) => r.compiled.correlation !== undefined);
  const chained = isStep.some(Boolean);
  const searches = input.rules.map((r) => r.compiled.query.query);
  const leaves = searches.filter((_, i) => !isStep[i]);
  const tagged = c.type === 'temporal' || c.type === 'temporal_ordered';
  const aliased = fieldDiffers || differs.some(Boolean);
  // A search with piped parts (`| regex`) can neither be OR-ed inside one `search` clause nor be a `searchmatch`.
  // A `|` inside a quoted value is no pipe: the checker's tokenizer tells them apart.
  const piped = (q: string): boolean => tokenize(q, []).some((t) => t.kind === 'pipe');
  if ((leaves.length > 1 || tagged || aliased || (chained && leaves.length > 0)) && leaves.some(piped))
    return refused('RC720', 'referenced rules with piped searches are not supported for this correlation on splunk');
  if (aliased)
    report.warn('SP504', "an event matching several referenced rules takes the first such rule's field for an alias");
  report.warn('SP501', `events are counted in fixed ${c.timespan} bins, not a sliding ${c.timespan} window`);
  const bin = `| bin _time span=${c.timespan}`;
  const by = ['_time', ...groupBy].join(' ');
  // The tags are numbers computed from the rule searches rulec wrote, quoted as eval strings: no rule value can
  // end the literal (evalString), and the tag names are fixed. In a chain every row is tagged where it comes from
  // (a step's rows are no events a rule search could be matched against), and the tags stand for `searchmatch`.
  const matches = (i: number): string => (chained ? `rulec_rule_${i}=1` : `searchmatch(${evalString(searches[i]!)})`);
  const tags = searches.map((q, i) => `rulec_rule_${i}=if(searchmatch(${evalString(q)}),1,0)`);
  const lines = chained
    ? chainBase(input, searches, isStep, tagged || aliased)
    : [searches.length === 1 ? searches[0]! : searches.map((q) => `(${q})`).join(' OR ')];
  if (aliased) {
    // PLAIN_FIELD names need no quoting in eval except for dots, so every field is single-quoted alike.
    const pick = (fieldOf: (r: CorrelationInput['rules'][number]) => string | undefined): string =>
      `case(${input.rules.map((r, i) => `${matches(i)},'${fieldOf(r) ?? ''}'`).join(',')})`;
    const assignments = c.groupBy.flatMap((entry, g) => (differs[g] ? [`${entry}=${pick((r) => r.groupBy[g])}`] : []));
    if (fieldDiffers) assignments.push(`rulec_value=${pick((r) => r.field)}`);
    lines.push(`| eval ${assignments.join(', ')}`);
  }
  // As a chain step, each firing carries the time of the last event of its group and bin (SP505).
  const step = input.step;
  const fired = step ? ' max(rulec_time) as rulec_fired' : '';
  if (step && c.type !== 'temporal_ordered') lines.push('| eval rulec_time=_time');
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
        `| stats ${aggregate} as ${c.type}${fired} by ${by}`,
        `| where ${whereClause(c.type, c.threshold ?? {})}`,
      );
      break;
    }
    case 'temporal': {
      const max = searches.map((_, i) => `max(rulec_rule_${i}) as rulec_rule_${i}`).join(' ');
      const sum = searches.map((_, i) => `rulec_rule_${i}`).join('+');
      // Without a condition, temporal needs every referenced rule.
      const threshold = c.threshold ?? { gte: searches.length };
      if (!chained) lines.push(`| eval ${tags.join(', ')}`);
      lines.push(
        bin,
        `| stats ${max}${fired} by ${by}`,
        `| eval temporal=${sum}`,
        `| where ${whereClause('temporal', threshold)}`,
      );
      break;
    }
    case 'temporal_ordered': {
      report.warn('SP503', 'events of two steps at the same instant do not count as ordered');
      lines.push(chained ? '| eval rulec_time=_time' : `| eval ${tags.join(', ')}, rulec_time=_time`, bin);
      searches.forEach((_, i) => {
        const after = i === 0 ? '' : ` AND rulec_time>rulec_step_${i - 1}`;
        lines.push(
          `| eventstats min(eval(if(rulec_rule_${i}=1${after},rulec_time,null()))) as rulec_step_${i} by ${by}`,
        );
      });
      const last = `rulec_step_${searches.length - 1}`;
      // The sequence completes at its last step: rulec_end, the time a step of a chain fires at.
      lines.push(`| stats min(${last}) as rulec_end by ${by}`, '| where isnotnull(rulec_end)');
      break;
    }
    case 'value_percentile': {
      const groups = ['_time', ...groupBy].join(' ');
      lines.push(
        bin,
        `| stats count as rulec_count${fired} by ${groups} ${valueField}`,
        `| eventstats sum(rulec_count) as rulec_total by ${groups}`,
        '| eval value_percentile=100*rulec_count/rulec_total',
        `| where ${whereClause('value_percentile', c.threshold ?? {})}`,
      );
      break;
    }
  }
  if (step) lines.push(...stepOutput(c, step, groupBy, report));
  return { query: lines.join('\n'), language: 'spl' };
}

/**
 * The start of a chain's search: the referenced rules' searches OR-ed, then each referenced correlation's step
 * search `append`ed as a subsearch (its lines indented; a step's rows are that rule's events). With `tag`, every
 * row gets `rulec_rule_<i>` = 1 for the referenced rule it comes from (a rule's by `searchmatch`, as without a
 * chain) and 0 for the others. Without any rule search, the first step's search starts the search.
 */
function chainBase(input: CorrelationInput, searches: readonly string[], isStep: readonly boolean[], tag: boolean) {
  const leaves = searches.flatMap((q, i) => (isStep[i] ? [] : [q]));
  const zeros = (except: number): string =>
    searches.map((_, i) => `rulec_rule_${i}=${i === except ? 1 : 0}`).join(', ');
  const lines: string[] = [];
  if (leaves.length > 0) {
    lines.push(leaves.length === 1 ? leaves[0]! : leaves.map((q) => `(${q})`).join(' OR '));
    if (tag)
      lines.push(
        `| eval ${searches.map((q, i) => `rulec_rule_${i}=${isStep[i] ? '0' : `if(searchmatch(${evalString(q)}),1,0)`}`).join(', ')}`,
      );
  }
  input.rules.forEach((_, i) => {
    if (!isStep[i]) return;
    const step = searches[i]!.split('\n');
    if (tag) step.push(`| eval ${zeros(i)}`);
    if (lines.length === 0) lines.push(...step);
    else
      lines.push(
        `| append [search ${step[0]!}`,
        ...step
          .slice(1)
          .map((l) => `    ${l}`)
          .join('\n')
          .concat(']')
          .split('\n'),
      );
  });
  return lines;
}

/**
 * The last stages of a step: the firing time as the row's `_time`, then only the columns the referring correlation
 * reads (`step.outputs`), renamed to what it calls them. Copies go through `rulec_out_<k>` so that two columns may
 * swap names and one column may feed two outputs.
 */
function stepOutput(c: Correlation, step: CorrelationStep, groupBy: readonly string[], report: Reporter): string[] {
  const lines = [`| eval _time=${c.type === 'temporal_ordered' ? 'rulec_end' : 'rulec_fired'}`];
  const moves = step.outputs.filter((o) => groupBy[o.entry] !== o.column);
  for (const o of step.outputs)
    if (!PLAIN_FIELD.test(o.column))
      report.refuse('SP502', `group-by field '${o.column}' is not a plain Splunk field name`);
  if (moves.length > 0) {
    lines.push(`| eval ${moves.map((o, k) => `rulec_out_${k}='${groupBy[o.entry]!}'`).join(', ')}`);
    lines.push(`| rename ${moves.map((o, k) => `rulec_out_${k} AS ${o.column}`).join(', ')}`);
  }
  if (firesEarly(c))
    report.warn(
      'SP505',
      `the correlation '${c.name ?? c.title}' fires at most once per group and ${c.timespan} bin, ${c.type === 'temporal_ordered' ? 'when the first ordered sequence of its bin completes' : 'at the time of the last event of its bin'}, where rulec match fires as soon as its condition is met, and again after`,
    );
  lines.push(`| fields ${['_time', ...new Set(step.outputs.map((o) => o.column))].join(' ')}`);
  return lines;
}
