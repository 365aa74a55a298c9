/**
 * Golden files: every case folder holds a rule.yml; each target's query is compared with
 * expected/<target>.<ext> and all diagnostics with expected/diagnostics.txt. Regenerate with
 * `npm run test:update`; under CI (CI=true) vitest refuses to write and fails on any difference.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';

const EXTENSIONS: Record<string, string> = { elastic: 'kql', sentinel: 'kusto', splunk: 'spl', js: 'js' };
const root = new URL('.', import.meta.url).pathname;
const cases = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();
const targets = loadTargets(BACKENDS);

describe('golden cases', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(5));
  for (const name of cases) {
    it(name, async () => {
      const file = join(root, name, 'rule.yml');
      const { rules, diagnostics } = readRuleFile(`test/golden/${name}/rule.yml`, readFileSync(file));
      const lines = diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`);
      for (const rule of rules) {
        for (const target of targets) {
          const result = compileRule(rule, target);
          for (const d of result.diagnostics) lines.push(`${target.backend.id} ${d.severity} ${d.code}: ${d.message}`);
          const ext = EXTENSIONS[target.backend.id] ?? 'txt';
          const text = result.compiled ? `${result.compiled.query.query}\n` : `REFUSED\n`;
          await expect.soft(text).toMatchFileSnapshot(join(root, name, 'expected', `${target.backend.id}.${ext}`));
        }
      }
      await expect(`${lines.join('\n')}\n`).toMatchFileSnapshot(join(root, name, 'expected', 'diagnostics.txt'));
    });
  }
});
