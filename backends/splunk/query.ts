/**
 * Assembles the SPL: base `search` (destination, then the rule's conjuncts) and typed deferred parts.
 *
 * The top-level AND is split into conjuncts. A conjunct the base search can say stays there. Any other conjunct is
 * deferred whole: a positive regex on a plain field becomes `| regex field="…"` (the form ESCU and pySigma use), the
 * rest one `| where …` (doc §3 rule 4: a regex OR-ed with other terms moves with its whole OR, so an OR never turns
 * into an AND across the pipe). A deferred conjunct leaves a sound prefilter in the base search when one exists.
 */
import type { MappedRule, Reporter } from '../../src/backend/types.js';
import * as b from '../../src/ir/build.js';
import type { IrNode, RegexMatchNode } from '../../src/ir/nodes.js';
import { ANY_CHARS, literalPart, pattern } from '../../src/ir/pattern.js';
import { walk } from '../../src/ir/visit.js';
import { SPLUNK_CODES as C } from './codes.js';
import { SearchDialect } from './dialect.js';
import { isBareSearchField, quoteBody, sanitizeRegexSource } from './escape.js';
import { gaps, searchable, widen } from './lowering.js';
import { regexFlagsPrefix, WhereDialect } from './where-dialect.js';

/** A part of the query after the base search, one pipeline command each. */
export type DeferredPart =
  | { readonly kind: 'regex'; readonly node: RegexMatchNode }
  | { readonly kind: 'where'; readonly nodes: readonly IrNode[] };

export interface SplPlan {
  /** The base search as IR: destination condition, searchable conjuncts and prefilters, in rule order. */
  readonly base: IrNode;
  readonly deferred: readonly DeferredPart[];
}

/** Destination keys that select events, in the order they are written. */
const DESTINATION_KEYS = ['index', 'source', 'sourcetype'] as const;

/**
 * The destination as IR tests. `*` is a wildcard in these values (index and sourcetype names cannot contain a
 * literal `*`); a list means any of them.
 */
export function destinationCondition(destination: Readonly<Record<string, unknown>>): IrNode {
  const tests: IrNode[] = [];
  for (const key of DESTINATION_KEYS) {
    const value = destination[key];
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every((v): v is string => typeof v === 'string' && v !== ''))
      throw new Error(`splunk pipeline: destination ${key} must be a non-empty string or list of strings`);
    tests.push(
      b.or(
        values.map((v) =>
          b.stringMatch(
            key,
            pattern(
              v.split('*').flatMap((piece, i) => (i === 0 ? [literalPart(piece)] : [ANY_CHARS, literalPart(piece)])),
            ),
          ),
        ),
      ),
    );
  }
  return b.and(tests);
}

function conjuncts(node: IrNode): readonly IrNode[] {
  return node.kind === 'and' ? node.children : [node];
}

/** A regex that `| regex field="…"` can carry: a plain field name and a pattern safe to quote. */
function regexCommandFits(node: IrNode): node is RegexMatchNode {
  return node.kind === 'regexMatch' && isBareSearchField(node.field) && sanitizeRegexSource(node.source) !== undefined;
}

export function planSpl(mapped: MappedRule, report: Reporter): SplPlan {
  const base: IrNode[] = [];
  const regexes: DeferredPart[] = [];
  const where: IrNode[] = [];
  for (const node of conjuncts(b.and([destinationCondition(mapped.destination), mapped.detection]))) {
    if (searchable(node)) {
      base.push(node);
      continue;
    }
    const found = gaps(node);
    for (const gap of found)
      report.info(C.SP101.code, `${gap.reason} is tested in a trailing SPL command, after the base search`, gap.node);
    if (regexCommandFits(node)) {
      regexes.push({ kind: 'regex', node });
      continue;
    }
    if (node.kind === 'or' || node.kind === 'not' || node.kind === 'and')
      report.info(
        C.SP102.code,
        `a ${node.kind.toUpperCase()} group holding ${found[0]!.reason} moves whole into | where`,
        node,
      );
    const prefilter = widen(node);
    if (prefilter !== undefined) base.push(prefilter);
    where.push(node);
  }
  const deferred = where.length > 0 ? [...regexes, { kind: 'where' as const, nodes: where }] : regexes;
  return { base: b.and(base), deferred };
}

/** Warnings that concern the rule's meaning rather than one rendering: keywords and time zones. */
function reportLosses(detection: IrNode, report: Reporter): void {
  for (const node of walk(detection)) {
    if (node.kind === 'keyword')
      report.warn(
        C.SP201.code,
        'a keyword is searched in the raw event text as a term: found at segment breakers, not inside an unbroken word',
        node,
      );
    if (node.kind === 'timePart' && node.field === '_time')
      report.warn(C.SP202.code, `the ${node.part} of _time is computed in the search's time zone`, node);
  }
}

/** A Splunk macro name as written in macros.conf: letters, digits, `_`, `-`, `.`, `:`. */
const MACRO_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/;

const search = new SearchDialect();
const whereDialect = new WhereDialect();

/** The query: base search on the first line, each deferred command on its own line (ESCU layout). */
export function renderSpl(mapped: MappedRule, report: Reporter): string {
  reportLosses(mapped.detection, report);
  const plan = planSpl(mapped, report);
  const lines = [search.generate(plan.base, mapped, report)];
  const macro = mapped.destination['macro'];
  if (macro !== undefined) {
    // A site's base-search macro (ESCU's `sysmon` style) goes first; its name is written inside backticks, so only
    // a plain macro name can be.
    if (typeof macro !== 'string' || !MACRO_NAME.test(macro)) {
      report.refuse(C.SP407.code, `destination macro ${JSON.stringify(macro)} is not a plain Splunk macro name`);
      return '';
    }
    lines[0] = `\`${macro}\` ${lines[0]}`;
  }
  for (const part of plan.deferred) {
    if (part.kind === 'regex') {
      // `| regex` is case-sensitive PCRE, unanchored, like Sigma's `re` (doc §1 "Regex"); the quoted pattern goes
      // through the string-escape layer first (`\` doubled, `"` escaped).
      const re = regexFlagsPrefix(part.node.flags) + sanitizeRegexSource(part.node.source)!;
      lines.push(`| regex ${part.node.field}="${quoteBody(re)}"`);
    } else {
      lines.push(`| where ${whereDialect.generate(b.and(part.nodes), mapped, report)}`);
    }
  }
  return lines.join('\n');
}
