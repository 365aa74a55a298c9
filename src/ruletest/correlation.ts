/**
 * Test cases of a correlation rule (`tests:` beside `correlation:`): an ordered list of timestamped events (inline
 * `events:` or a `file:`) and the alerts expected, in order. The events go through the referenced detection rules
 * (filters applied, as in `rulec match`) and the streaming correlator, exactly as `rulec match` feeds it; the case
 * passes when the tested correlation raises exactly the expected alerts.
 *
 *   tests:
 *     - name: five failures then quiet
 *       events:
 *         - {'@timestamp': '2024-01-01T00:00:00Z', EventID: 4625, User: bob}
 *         - …
 *       alerts:
 *         - group: {User: bob}     # required: the group-by values
 *           value: 5               # optional: the measured value (count, distinct values, sum, …)
 *           start: '2024-01-01T00:00:00Z'   # optional: the window, as in the NDJSON alert line
 *           end: '2024-01-01T00:04:00Z'
 *     - file: tests/quiet.ndjson
 *       alerts: []
 */
import { isDeepStrictEqual } from 'node:util';
import type { Correlation } from '../correlation/model.js';
import type { CorrelationAlert } from '../correlation/correlator.js';
import { Correlator, eventTime } from '../correlation/correlator.js';
import type { ResolvedCorrelation } from '../correlation/resolve.js';
import type { EventFormat } from '../match/formats.js';
import { isEventFormat } from '../match/formats.js';
import type { Predicate } from '../match/router.js';
import type { EventRecord } from '../match/types.js';
import type { Rule } from '../model/rule.js';
import { parseEventText } from './cases.js';
import type { CaseResult } from './run.js';
import { loadCaseEvents } from './run.js';
import { readTestFile } from './sandbox.js';

export interface ExpectedAlert {
  readonly group: Readonly<Record<string, unknown>>;
  readonly value?: number;
  /** Milliseconds since the epoch. */
  readonly start?: number;
  readonly end?: number;
}

export interface CorrelationCase {
  readonly name: string;
  readonly index: number;
  readonly format: EventFormat;
  readonly timeField?: string;
  readonly file?: string;
  readonly expected: readonly ExpectedAlert[];
  readonly load: () => EventRecord[];
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The correlation's test cases (the schema has checked their shape; anything else is ignored). */
export function correlationTestCases(c: Correlation): CorrelationCase[] {
  const tests = c.document['tests'];
  if (!Array.isArray(tests)) return [];
  const cases: CorrelationCase[] = [];
  tests.forEach((raw: unknown, index) => {
    if (!isObject(raw) || !Array.isArray(raw['alerts'])) return;
    const expected = (raw['alerts'] as unknown[]).filter(isObject).map(expectedAlert);
    const declared = raw['format'];
    const base = {
      name: typeof raw['name'] === 'string' ? raw['name'] : `tests[${index}]`,
      index,
      format: typeof declared === 'string' && isEventFormat(declared) ? declared : ('auto' as EventFormat),
      ...(typeof raw['time-field'] === 'string' ? { timeField: raw['time-field'] } : {}),
      expected,
    };
    if (Array.isArray(raw['events'])) {
      const events = raw['events'].filter(isObject);
      cases.push({ ...base, load: () => events.map((event) => ({ event, source: { file: c.file, line: 0 } })) });
    } else if (typeof raw['file'] === 'string') {
      const file = raw['file'];
      cases.push({ ...base, file, load: () => parseEventText(file, readTestFile(c.file, file).text) });
    }
  });
  return cases;
}

function expectedAlert(raw: Obj): ExpectedAlert {
  const time = (v: unknown): number | undefined => (typeof v === 'string' ? Date.parse(v) : undefined);
  const start = time(raw['start']);
  const end = time(raw['end']);
  return {
    group: isObject(raw['group']) ? raw['group'] : {},
    ...(typeof raw['value'] === 'number' ? { value: raw['value'] } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
  };
}

/** The correlation and every correlation it refers to, innermost first (the correlator feeds them in cascade). */
export function correlationChain(
  resolved: ResolvedCorrelation,
  all: readonly ResolvedCorrelation[],
): ResolvedCorrelation[] {
  const chain: ResolvedCorrelation[] = [];
  const visit = (r: ResolvedCorrelation): void => {
    if (chain.includes(r)) return;
    for (const t of r.targets) {
      if (!('kind' in t)) continue;
      const inner = all.find((x) => x.correlation === t);
      if (inner) visit(inner);
    }
    chain.push(r);
  };
  visit(resolved);
  return chain;
}

/** The detection rules the chain reads events of. */
export function detectionRulesOf(chain: readonly ResolvedCorrelation[]): Rule[] {
  const rules = new Set<Rule>();
  for (const r of chain) for (const t of r.targets) if (!('kind' in t)) rules.add(t as Rule);
  return [...rules];
}

/**
 * Runs one case: every event, in the order written, through each detection rule of the chain (normalised per the
 * case's format, as `rulec match` does), matches fed to the correlator; the tested correlation's alerts compared
 * with the expected ones, in order.
 */
export function runCorrelationCase(
  resolved: ResolvedCorrelation,
  chain: readonly ResolvedCorrelation[],
  predicates: ReadonlyMap<Rule, Predicate>,
  testCase: CorrelationCase,
): CaseResult {
  const base = {
    name: testCase.name,
    expectMatch: testCase.expected.length > 0,
    ...(testCase.file ? { file: testCase.file } : {}),
  };
  const loaded = loadCaseEvents(testCase, base, 'the case holds no events');
  if ('failed' in loaded) return loaded.failed;
  const { records, normalize } = loaded;
  const correlator = new Correlator(chain);
  const alerts: CorrelationAlert[] = [];
  for (const [k, record] of records.entries()) {
    const event = normalize(record.event as Record<string, unknown>);
    const time = eventTime(record.event as Obj, testCase.timeField) ?? eventTime(event, testCase.timeField);
    if (time === undefined) {
      const field = testCase.timeField ?? 'no time field';
      return {
        ...base,
        passed: false,
        events: records.length,
        matched: 0,
        error: `event ${k + 1} has no readable time (${field})`,
      };
    }
    for (const [rule, predicate] of predicates) {
      if (!correlator.uses(rule)) continue;
      let hit: boolean;
      try {
        hit = predicate(event) === true;
      } catch (error) {
        return {
          ...base,
          passed: false,
          events: records.length,
          matched: 0,
          error: `the predicate threw: ${messageOf(error)}`,
        };
      }
      if (hit) alerts.push(...correlator.push(rule, time, event, k + 1));
    }
  }
  alerts.push(...correlator.finish());
  const got = alerts.filter((a) => a.correlation === resolved.correlation);
  const passed = got.length === testCase.expected.length && got.every((a, i) => agrees(a, testCase.expected[i]!));
  const result = { ...base, passed, events: records.length, matched: got.length };
  if (passed) return result;
  return {
    ...result,
    detail: [
      `expected ${testCase.expected.length} alert(s), got ${got.length}:`,
      ...got.map((a) => `  ${describe(a)}`),
    ],
  };
}

function agrees(a: CorrelationAlert, e: ExpectedAlert): boolean {
  if (!isDeepStrictEqual({ ...a.group }, { ...e.group })) return false;
  if (e.value !== undefined && Math.abs(a.value - e.value) > 1e-9) return false;
  if (e.start !== undefined && a.start !== e.start) return false;
  return e.end === undefined || a.end === e.end;
}

function describe(a: CorrelationAlert): string {
  const window = `${new Date(a.start).toISOString()} .. ${new Date(a.end).toISOString()}`;
  return `group ${JSON.stringify(a.group)} value ${a.value} window ${window} events ${JSON.stringify(a.events)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
