/**
 * SigmaHQ regression data as positive tests: every `info.yml` names a rule and an evtx-JSON dump; the rule, read
 * by the real front end and turned into a predicate by `./factory.ts`, must match the dump `match_count` times
 * (at least once when no count is given). Needs /work/shared (../shared from the repository).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readRuleFile } from '../../src/frontend.js';
import { makeNormalizer } from '../../src/match/formats.js';
import { readEvents } from '../../src/match/read-events.js';
import { factory, factoryName } from './factory.js';

const here = dirname(fileURLToPath(import.meta.url));
const SIGMA = resolve(here, '../../../shared/data/sigma');
const available = existsSync(join(SIGMA, 'regression_data')) && existsSync(join(SIGMA, 'rules'));
if (!available) console.warn(`regression tests skipped: ${SIGMA} is missing (the shared reference data)`);

/**
 * Dumps whose `match_count` is smaller than the number of events the rule matches under Sigma's semantics, checked
 * by hand: each extra event satisfies the rule (e.g. anydesk_artefact: `TargetFilename|contains '\\AnyDesk\\user.conf'`
 * holds for `user.conf.new` twice and `user.conf~RF2d9c20d.TMP`; disable_administrative_share: both the
 * AutoShareServer and the AutoShareWks value are set to 0). For these the count must exceed `match_count`.
 */
const KNOWN_UNDERCOUNTED = new Set([
  'file_event_win_anydesk_artefact',
  'file_event_win_cred_dump_tools_dropped_files',
  'registry_set_change_security_zones',
  'registry_set_disable_administrative_share',
]);

interface Case {
  readonly dir: string;
  readonly name: string;
  readonly ruleId: string;
  readonly json: string;
  readonly matchCount?: number;
}

function walk(dir: string, visit: (file: string) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(full, visit);
    else visit(full);
  }
}

function loadCases(): Case[] {
  const cases: Case[] = [];
  walk(join(SIGMA, 'regression_data'), (file) => {
    if (!file.endsWith('info.yml')) return;
    const info = parse(readFileSync(file, 'utf8')) as {
      rule_metadata?: { id: string }[];
      regression_tests_info?: { name?: string; type?: string; match_count?: number; path: string }[];
    };
    const ruleId = info.rule_metadata?.[0]?.id;
    if (!ruleId) return;
    for (const test of info.regression_tests_info ?? []) {
      // Only evtx dumps (their JSON form) are events this test can read; the commented-out Cisco raw test is not.
      if (test.type !== 'evtx') continue;
      const json = join(SIGMA, test.path.replace(/\.evtx$/, '.json'));
      cases.push({
        dir: dirname(file).split('/').pop() ?? '',
        name: `${dirname(file).split('/').pop()} (${test.name ?? 'test'})`,
        ruleId,
        json,
        ...(test.match_count !== undefined ? { matchCount: test.match_count } : {}),
      });
    }
  });
  return cases.sort((a, b) => a.name.localeCompare(b.name));
}

/** Rule id → file, from each rule file's `id:` line (cheaper than parsing 3,000 YAML files). */
function indexRules(): Map<string, string> {
  const byId = new Map<string, string>();
  for (const root of ['rules', 'rules-emerging-threats', 'rules-threat-hunting', 'rules-compliance']) {
    if (!existsSync(join(SIGMA, root))) continue;
    walk(join(SIGMA, root), (file) => {
      if (!/\.ya?ml$/.test(file)) return;
      const m = /^id:\s*['"]?([0-9a-fA-F-]{36})/m.exec(readFileSync(file, 'utf8'));
      if (m?.[1]) byId.set(m[1].toLowerCase(), file);
    });
  }
  return byId;
}

async function countMatches(c: Case, ruleFile: string): Promise<number> {
  const { rules, diagnostics } = readRuleFile(ruleFile, readFileSync(ruleFile));
  const rule = rules.find((r) => r.id?.toLowerCase() === c.ruleId.toLowerCase());
  if (!rule) throw new Error(`rule ${c.ruleId} did not load: ${diagnostics.map((d) => d.message).join('; ')}`);
  const predicate = factory(rule);
  if (!predicate) throw new Error(`${factoryName} cannot evaluate rule ${c.ruleId}`);
  const normalize = makeNormalizer('evtx');
  const problems: string[] = [];
  let matches = 0;
  for await (const { event } of readEvents(c.json, { onDiagnostic: (d) => problems.push(d.message) })) {
    if (predicate(normalize(event as Record<string, unknown>))) matches++;
  }
  if (problems.length > 0) throw new Error(`cannot read ${c.json}: ${problems.join('; ')}`);
  return matches;
}

describe.skipIf(!available)(`SigmaHQ regression data with the ${factoryName}`, () => {
  const cases = available ? loadCases() : [];
  const byId = available ? indexRules() : new Map<string, string>();

  it('finds the regression cases and their rules', () => {
    expect(cases.length).toBeGreaterThan(150);
    const missing = cases.filter((c) => !byId.has(c.ruleId.toLowerCase()));
    expect(missing.map((c) => c.name)).toEqual([]);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const ruleFile = byId.get(c.ruleId.toLowerCase());
    expect(ruleFile, `rule ${c.ruleId}`).toBeDefined();
    const matches = await countMatches(c, ruleFile!);
    if (c.matchCount !== undefined && KNOWN_UNDERCOUNTED.has(c.dir)) expect(matches).toBeGreaterThan(c.matchCount);
    else if (c.matchCount !== undefined) expect(matches).toBe(c.matchCount);
    else expect(matches).toBeGreaterThanOrEqual(1);
  });
});
