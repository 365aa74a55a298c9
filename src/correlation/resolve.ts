/**
 * Links the `rules:` references of correlation rules and filters to the documents they name, across every file of
 * a run, and checks what only the whole run can tell: missing or ambiguous names, cycles, aliases, `group-by` on
 * correlations of correlations, and which rules a filter applies to.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/correlation-codes.js';
import type { Rule } from '../model/rule.js';
import type { Correlation, Filter, Reference } from './model.js';

export type Referenced = Rule | Correlation;

export interface ResolvedCorrelation {
  readonly correlation: Correlation;
  /** One entry per `rules:` item, in order; all present when the correlation has no error. */
  readonly targets: readonly Referenced[];
  /** Group-by field names per target: the correlation's `group-by` with its aliases resolved for that rule. */
  readonly groupFields: readonly (readonly string[])[];
  /** Per target: the referenced correlation's own resolution (a chain's inner step), undefined for a rule. */
  readonly inner: readonly (ResolvedCorrelation | undefined)[];
}

export interface Resolution {
  /** Correlations whose references all resolved, correlations they refer to first. */
  readonly correlations: readonly ResolvedCorrelation[];
  /** The filters that apply to each rule (by logsource), in the order they were read. */
  readonly filtersOf: ReadonlyMap<Rule, readonly Filter[]>;
  readonly diagnostics: Diagnostic[];
}

type Named = Rule | Correlation | Filter;

const isCorrelation = (d: Named): d is Correlation => 'kind' in d && d.kind === 'correlation';
const isFilter = (d: Named): d is Filter => 'kind' in d && d.kind === 'filter';

function describe(d: Named): string {
  const kind = isCorrelation(d) ? 'correlation rule' : isFilter(d) ? 'filter' : 'rule';
  return `${kind} '${d.title}' (${d.file}${d.documentIndex > 0 ? `, document ${d.documentIndex + 1}` : ''})`;
}

export function resolveReferences(
  rules: readonly Rule[],
  correlations: readonly Correlation[],
  filters: readonly Filter[],
): Resolution {
  const diagnostics: Diagnostic[] = [];
  const index = new Map<string, Named[]>();
  const add = (key: string | undefined, d: Named): void => {
    if (key === undefined) return;
    const list = index.get(key) ?? [];
    if (!list.includes(d)) list.push(d);
    index.set(key, list);
  };
  for (const d of [...rules, ...correlations, ...filters]) {
    add(d.id, d);
    add(d.name, d);
  }

  const at = (owner: Correlation | Filter, ref: Reference, code: string, message: string, notes?: string[]): void => {
    diagnostics.push({
      code,
      severity: code === 'RC708' || code === 'RC743' ? 'warning' : 'error',
      message,
      file: owner.file,
      ...(ref.span ? { span: ref.span } : owner.span ? { span: owner.span } : {}),
      ...(notes ? { notes } : {}),
    });
  };
  const lookup = (owner: Correlation | Filter, ref: Reference): Named | undefined => {
    const found = index.get(ref.text) ?? [];
    if (found.length === 0 && isFilter(owner)) {
      // A filter tunes whichever of its rules are there: a team's tuning folder names rules of the whole shared
      // set, and compiling a part of that set must not fail for the rest. (A correlation cannot run without its
      // rules: an error.)
      at(
        owner,
        ref,
        'RC743',
        `'${ref.text}' is the name or id of no rule in the files read; the filter does not tune it here`,
      );
      return undefined;
    }
    if (found.length === 0) {
      at(owner, ref, 'RC701', `'${ref.text}' is the name or id of no rule in the files read`, [
        'give every file of the correlation to the command (a folder reads them all)',
      ]);
      return undefined;
    }
    if (found.length > 1) {
      at(
        owner,
        ref,
        'RC702',
        `'${ref.text}' names ${found.length} documents`,
        found.map((d) => `candidate: ${describe(d)}`),
      );
      return undefined;
    }
    return found[0];
  };

  // References of correlations.
  const linked = new Map<Correlation, (Referenced | undefined)[]>();
  for (const c of correlations) {
    const targets = c.rules.map((ref) => {
      const t = lookup(c, ref);
      if (t && isFilter(t)) {
        at(c, ref, 'RC709', `'${ref.text}' is a filter; a correlation refers to detection or correlation rules`);
        return undefined;
      }
      return t as Referenced | undefined;
    });
    linked.set(c, targets);
  }

  // Cycles: depth-first over correlation → correlation edges; the reference that closes a cycle is reported.
  const state = new Map<Correlation, 'open' | 'done'>();
  const order: Correlation[] = [];
  const cyclic = new Set<Correlation>();
  const visit = (c: Correlation, path: Correlation[]): void => {
    state.set(c, 'open');
    (linked.get(c) ?? []).forEach((t, i) => {
      if (!t || !isCorrelation(t)) return;
      if (state.get(t) === 'open') {
        const cycle = [...path.slice(path.indexOf(t)), c, t].map((x) => `'${x.name ?? x.id ?? x.title}'`);
        at(c, c.rules[i]!, 'RC703', `correlation rules refer to each other in a cycle: ${cycle.join(' → ')}`);
        for (const x of path.slice(path.indexOf(t))) cyclic.add(x);
        cyclic.add(c);
      } else if (!state.has(t)) visit(t, [...path, c]);
    });
    state.set(c, 'done');
    order.push(c);
  };
  for (const c of correlations) if (!state.has(c)) visit(c, []);

  const resolved: ResolvedCorrelation[] = [];
  for (const c of order) {
    const targets = linked.get(c) ?? [];
    let ok = !cyclic.has(c) && targets.every((t) => t !== undefined);
    if (ok) ok = checkAliases(c, targets as Referenced[], diagnostics);
    if (!ok) continue;
    const groupFields = (targets as Referenced[]).map((t, i) =>
      c.groupBy.map((g) => aliasFor(c, g, c.rules[i]!, t) ?? g),
    );
    // A correlation's alerts carry only its own group-by values: an outer correlation can group by nothing else.
    (targets as Referenced[]).forEach((t, i) => {
      if (!isCorrelation(t)) return;
      groupFields[i]!.forEach((field, g) => {
        if (t.groupBy.includes(field)) return;
        ok = false;
        diagnostics.push({
          code: 'RC706',
          severity: 'error',
          message: `'${field}' is not a group-by field of the correlation '${c.rules[i]!.text}', so its alerts have no value for it`,
          file: c.file,
          ...(c.groupBySpans[g] ? { span: c.groupBySpans[g] } : {}),
          notes: [`'${c.rules[i]!.text}' groups by: ${t.groupBy.join(', ') || '(nothing)'}`],
        });
      });
    });
    if (!ok) continue;
    // `order` puts inner correlations first: their resolution exists by now, or they failed (see `runnable`).
    const inner = (targets as Referenced[]).map((t) =>
      isCorrelation(t) ? resolved.find((r) => r.correlation === t) : undefined,
    );
    resolved.push({ correlation: c, targets: targets as Referenced[], groupFields, inner });
  }
  // A correlation whose inner correlation failed cannot run either.
  // Inner first (`order`), so a failure anywhere down a chain stops every correlation above it.
  const good = new Set<Correlation>();
  const runnable: ResolvedCorrelation[] = [];
  for (const r of resolved) {
    if (
      !r.inner.every((inner, i) => (inner !== undefined ? good.has(inner.correlation) : !isCorrelation(r.targets[i]!)))
    )
      continue;
    good.add(r.correlation);
    runnable.push(r);
  }

  // Filters: references, then logsource.
  const filtersOf = new Map<Rule, Filter[]>();
  for (const f of filters) {
    f.rules.forEach((ref) => {
      const t = lookup(f, ref);
      if (!t) return;
      if (isCorrelation(t) || isFilter(t)) {
        at(
          f,
          ref,
          'RC707',
          `'${ref.text}' is a ${isFilter(t) ? 'filter' : 'correlation rule'}; a filter tunes detection rules`,
        );
        return;
      }
      const mismatch = Object.entries(f.logsource).find(([k, v]) => t.logsource[k] !== v);
      if (mismatch) {
        at(
          f,
          ref,
          'RC708',
          `the filter's logsource ${mismatch[0]} '${mismatch[1]}' does not match the rule's (${t.logsource[mismatch[0]] ?? 'none'}); not applied to it`,
        );
        return;
      }
      filtersOf.set(t, [...(filtersOf.get(t) ?? []), f]);
    });
  }
  return { correlations: runnable, filtersOf, diagnostics };
}

/** The field an alias stands for in the events of the rule referred to as `ref`, if `g` is an alias. */
function aliasFor(c: Correlation, g: string, ref: Reference, t: Referenced): string | undefined {
  const alias = c.aliases[g];
  if (!alias) return undefined;
  for (const key of [ref.text, t.name, t.id]) if (key !== undefined && alias[key] !== undefined) return alias[key];
  return undefined;
}

function checkAliases(c: Correlation, targets: readonly Referenced[], diagnostics: Diagnostic[]): boolean {
  let ok = true;
  for (const [alias, map] of Object.entries(c.aliases)) {
    const span = c.aliasSpans[alias];
    const missing = c.rules.filter((ref, i) => aliasFor(c, alias, ref, targets[i]!) === undefined);
    if (missing.length > 0) {
      ok = false;
      diagnostics.push({
        code: 'RC704',
        severity: 'error',
        message: `alias '${alias}' names no field for ${missing.map((r) => `'${r.text}'`).join(', ')}`,
        file: c.file,
        ...(span ? { span } : {}),
        notes: ['an alias maps every referenced rule (by name) to the field holding the value in its events'],
      });
    }
    for (const key of Object.keys(map)) {
      const known = c.rules.some((ref, i) => [ref.text, targets[i]!.name, targets[i]!.id].includes(key));
      if (!known) {
        ok = false;
        diagnostics.push({
          code: 'RC705',
          severity: 'error',
          message: `alias '${alias}' names '${key}', which the correlation does not refer to`,
          file: c.file,
          ...(span ? { span } : {}),
          notes: [`the correlation refers to: ${c.rules.map((r) => r.text).join(', ')}`],
        });
      }
    }
  }
  return ok;
}
