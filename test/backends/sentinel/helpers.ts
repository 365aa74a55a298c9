/** Shared fixtures for the Sentinel backend tests. */
import type { MappedRule, Reporter } from '../../../src/backend/types.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import type { Rule } from '../../../src/model/rule.js';
import { loadPipeline } from '../../../src/pipeline/load.js';
import { backend } from '../../../backends/sentinel/index.js';
import { createKustoChecker, tablesFromPipeline } from '../../../backends/sentinel/kusto-check.js';
import type { KustoChecker } from '../../../backends/sentinel/kusto-check.js';
import { makeRule } from '../../helpers/make-rule.js';

export const pipeline = loadPipeline(backend.root, 'sentinel');

/** A table with one column of each kind the dialect distinguishes, plus names that need quoting. */
export const TEST_TABLE = 'TestEvents';
export const TEST_TYPES: Readonly<Record<string, string>> = {
  Name: 'string',
  Other: 'string',
  Count: 'long',
  Ratio: 'real',
  Flag: 'bool',
  When: 'datetime',
  Bag: 'dynamic',
  Ip: 'string',
  IpPort: 'string',
  'odd name': 'string',
  "it's\\here": 'string',
  and: 'string',
};

export interface Collected {
  readonly warnings: { code: string; message: string }[];
  readonly refusals: { code: string; message: string }[];
}

export function collector(): Reporter & Collected {
  const warnings: { code: string; message: string }[] = [];
  const refusals: { code: string; message: string }[] = [];
  return {
    warnings,
    refusals,
    warn: (code, message) => void warnings.push({ code, message }),
    refuse: (code, message) => void refusals.push({ code, message }),
    info: () => undefined,
  };
}

export function mappedFor(detection: IrNode, overrides: Partial<Rule> = {}): MappedRule {
  return {
    rule: makeRule(detection, overrides),
    detection,
    destination: { table: TEST_TABLE, ipColumnsWithPort: ['IpPort'] },
    fieldTypes: TEST_TYPES,
  };
}

let checker: KustoChecker | undefined;

/** One language-service instance per test file (loading costs ~2 s). */
export function kusto(): KustoChecker {
  checker ??= createKustoChecker({ ...tablesFromPipeline(pipeline), [TEST_TABLE]: TEST_TYPES });
  return checker;
}

/** Renders the detection against the test table; returns the `where` expression, the query and diagnostics. */
export function render(detection: IrNode, overrides: Partial<Rule> = {}) {
  const report = collector();
  const result = backend.renderQuery(mappedFor(detection, overrides), report);
  const prefix = `${TEST_TABLE}\n| where `;
  const where = result.query.startsWith(prefix) ? result.query.slice(prefix.length) : result.query;
  return { query: result.query, where, ...report };
}
