/**
 * Control characters from a rule are escaped in the Sentinel YAML (issue 11 §13): a raw U+007F made the file
 * invalid YAML 1.2, which PyYAML refuses. Checked by scanning the text (nothing raw) and reading it back.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';

const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

describe('sentinel YAML', () => {
  it('escapes DEL, C1 and C0 characters of titles, descriptions and values', () => {
    const text = [
      'title: "a\\x7fb\\x85c\\u2028d\\x1be"',
      'id: 5d2f8a51-0c49-4f0e-9a55-7f6ad0b0c004',
      'description: "line one\\x7f\\nline two"',
      'logsource: { product: windows }',
      'detection:',
      '  sel: { CommandLine: "v\\x7fw" }',
      '  condition: sel',
      '',
    ].join('\n');
    const read = readRuleFile('r.yml', text);
    const [sentinel] = loadTargets(BACKENDS, ['sentinel']);
    const result = compileRule(read.rules[0]!, sentinel!);
    const yamlFiles = result.artifacts.filter((f) => /\.ya?ml$/.test(f.path));
    expect(yamlFiles.length).toBeGreaterThan(0);
    for (const file of yamlFiles) {
      expect(file.content, file.path).not.toMatch(RAW);
      const doc = parse(file.content, { strict: true, prettyErrors: false }) as Record<string, unknown>;
      expect(doc['name']).toBe('a\u007fb\u0085c\u2028d\u001be');
      expect(doc['description']).toBe('line one\u007f\nline two');
    }
  });
});
