/**
 * Differential fidelity of real rules: every golden case and the seed rule are compiled for each target through
 * its real pipeline (field renames, value maps, logsource conditions, computed columns), and each query is read
 * back by the evaluator of its language and run on events built from the rule (rule-events.ts) — for the seed
 * also on its own test event files — against the JS predicate on the original event.
 *
 * An event is written in the rule's field names; for a target it is translated by the same mapping data read in
 * reverse (`selectLogsource` → `fields`, `values`, `condition`, and the target's `destination` data: Splunk's
 * source/sourcetype, Elastic's `splitFields` and `caseExact`, Sentinel's `extend` columns and column types). A pair
 * the mapping cannot translate faithfully is skipped and counted by reason, never guessed. Sentinel's computed
 * columns are given to the evaluator directly (the `| extend` line is taken off the query), only with values the
 * extend expression can produce; the extend expressions themselves are not evaluated here.
 *
 * A disagreement is excused only by a loss warning of that target that fits the event (loss-codes.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule, type LoadedTarget, type TargetResult } from '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { readRuleFile } from '../../src/frontend.js';
import type { IrNode } from '../../src/ir/nodes.js';
import { exactText } from '../../src/ir/pattern.js';
import type { Rule } from '../../src/model/rule.js';
import { selectLogsource } from '../../src/pipeline/apply.js';
import type { LogsourceMapping } from '../../src/pipeline/types.js';
import type * as kusto from './evaluators/kusto.js';
import { excusingCodes } from './loss-codes.js';
import { eventsFor, leaves, type RuleEvent } from './rule-events.js';
import { importPredicate } from './js-module.js';
import { type Evaluator, readQuery } from './readers.js';

const EVENTS_PER_RULE = Number(process.env['GOLDEN_FIDELITY_EVENTS'] ?? 120);
const SEED = 20260918;
/** The rule-side field that holds keyword (field-less) values; each target puts them in its message field. */
const KEYWORD_FIELD = '\u0000keyword';
const KEYWORD_TARGET: Readonly<Record<string, string>> = {
  elastic: 'message',
  sentinel: 'SyslogMessage',
  splunk: '_raw',
};

const repo = new URL('../../', import.meta.url).pathname;
const goldenRoot = join(repo, 'test/golden');
const SEED_RULE = 'rules/m365/o365_mailbox_audit_logging_bypass.yml';

interface Case {
  readonly name: string;
  readonly rule: Rule;
  /** The rule's own test events (seed): file, expected match. */
  readonly files: readonly { file: string; match: boolean }[];
}

function loadCase(name: string, file: string): Case[] {
  const { rules } = readRuleFile(file.slice(repo.length), readFileSync(file));
  return rules.map((rule) => {
    const tests = (rule.document as { tests?: { file: string; match: boolean }[] }).tests ?? [];
    return { name, rule, files: tests.map((t) => ({ file: join(dirname(file), t.file), match: t.match })) };
  });
}

const cases: Case[] = [
  ...readdirSync(goldenRoot, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .flatMap((name) => loadCase(`golden/${name}`, join(goldenRoot, name, 'rule.yml'))),
  ...loadCase('seed', join(repo, SEED_RULE)),
];

const targets = loadTargets(BACKENDS);
const jsTarget = targets.find((t) => t.backend.id === 'js')!;
const queryTargets = targets.filter((t) => t.backend.id !== 'js');

// ---- the JS reference ----------------------------------------------------------------------------------------

async function jsPredicate(result: TargetResult): Promise<(event: unknown) => boolean> {
  return importPredicate(result.compiled!.query.query);
}

// ---- translating an event into a target's field names ---------------------------------------------------------

type Translation = { readonly event: RuleEvent } | { readonly skip: string };

interface TargetView {
  readonly target: LoadedTarget;
  readonly mapping: LogsourceMapping | undefined;
  /** Rule field → exact texts the rule compares it with (for caseExact). */
  readonly literals: ReadonlyMap<string, readonly string[]>;
  /** Fields the rule tests (strict translation); other fields of an event file are translated leniently. */
  readonly tested: ReadonlySet<string>;
}

const NUMERIC = new Set(['long', 'integer', 'short', 'byte', 'double', 'float', 'int', 'real', 'decimal']);

function literalsOf(tree: IrNode): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const leaf of leaves(tree)) {
    if (leaf.kind !== 'stringMatch') continue;
    const text = exactText(leaf.pattern);
    if (text !== undefined) out.set(leaf.field, [...(out.get(leaf.field) ?? []), text]);
  }
  return out;
}

/** The first alternative of a mapping condition, as target field → value. */
function conditionFields(spec: unknown): Record<string, unknown> {
  if (spec === undefined || spec === null) return {};
  if (Array.isArray(spec)) return conditionFields(spec[0]);
  return Object.fromEntries(
    Object.entries(spec as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]),
  );
}

/** Whether `value` is one a Sentinel computed column can hold (the image of its `extend` expression). */
function extendImage(column: string, expr: string, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return true; // every extend yields "" for empty input
  if (typeof value !== 'string') return false; // extend columns are strings
  if (/^iff\(isempty\(\w*AccountName\), "", strcat\(\w*AccountDomain, @"\\", \w*AccountName\)\)$/.test(expr))
    return /^[^\\]*\\[^\\]+$/.test(value); // DOMAIN\name with a non-empty name
  if (column === 'TargetObject') return !/^HKEY_(LOCAL_MACHINE|(CURRENT_)?USERS?|CLASSES_ROOT)/i.test(value);
  if (column === 'Details') return true; // RegistryValueData is any text (a Dword becomes "DWORD (0x…)")
  return false; // an extend this test does not know: not translated
}

function translate(view: TargetView, event: RuleEvent): Translation {
  const { target, mapping } = view;
  const id = target.backend.id;
  const pipeline = target.pipeline;
  const destination = mapping?.destination ?? pipeline.fallback;
  const fieldTypes = mapping?.fieldTypes ?? {};
  const split = (destination['splitFields'] ?? {}) as Record<string, Record<string, unknown>>;
  const extend = (destination['extend'] ?? {}) as Record<string, string>;
  const caseExact = new Set((destination['caseExact'] ?? []) as string[]);
  const out: RuleEvent = {};
  for (const [field, raw] of Object.entries(event)) {
    const strict = view.tested.has(field);
    if (field === KEYWORD_FIELD) {
      out[KEYWORD_TARGET[id]!] = raw;
      continue;
    }
    // values: the mapping's value table, read from rule value to target value (keys match case-insensitively).
    let value = raw;
    const table = mapping?.values?.[field];
    if (table && typeof raw === 'string') {
      const key =
        Object.keys(table).find((k) => k === raw) ??
        Object.keys(table).find((k) => k.toLowerCase() === raw.toLowerCase());
      if (key !== undefined) value = table[key];
      else if (Object.values(table).some((v) => String(v).toLowerCase() === raw.toLowerCase()))
        return { skip: 'value collides with a mapped target value' };
    }
    // fields
    let names: readonly string[];
    if (mapping && Object.hasOwn(mapping.fields ?? {}, field)) names = [mapping.fields![field]!].flat();
    else if (mapping && Object.hasOwn(pipeline.fields, field)) names = [pipeline.fields[field]!].flat();
    else if (mapping?.unmapped === 'refuse') {
      if (strict) return { skip: 'tested field without counterpart' };
      continue; // an untested field the target's data does not carry under this name
    } else names = [field];
    for (const name of names) {
      const s = split[name];
      if (s) {
        if (s['kind'] !== 'qualifiedName') return { skip: `split field ${name} (${String(s['kind'])})` };
        if (value === undefined || value === null) {
          out[String(s['name'])] = value;
          continue;
        }
        const parts = typeof value === 'string' ? value.split(String(s['separator'])) : [];
        if (parts.length !== 2) {
          if (strict) return { skip: 'split field value without exactly one separator' };
          continue;
        }
        out[String(s['qualifier'])] = parts[0];
        out[String(s['name'])] = parts[1];
        continue;
      }
      if (Object.hasOwn(extend, name) && !extendImage(name, extend[name]!, value)) {
        if (strict) return { skip: 'computed column value outside its extend image' };
        continue;
      }
      const type = fieldTypes[name];
      if (type !== undefined && value !== null && typeof value !== 'object') {
        if (NUMERIC.has(type)) {
          const n = typeof value === 'number' ? value : /^-?\d+(\.\d+)?$/.test(String(value)) ? Number(value) : NaN;
          if (Number.isNaN(n)) {
            if (strict) return { skip: 'value not representable in a numeric field' };
            continue;
          }
          value = n;
        } else if (type === 'ip' && !isIp(String(value))) {
          if (strict) return { skip: 'value not representable in an ip field' };
          continue;
        }
      }
      if (caseExact.has(name) && typeof value === 'string') {
        // The pipeline declares the field's values exact in case (as the source writes them): a case variant of
        // a value the rule names does not occur in that data.
        const text = value;
        const lits = view.literals.get(field) ?? [];
        if (lits.some((l) => l !== text && l.toLowerCase() === text.toLowerCase()))
          return { skip: 'case variant of a caseExact field value' };
      }
      out[name] = value;
    }
  }
  // where the target finds the logsource's events: the mapping's condition and Splunk's source/sourcetype/index
  Object.assign(out, conditionFields(mapping?.condition));
  if (id === 'splunk')
    for (const key of ['index', 'source', 'sourcetype'])
      if (typeof destination[key] === 'string') out[key] = destination[key];
  return { event: out };
}

function isIp(text: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(text) || (/^[0-9a-f:]+$/i.test(text) && text.includes(':'));
}

// ---- reading queries ----------------------------------------------------------------------------------------

function reader(view: TargetView, result: TargetResult): Evaluator {
  // Computed columns are given to the evaluator as columns: the `| extend` line is not evaluated.
  const columns: Record<string, kusto.KustoType> = {};
  for (const [c, t] of Object.entries(view.mapping?.fieldTypes ?? {})) columns[c] = t as kusto.KustoType;
  for (const c of Object.keys((view.mapping?.destination['extend'] ?? {}) as object)) columns[c] = 'string';
  const read = readQuery(result, {
    kustoColumns: columns,
    kustoText: (query) => query.replace(/^(\S+)\n\| extend [^\n]*\n/, '$1\n'),
  });
  return (e) => read(e);
}

// ---- the comparison -----------------------------------------------------------------------------------------

interface Finding {
  readonly target: string;
  readonly kind: 'unreadable' | 'disagreement' | 'evaluator-error' | 'test-event';
  readonly rule: string;
  readonly query: string;
  readonly detail: string;
}

interface TargetStats {
  compiled: number;
  refused: number;
  events: number;
  hits: number;
  agree: number;
  excused: number;
  skipped: Map<string, number>;
}

const stats = {
  cases: 0,
  events: 0,
  jsHits: 0,
  perCase: [] as string[],
  perTarget: Object.fromEntries(
    queryTargets.map((t) => [
      t.backend.id,
      { compiled: 0, refused: 0, events: 0, hits: 0, agree: 0, excused: 0, skipped: new Map() },
    ]),
  ) as Record<string, TargetStats>,
  excusedCodes: new Map<string, number>(),
};
const findings: Finding[] = [];
const bump = (m: Map<string, number>, k: string): void => void m.set(k, (m.get(k) ?? 0) + 1);

async function check(c: Case): Promise<void> {
  stats.cases++;
  const jsResult = compileRule(c.rule, jsTarget);
  expect(jsResult.compiled, `${c.name}: the JS target refused the rule`).toBeDefined();
  const reference = await jsPredicate(jsResult);
  const jsDiagnostics: Diagnostic[] = jsResult.diagnostics.map((d) => ({ ...d, target: 'js' }));
  const fileEvents = c.files.map((f) => ({
    event: JSON.parse(readFileSync(f.file, 'utf8')) as RuleEvent,
    label: f.file.slice(repo.length),
    match: f.match,
  }));
  for (const f of fileEvents)
    if (reference(f.event) !== f.match)
      findings.push({
        target: 'js',
        kind: 'test-event',
        rule: c.name,
        query: '',
        detail: `${f.label}: expected ${f.match}`,
      });
  const events = [
    ...fileEvents.map((f) => ({ event: f.event, label: f.label })),
    ...eventsFor(c.rule.detection, EVENTS_PER_RULE, SEED, KEYWORD_FIELD).map((event) => ({
      event,
      label: 'generated',
    })),
  ];
  stats.events += events.length;
  const wants = events.map((e) => reference(e.event));
  stats.jsHits += wants.filter(Boolean).length;
  stats.perCase.push(`${c.name} ${events.length}/${wants.filter(Boolean).length}`);
  const tested = new Set(
    leaves(c.rule.detection).flatMap((l) => ('field' in l && typeof l.field === 'string' ? [l.field] : [])),
  );
  for (const target of queryTargets) {
    const id = target.backend.id;
    const s = stats.perTarget[id]!;
    const result = compileRule(c.rule, target);
    if (!result.compiled) {
      s.refused++;
      continue;
    }
    s.compiled++;
    const view: TargetView = {
      target,
      mapping: selectLogsource(target.pipeline, c.rule.logsource),
      literals: literalsOf(c.rule.detection),
      tested,
    };
    const query = result.compiled.query.query;
    let evaluate: Evaluator;
    try {
      evaluate = reader(view, result);
    } catch (error) {
      findings.push({ target: id, kind: 'unreadable', rule: c.name, query, detail: String(error) });
      continue;
    }
    const diagnostics = [...result.diagnostics, ...jsDiagnostics];
    for (const [k, { event, label }] of events.entries()) {
      const translated = translate(view, event);
      if ('skip' in translated) {
        bump(s.skipped, translated.skip);
        continue;
      }
      s.events++;
      const want = wants[k]!;
      if (want) s.hits++;
      let got: boolean;
      try {
        got = evaluate(translated.event);
      } catch (error) {
        findings.push({
          target: id,
          kind: 'evaluator-error',
          rule: c.name,
          query,
          detail: `${String(error)} on ${JSON.stringify(translated.event)}`,
        });
        break;
      }
      if (got === want) {
        s.agree++;
        continue;
      }
      const codes = excusingCodes(id, diagnostics, [event, translated.event]);
      if (codes.length > 0) {
        s.excused++;
        bump(stats.excusedCodes, `${id} ${c.name} ${codes.join('+')}`);
        continue;
      }
      findings.push({
        target: id,
        kind: 'disagreement',
        rule: c.name,
        query,
        detail: `${label} event ${JSON.stringify(event)} → ${JSON.stringify(translated.event)}: JS ${want}, ${id} ${got}`,
      });
    }
  }
}

describe('golden cases and the seed rule mean in every target what the JS predicate means', () => {
  afterAll(() => {
    const lines = [
      `golden fidelity: ${stats.cases} rules, ${stats.events} events (${stats.jsHits} hit by the JS predicate)`,
      `  events/hits per rule: ${stats.perCase.join(', ')}`,
      ...Object.entries(stats.perTarget).map(
        ([id, s]) =>
          `  ${id}: compiled ${s.compiled}, refused ${s.refused}, events ${s.events} (${s.hits} hits), agree ${s.agree}, excused ${s.excused}, skipped ${[...s.skipped].map(([r, n]) => `${r}×${n}`).join('; ') || 'none'}`,
      ),
      `  excused: ${[...stats.excusedCodes].map(([c, n]) => `${c}×${n}`).join(', ') || 'none'}`,
      `  findings: ${findings.length}`,
    ];
    console.log(lines.join('\n'));
  });

  it('has the golden cases and the seed', () => {
    expect(cases.length).toBeGreaterThan(6);
    expect(cases.some((c) => c.name === 'seed' && c.files.length === 6)).toBe(true);
  });

  for (const c of cases) it(c.name, async () => await check(c), 120_000);

  it('finds no disagreement that no loss warning names', () => {
    const seen = new Map<string, number>();
    const sample = findings.filter((f) => {
      const key = `${f.target} ${f.rule} ${f.kind}`;
      bump(seen, key);
      return seen.get(key)! <= 2;
    });
    const shown = sample.map(
      (f) => `[${f.target} ${f.rule} ${f.kind}]\n    query: ${JSON.stringify(f.query)}\n    ${f.detail}`,
    );
    expect(
      findings.length,
      `findings (${[...seen].map(([k, n]) => `${k}: ${n}`).join(', ')}):\n${shown.join('\n')}`,
    ).toBe(0);
  });
});
