/**
 * Golden files for every built-in profile: representative rules (test/config/profile-rules/) compiled as a site
 * that selects the profile in rulec.config.yml, each query (or REFUSED) and its diagnostics compared with
 * test/config/profiles/<target>-<profile>.txt. A profile added without a golden file fails here.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { compileRule } from '../../src/compile.js';
import { openConfig, resolveSite } from '../../src/config/site.js';
import { readRuleFile } from '../../src/frontend.js';
import { listProfiles } from '../../src/pipeline/load.js';

const here = import.meta.dirname;
const RULES = join(here, 'profile-rules');
const ruleFiles = readdirSync(RULES)
  .filter((f) => f.endsWith('.yml'))
  .sort();

describe('built-in profiles on representative rules', () => {
  const profiles = BACKENDS.flatMap((b) => listProfiles(b.root).map((name) => ({ backend: b, name })));
  it('there is a profile for Elastic, Sentinel and Splunk', () =>
    expect(new Set(profiles.map((p) => p.backend.id))).toEqual(new Set(['elastic', 'sentinel', 'splunk'])));
  for (const { backend, name } of profiles)
    it(`${backend.id} ${name}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'rulec-profile-'));
      writeFileSync(join(dir, 'rulec.config.yml'), `targets:\n  ${backend.id}: { profile: ${name} }\n`);
      const options = { cwd: dir };
      const site = resolveSite(BACKENDS, [backend.id], options, openConfig(BACKENDS, options));
      expect(site.diagnostics).toEqual([]);
      const pipeline = site.pipelines[backend.id]!;
      expect(pipeline.profile).toBe(name);
      const out: string[] = [];
      for (const file of ruleFiles) {
        const path = `test/config/profile-rules/${file}`;
        const [rule] = readRuleFile(path, readFileSync(join(RULES, file))).rules;
        const result = compileRule(rule!, { backend, pipeline });
        out.push(`==> ${file} <==`, result.compiled ? result.compiled.query.query : 'REFUSED');
        // The destination is what most profiles change (indices, tables, connectors), not only the query.
        if (result.compiled) out.push(`destination: ${JSON.stringify(result.compiled.mapped.destination)}`);
        for (const d of result.diagnostics) out.push(`${d.severity} ${d.code}: ${d.message}`);
        out.push('');
      }
      await expect(out.join('\n')).toMatchFileSnapshot(join(here, 'profiles', `${backend.id}-${name}.txt`));
    });
});
