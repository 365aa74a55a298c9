/**
 * The compiled CLI (lib/bundle/, see scripts/bundle-lib.mjs) prints what the sources print: its modules find
 * their package root, prebuilt files, worker entries and backends from the bundle. Runs where `npm run build:ts`
 * has built the bundle (the prepare script does); a checkout without lib/ has nothing to compare.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runRulec } from '../helpers/run-rulec.js';

const SEED = 'rules/m365/o365_mailbox_audit_logging_bypass.yml';
const bundled = existsSync(join(REPO_ROOT, 'lib', 'bundle', 'main.js'));
/** bin/rulec.js runs lib/ (through the bundle when it is fresh) unless told to run the sources. */
const compiled = { RULEC_FROM_SOURCE: '0' };

describe.skipIf(!bundled)('the bundled CLI', () => {
  it.each(['elastic', 'sentinel', 'splunk', 'js'])('compiles for %s as the sources do', (target) => {
    const fromLib = runRulec(['compile', '--target', target, SEED], { env: compiled });
    const fromSource = runRulec(['compile', '--target', target, SEED]);
    expect(fromLib.status).toBe(0);
    expect(fromLib.stdout).toBe(fromSource.stdout);
    expect(fromLib.stderr).toBe(fromSource.stderr);
  });

  it('runs as one strict script with its code cached per command, as the sources print', () => {
    const cache = mkdtempSync(join(tmpdir(), 'rulec-bundle-cache-'));
    const env = { ...compiled, RULEC_CACHE_DIR: cache };
    const args = ['compile', '--target', 'splunk', SEED];
    const fromSource = runRulec(args);
    const first = runRulec(args, { env });
    expect(readdirSync(cache).filter((name) => /^code-.*-compile\.bin$/.test(name))).toHaveLength(1);
    // The second run compiles with the cache the first left.
    const second = runRulec(args, { env });
    for (const run of [first, second]) {
      expect(run.status).toBe(0);
      expect(run.stdout).toBe(fromSource.stdout);
      expect(run.stderr).toBe(fromSource.stderr);
    }
    // Strict, as the ES modules it is made of (scripts/bundle-lib.mjs).
    expect(readFileSync(join(REPO_ROOT, 'lib', 'bundle', 'cli.cjs'), 'utf8').startsWith('"use strict";')).toBe(true);
  });

  it('matches events on worker threads as the sources do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-bundle-'));
    const event = { Workload: 'Exchange', Operation: 'Set-MailboxAuditBypassAssociation', ResultStatus: 'True' };
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, `${JSON.stringify(event)}\n${JSON.stringify({ ...event, Operation: 'Set-Mailbox' })}\n`);
    const args = ['match', '--jobs', '2', '--rules', SEED, events];
    const fromLib = runRulec(args, { env: compiled });
    expect(fromLib.status).toBe(0);
    expect(fromLib.stdout).not.toBe('');
    expect(fromLib.stdout).toBe(runRulec(args).stdout);
  });

  it('builds every target as the sources do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-bundle-'));
    const args = (out: string) => ['build', SEED, '--no-cache', '--quiet', '--out', join(dir, out)];
    const fromLib = runRulec(args('lib'), { env: compiled });
    expect(fromLib.status).toBe(0);
    expect(runRulec(args('src')).status).toBe(0);
    expect(runRulec(['build', SEED, '--check', '--quiet', '--out', join(dir, 'src')], { env: compiled }).status).toBe(
      0,
    );
  });
});
