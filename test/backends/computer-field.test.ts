/**
 * Sigma's `Computer` (the event's host name) has a counterpart on the Windows endpoint tables: ECS host.name for
 * Elastic, DeviceName in Sentinel's Defender tables. Before these mappings a rule testing it (correlations group by
 * it) was refused with RC402 there.
 */
import { describe, expect, it } from 'vitest';
import { backend as elastic } from '../../backends/elastic/index.js';
import { backend as sentinel } from '../../backends/sentinel/index.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import { loadPipeline } from '../../src/pipeline/load.js';

function compileComputerRule(target: typeof elastic, category: string) {
  const text = [
    'title: Computer field rule',
    'id: 5a4f7c1e-0000-4000-8000-00000000c0f1',
    'status: test',
    'level: medium',
    'logsource:',
    '  product: windows',
    `  category: ${category}`,
    'detection:',
    '  sel:',
    "    Computer: 'WS01.contoso.local'",
    '  condition: sel',
    '',
  ].join('\n');
  const [rule] = readRuleFile('computer.yml', text).rules;
  return compileRule(rule!, { backend: target, pipeline: loadPipeline(target.root, target.id) });
}

const CATEGORIES = ['process_creation', 'registry_set', 'file_event', 'network_connection', 'image_load', 'dns_query'];

describe('Computer on Windows endpoint logsources', () => {
  it.each(CATEGORIES)('elastic %s: host.name', (category) => {
    const result = compileComputerRule(elastic, category);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.compiled!.query.query).toMatch(/host\.name\s*(:|==)\s*"?WS01\.contoso\.local/);
  });

  it.each(CATEGORIES)('sentinel %s: DeviceName', (category) => {
    const result = compileComputerRule(sentinel, category);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(result.compiled!.query.query).toMatch(/DeviceName =~ "WS01\.contoso\.local"/);
  });
});
