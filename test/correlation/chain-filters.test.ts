/**
 * A chain's artifact names every filter that tuned the rules it reads, those of its inner correlation's rules too:
 * the queries are tuned all the way down, so the tag and description line a reviewer reads must say so.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRulec } from '../helpers/run-rulec.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'build');
const work = mkdtempSync(join(tmpdir(), 'rulec-chain-filters-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const CHAIN_ID = '7c1e0f3a-0b6d-4c8e-9a21-3f5d6e7a8b31';

describe('filters on a chain', () => {
  it('the outer correlation names the filter of a rule its inner correlation counts, and that of its own rule', () => {
    cpSync(join(fixtures, 'rules'), join(work, 'rules'), { recursive: true });
    writeFileSync(
      join(work, 'rules', 'brute_then_success.yml'),
      [
        'title: Brute force then success',
        `id: ${CHAIN_ID}`,
        'name: brute_then_success',
        'author: rulec tests',
        'status: test',
        'level: critical',
        'correlation:',
        '  type: temporal_ordered',
        '  rules:',
        '    - brute_force',
        '    - successful_login',
        '  group-by:',
        '    - TargetUserName',
        '  timespan: 30m',
        '',
      ].join('\n'),
    );
    const run = runRulec(
      ['build', 'rules', '--targets', 'splunk', '--filters', join(fixtures, 'tuning'), '--out', 'out'],
      { cwd: work },
    );
    expect(run.status, run.stderr).toBe(0);
    const conf = readFileSync(join(work, 'out', 'splunk', `${CHAIN_ID}.conf`), 'utf8');
    // vuln_scanner tunes failed_login, which only the inner brute_force correlation reads.
    expect(conf).toContain('NOT IpAddress="10.0.0.5"');
    expect(conf).toContain('rulec.filter.vuln_scanner');
    // backup_service tunes successful_login, read by the chain itself.
    expect(conf).toContain('rulec.filter.backup_service');
  });
});
