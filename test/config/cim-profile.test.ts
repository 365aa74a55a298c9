/**
 * Golden file for the Splunk `cim` profile beyond the shared representative rules (profiles.test.ts): one rule per
 * data model dataset and per way a test leaves the tstats where clause (post-filter, refusal), hostile values, and
 * one saved search, compiled as a site that selects the profile. Compared with test/config/profiles/splunk-cim-datasets.txt.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { checkSpl, DATA_MODEL_COMMANDS } from '../../backends/splunk/spl-check.js';
import { compileRule } from '../../src/compile.js';
import { openConfig, resolveSite } from '../../src/config/site.js';
import { readRuleFile } from '../../src/frontend.js';

const here = import.meta.dirname;
const RULES = join(here, 'profile-rules', 'cim');

it('splunk cim profile on one rule per dataset and per lowering', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-cim-'));
  writeFileSync(join(dir, 'rulec.config.yml'), 'targets:\n  splunk: { profile: cim }\n');
  const options = { cwd: dir };
  const site = resolveSite(BACKENDS, ['splunk'], options, openConfig(BACKENDS, options));
  expect(site.diagnostics).toEqual([]);
  const backend = BACKENDS.find((b) => b.id === 'splunk')!;
  const target = { backend, pipeline: site.pipelines['splunk']! };
  const out: string[] = [];
  for (const file of readdirSync(RULES)
    .filter((f) => f.endsWith('.yml'))
    .sort()) {
    const path = `test/config/profile-rules/cim/${file}`;
    const [rule] = readRuleFile(path, readFileSync(join(RULES, file))).rules;
    const result = compileRule(rule!, target);
    const query = result.compiled?.query.query;
    out.push(`==> ${file} <==`, query ?? 'REFUSED');
    if (query !== undefined) expect(checkSpl(query, DATA_MODEL_COMMANDS), query).toEqual([]);
    for (const d of result.diagnostics) out.push(`${d.severity} ${d.code}: ${d.message}`);
    // One saved search in full: the risk object is the data model's dest, as the profile's destination says.
    if (file === 'file-event.yml') out.push('', ...result.artifacts.map((a) => `--- ${a.path}\n${a.content}`));
    out.push('');
  }
  await expect(out.join('\n')).toMatchFileSnapshot(join(here, 'profiles', 'splunk-cim-datasets.txt'));
});
