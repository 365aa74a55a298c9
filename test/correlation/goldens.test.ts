/**
 * Splunk and Sentinel correlation goldens, one per correlation type (issue 14): the diagnostics, the query and the
 * artifact a reviewer of dist-rules would read (saved-search stanza, analytic rule), over the same rules and
 * correlations as the Elastic goldens (elastic.test.ts), and a chain (a correlation of correlations).
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { correlationAsCompiled } from '../../src/correlation/as-compiled.js';
import { compileCorrelation } from '../../src/correlation/compile.js';
import { resolveReferences } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';
import { chain, correlation } from '../helpers/correlation-cases.js';

const CASES: [name: string, text: string][] = [
  ['event_count', correlation('event_count', 'failed_login, explicit_credentials', '{gt: 9}')],
  ['event_count-range', correlation('event_count', 'failed_login', '{gte: 10, lte: 100}')],
  ['value_count', correlation('value_count', 'failed_login', '{field: IpAddress, gte: 5}')],
  ['temporal', correlation('temporal', 'failed_login, explicit_credentials')],
  ['temporal_ordered', correlation('temporal_ordered', 'failed_login, explicit_credentials')],
  ['value_sum', correlation('value_sum', 'failed_login', '{field: LogonType, gt: 100}')],
  ['value_avg', correlation('value_avg', 'failed_login', '{field: LogonType, lt: 3}')],
  ['value_percentile', correlation('value_percentile', 'failed_login', '{field: LogonType, lte: 1}')],
  ['chain', chain()],
];

const SILENT = { warn() {}, refuse() {}, info() {} };

function golden(targetId: string, text: string): string {
  const [target] = loadTargets(BACKENDS, [targetId]);
  const read = readRuleFile('c.yml', text);
  expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const resolution = resolveReferences(read.rules, read.correlations, read.filters);
  const resolved = resolution.correlations[resolution.correlations.length - 1]!;
  const result = compileCorrelation(resolved, target!);
  const diagnostics = result.diagnostics.map((d) => `${d.severity}[${d.code}] ${d.message}`).join('\n');
  if (!result.query) return `# diagnostics\n${diagnostics}\n`;
  // As rulec build makes it (src/correlation/as-compiled.ts): the schedule follows the timespan.
  const referenced = result.referenced!;
  const names = resolved.correlation.rules.map((r) => r.text);
  const compiled = correlationAsCompiled(resolved.correlation, referenced, names, result.query);
  const artifacts = target!.backend.renderArtifacts(compiled, SILENT);
  const files = artifacts.map((f) => `# artifact ${f.path}\n${f.content}`).join('');
  return `# diagnostics\n${diagnostics}\n# query\n${result.query.query}\n${files}`;
}

describe.each(['splunk', 'sentinel'])('%s correlation goldens, one per type', (targetId) => {
  it.each(CASES)('%s', async (name, text) => {
    const text_ = golden(targetId, text);
    // Every type has a query in these two targets: a refusal here is a regression, not a golden.
    expect(text_).toContain('# query\n');
    await expect(text_).toMatchFileSnapshot(`golden/${targetId}/${name}.txt`);
  });
});
