/**
 * `spliceBundle` (incremental builds, src/build/incremental.ts): for every target that splices its combined files,
 * the files spliced after one rule changed are byte for byte those `joinBundle` makes of the changed fragments, or
 * the target declines (undefined); it never gives other bytes.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import * as b from '../../src/ir/build.js';
import { literalPattern } from '../../src/ir/pattern.js';
import type { Rule } from '../../src/model/rule.js';
import { makeRule } from '../helpers/make-rule.js';

const rules = (edit?: { index: number; change: Partial<Rule> }): Rule[] =>
  [0, 1, 2, 3, 4].map((n) =>
    makeRule(b.or([b.stringMatch('CommandLine', literalPattern(`tool${n}`)), b.exists('Image')]), {
      id: `00000000-0000-4000-8000-00000000000${n}`,
      title: `Rule ${n}`,
      description: `Rule number ${n}.`,
      logsource: { product: 'windows', category: 'process_creation' },
      ...(edit?.index === n ? edit.change : {}),
    }),
  );

describe.each(['elastic', 'splunk', 'sentinel'])('%s spliceBundle', (id) => {
  const [target] = loadTargets(BACKENDS, [id]);
  const { backend } = target!;
  const fragmentsOf = (list: readonly Rule[]): string[] =>
    list.map((rule) => backend.bundleFragment!(compileRule(rule, target!).compiled!));
  const before = fragmentsOf(rules());
  const files = new Map(backend.joinBundle!(before).map((f) => [f.path, Buffer.from(f.content)]));

  it.each([0, 2, 4])('gives the joined files after rule %i’s description changed', (index) => {
    const after = fragmentsOf(rules({ index, change: { description: `Edited — rule ${index}, now longer.` } }));
    const spliced = backend.spliceBundle!((path) => files.get(path), before[index]!, after[index]!);
    const joined = backend.joinBundle!(after);
    expect(spliced).toBeDefined();
    for (const file of spliced!)
      expect(Buffer.concat(file.content).toString('utf8')).toBe(joined.find((f) => f.path === file.path)!.content);
  });

  it('declines, or gives the joined files, when a title (a name the files sort by) changes', () => {
    const after = fragmentsOf(rules({ index: 1, change: { title: 'A rule now sorted first' } }));
    const spliced = backend.spliceBundle!((path) => files.get(path), before[1]!, after[1]!);
    const joined = backend.joinBundle!(after);
    for (const file of spliced ?? [])
      expect(Buffer.concat(file.content).toString('utf8')).toBe(joined.find((f) => f.path === file.path)!.content);
  });
});
