/**
 * Big rules within the file-size limit compile in every target without a crash (issue 11 §12): 130,000 values of
 * one field used to overflow the stack (`flat.push(...children)` in src/ir/build.ts) and Sentinel grouped them in
 * quadratic time. The time bound is generous (minutes), so only a return of the quadratic or a hang fails it.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import * as b from '../../src/ir/build.js';
import { literalPattern } from '../../src/ir/pattern.js';

const VALUES = 130_000;

function bigRule(): string {
  const values = Array.from({ length: VALUES }, (_, i) => `v${i}`).join(',');
  return [
    'title: big',
    'id: 5d2f8a51-0c49-4f0e-9a55-7f6ad0b0c003',
    'logsource: { product: m365 }',
    'detection:',
    `  sel: { "CommandLine|contains": [${values}] }`,
    '  condition: sel',
    '',
  ].join('\n');
}

describe('size limits', () => {
  it('flattens an OR of 130,000 children without overflowing the stack', () => {
    const leaves = Array.from({ length: VALUES }, (_, i) => b.stringMatch('f', literalPattern(`v${i}`)));
    const nested = b.or([b.or(leaves), b.stringMatch('g', literalPattern('x'))]);
    expect(nested.kind === 'or' && nested.children.length).toBe(VALUES + 1);
    const anded = b.and([b.and([b.exists('a'), b.exists('b')]), ...[b.or(leaves)]]);
    expect(anded.kind).toBe('and');
  });

  it('compiles a rule with 130,000 values of one field in every target, without an internal error', () => {
    const text = bigRule();
    expect(text.length).toBeLessThan(1024 * 1024);
    const started = Date.now();
    const read = readRuleFile('big.yml', text);
    expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const target of loadTargets(BACKENDS)) {
      const result = compileRule(read.rules[0]!, target);
      // A refusal for the query's length is a fine answer; a crash (RC901) is not.
      expect(
        result.diagnostics.filter((d) => d.code === 'RC901'),
        target.backend.id,
      ).toEqual([]);
    }
    expect(Date.now() - started).toBeLessThan(180_000);
  }, 240_000);
});
