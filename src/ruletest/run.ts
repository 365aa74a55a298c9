/** Runs a rule's test cases through its predicate and explains failures by the fields the rule tests. */
import { fieldsOf, walk } from '../ir/visit.js';
import type { EventFormat } from '../match/formats.js';
import { makeNormalizer } from '../match/formats.js';
import type { Predicate } from '../match/router.js';
import type { EventRecord } from '../match/types.js';
import { fieldValue } from '../match/witness.js';
import type { Rule } from '../model/rule.js';
import type { TestCase } from './cases.js';
import { TestFileError } from './sandbox.js';

export interface FieldValue {
  readonly field: string;
  /** Undefined when the event lacks the field. */
  readonly value: unknown;
}

export interface CaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly expectMatch: boolean;
  readonly file?: string;
  /** Events read and events matched. */
  readonly events: number;
  readonly matched: number;
  /** Why the case could not run (file unreadable, empty, predicate threw). */
  readonly error?: string;
  /** The code (RC97x) when the case's event file was refused or unreadable; the CLI locates it on the `file:` key. */
  readonly code?: string;
  /**
   * For a failure: the fields the rule tests with their values in the deciding event (the first event that
   * matched when none should, else the first event).
   */
  readonly fields?: readonly FieldValue[];
  /** For a failure that is not about one event (a correlation's alerts): the lines explaining it. */
  readonly detail?: readonly string[];
}

/**
 * `match: true` passes when at least one event of the case matches; `match: false` when none does (a file may hold
 * several events, like a log capture).
 */
export function runCase(rule: Rule, predicate: Predicate, testCase: TestCase): CaseResult {
  const base = {
    name: testCase.name,
    expectMatch: testCase.expectMatch,
    ...(testCase.file ? { file: testCase.file } : {}),
  };
  const loaded = loadCaseEvents(testCase, base, 'the file holds no events');
  if ('failed' in loaded) return loaded.failed;
  const { records, normalize } = loaded;
  let matched = 0;
  let firstMatch: Record<string, unknown> | undefined;
  let first: Record<string, unknown> | undefined;
  for (const record of records) {
    const event = normalize(record.event as Record<string, unknown>);
    first ??= event;
    let hit: boolean;
    try {
      hit = predicate(event) === true;
    } catch (error) {
      return {
        ...base,
        passed: false,
        events: records.length,
        matched,
        error: `the predicate threw: ${messageOf(error)}`,
      };
    }
    if (hit) {
      matched++;
      firstMatch ??= event;
    }
  }
  const passed = testCase.expectMatch ? matched > 0 : matched === 0;
  const result = { ...base, passed, events: records.length, matched };
  if (passed) return result;
  return { ...result, fields: decidingFields(rule, testCase.expectMatch ? first! : firstMatch!) };
}

/** The fields the rule's detection names, with the event's values. */
export function decidingFields(rule: Rule, event: Record<string, unknown>): FieldValue[] {
  return fieldsOf(rule.detection).map((field) => ({ field, value: fieldValue(event, field, field.split('.')) }));
}

/** Whether the detection has keyword (field-less) searches, which look at every value of the event. */
export function hasKeywords(rule: Rule): boolean {
  for (const node of walk(rule.detection)) if (node.kind === 'keyword') return true;
  return false;
}

type Normalize = (e: Record<string, unknown>) => Record<string, unknown>;

/**
 * The start every case runs (a rule's or a correlation's): its events loaded, and the normaliser of its format; or,
 * when the file is refused, unreadable or `empty`, the failed result (with the RC97x code of a refused file).
 */
export function loadCaseEvents(
  testCase: { readonly load: () => EventRecord[]; readonly format: EventFormat },
  base: { readonly name: string; readonly expectMatch: boolean; readonly file?: string },
  empty: string,
): { readonly records: EventRecord[]; readonly normalize: Normalize } | { readonly failed: CaseResult } {
  let records: EventRecord[];
  try {
    records = testCase.load();
  } catch (error) {
    const code = error instanceof TestFileError ? { code: error.code } : {};
    return { failed: { ...base, passed: false, events: 0, matched: 0, error: messageOf(error), ...code } };
  }
  if (records.length === 0) return { failed: { ...base, passed: false, events: 0, matched: 0, error: empty } };
  return { records, normalize: normalizer(testCase.format) };
}

const normalizers = new Map<EventFormat, Normalize>();
function normalizer(format: EventFormat): Normalize {
  let n = normalizers.get(format);
  if (!n) normalizers.set(format, (n = makeNormalizer(format)));
  return n;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
