/**
 * A rule's `tests:` as test cases: `{name?, event, match}` (an event written in the rule's field names) or
 * `{name?, file, match, format?}` (events in a JSON, NDJSON or YAML file next to the rule).
 */
import { parseAllDocuments } from 'yaml';
import type { EventFormat } from '../match/formats.js';
import { isEventFormat } from '../match/formats.js';
import { splitJsonText } from '../match/json-splitter.js';
import type { EventRecord } from '../match/types.js';
import type { Rule } from '../model/rule.js';
import { readTestFile } from './sandbox.js';

export interface TestCase {
  /** `name`, or `tests[i]` when unnamed. */
  readonly name: string;
  readonly index: number;
  readonly expectMatch: boolean;
  readonly format: EventFormat;
  /** The file as written in the rule, for messages; undefined for inline events. */
  readonly file?: string;
  /**
   * Reads the case's events; throws with a readable message when they cannot be read, a `TestFileError` (with its
   * RC97x code) when the file breaks the sandbox policy of `./sandbox.ts`.
   */
  readonly load: () => EventRecord[];
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rule's test cases (the schema has checked their shape; anything else is ignored). */
export function ruleTestCases(rule: Rule): TestCase[] {
  const tests = rule.document['tests'];
  if (!Array.isArray(tests)) return [];
  const cases: TestCase[] = [];
  tests.forEach((raw: unknown, index) => {
    if (!isObject(raw) || typeof raw['match'] !== 'boolean') return;
    const name = typeof raw['name'] === 'string' ? raw['name'] : `tests[${index}]`;
    const declared = raw['format'];
    const format: EventFormat = typeof declared === 'string' && isEventFormat(declared) ? declared : 'auto';
    const base = { name, index, expectMatch: raw['match'], format };
    if (isObject(raw['event'])) {
      const event = raw['event'];
      cases.push({ ...base, load: () => [{ event, source: { file: rule.file, line: 0 } }] });
    } else if (typeof raw['file'] === 'string') {
      const file = raw['file'];
      cases.push({
        ...base,
        file,
        load: () => {
          const { text } = readTestFile(rule.file, file);
          return parseEventText(file, text);
        },
      });
    }
  });
  return cases;
}

/** At most this many problems of one test file are listed; a broken file could otherwise make a message of megabytes. */
const MAX_PROBLEMS = 3;

/**
 * All events of a test file's text: YAML by extension, else JSON in any shape the event reader accepts. `path` is
 * the file as written in the rule, for messages.
 */
export function parseEventText(path: string, text: string): EventRecord[] {
  const records: EventRecord[] = [];
  if (/\.ya?ml$/i.test(path)) {
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(`${path}: ${doc.errors[0]!.message}`);
      const data: unknown = doc.toJS();
      const line = doc.range[0] === 0 ? 1 : text.slice(0, doc.range[0]).split('\n').length;
      for (const event of Array.isArray(data) ? data : [data]) {
        if (!isObject(event)) throw new Error(`${path}:${line}: expected a map of fields`);
        records.push({ event, source: { file: path, line } });
      }
    }
    return records;
  }
  const problems: string[] = [];
  splitJsonText(
    text,
    (event, line) => records.push({ event, source: { file: path, line } }),
    (line, message) => problems.push(`${path}:${line}: ${message}`),
  );
  if (problems.length > 0) {
    const more = problems.length > MAX_PROBLEMS ? ` (and ${problems.length - MAX_PROBLEMS} more problems)` : '';
    throw new Error(problems.slice(0, MAX_PROBLEMS).join('; ') + more);
  }
  return records;
}
