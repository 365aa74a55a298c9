/**
 * `rulec match` as the README and docs/matching.md write it, through the real binary (issue 10 §2, §5, §6):
 * the documented argument forms, event files given as rules, folders and gzip inputs, an empty input, Security
 * 4688 events on process_creation rules, and Sentinel-shaped records.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAILBOX_BYPASS_RULE } from '../helpers/exchange-rule.js';
import { runRulec } from '../helpers/run-rulec.js';

const RULE = MAILBOX_BYPASS_RULE;

const PROCESS_RULE = `title: Whoami as SYSTEM
id: 0f5c4e8a-1b7e-4a55-9a3b-6f1f7d1e2c10
status: test
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\whoami.exe'
        ParentImage|endswith: '\\cmd.exe'
        User|contains: 'AUTHORI'
        IntegrityLevel: System
        CommandLine|contains: whoami
    condition: selection
level: low
`;

const bypass = { Workload: 'Exchange', Operation: 'Set-MailboxAuditBypassAssociation', RecordType: 1 };
const other = { ...bypass, Operation: 'Set-Mailbox' };
const ndjson = (...events: object[]): string => events.map((e) => `${JSON.stringify(e)}\n`).join('');

/** A temp folder with `rules/bypass.yml` and `events.ndjson` (one match in two events). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-match-forms-'));
  mkdirSync(join(dir, 'rules'));
  writeFileSync(join(dir, 'rules', 'bypass.yml'), RULE);
  writeFileSync(join(dir, 'events.ndjson'), ndjson(bypass, other));
  return dir;
}

function matchedLines(stdout: string): { rule: { id: string }; source?: { file: string; line: number } }[] {
  return stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { rule: { id: string } });
}

describe('rulec match: documented forms', () => {
  it('`match --rules rules/ events.ndjson` reads the events file as events', () => {
    const cwd = project();
    const run = runRulec(['match', '--rules', 'rules/', 'events.ndjson'], { cwd });
    expect(run.stderr).toMatch(/^2 events, 1 matches, 1 rules in /m);
    expect(run.status).toBe(0);
    expect(matchedLines(run.stdout)).toHaveLength(1);
  });

  it('`match --rules rules - < events` reads stdin, and --rules/-r can be repeated', () => {
    const cwd = project();
    writeFileSync(join(cwd, 'second.yml'), RULE.replace('675239ea', '775239ea').replace('Mailbox audit', 'Second'));
    const run = runRulec(['match', '--rules', 'rules', '-r', 'second.yml', '-', '--pointer'], {
      cwd,
      input: ndjson(bypass),
    });
    expect(run.status).toBe(0);
    expect(matchedLines(run.stdout).map((l) => l.source)).toEqual([
      { file: '<stdin>', line: 1 },
      { file: '<stdin>', line: 1 },
    ]);
    expect(run.stderr).toMatch(/^1 events, 2 matches, 2 rules/m);
  });

  it('an events file given as a rule is one line, not a frame per token', () => {
    const cwd = project();
    const big = ndjson(...Array.from({ length: 500 }, () => bypass));
    writeFileSync(join(cwd, 'big.log'), big);
    const run = runRulec(['match', '-r', 'rules', '-r', 'big.log', '-r', 'events.ndjson', 'events.ndjson'], { cwd });
    expect(run.status).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(errors).toEqual([
      'error[RC955]: big.log: this looks like events, not a rule (event files go after the options: rulec match --rules <rules> <events>)',
      'error[RC955]: events.ndjson: this looks like events, not a rule (event files go after the options: rulec match --rules <rules> <events>)',
    ]);
    expect(run.stderr.length).toBeLessThan(1000);
    // The real rules still ran.
    expect(matchedLines(run.stdout)).toHaveLength(1);
  });

  it('reads folders (recursively, in path order) and gzip files and gzip on stdin', () => {
    const cwd = project();
    mkdirSync(join(cwd, 'logs', 'b'), { recursive: true });
    writeFileSync(join(cwd, 'logs', 'a.ndjson'), ndjson(bypass));
    writeFileSync(join(cwd, 'logs', 'b', 'c.json.gz'), gzipSync(JSON.stringify([other, bypass], null, 2)));
    writeFileSync(join(cwd, 'logs', 'notes.txt'), 'not events');
    const run = runRulec(['match', '-r', 'rules', 'logs', '--pointer'], { cwd });
    expect(run.stderr).toMatch(/^3 events, 2 matches/m);
    expect(run.status).toBe(0);
    expect(matchedLines(run.stdout).map((l) => l.source)).toEqual([
      { file: join('logs', 'a.ndjson'), line: 1 },
      { file: join('logs', 'b', 'c.json.gz'), line: 7 },
    ]);
    const piped = runRulec(['match', '-r', 'rules', '--pointer'], { cwd, input: gzipSync(ndjson(other, bypass)) });
    expect(piped.status).toBe(0);
    expect(matchedLines(piped.stdout).map((l) => l.source)).toEqual([{ file: '<stdin>', line: 2 }]);
  });

  it('an empty input or a folder without event files is an error (exit 1), as an empty rule set is', () => {
    const cwd = project();
    mkdirSync(join(cwd, 'empty'));
    const empty = runRulec(['match', '-r', 'rules', '-'], { cwd, input: '' });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain('error[RC956]: no event was read from <stdin>');
    const folder = runRulec(['match', '-r', 'rules', 'empty'], { cwd });
    expect(folder.status).toBe(1);
    expect(folder.stderr).toContain('error[RC981]: empty: no event file in this folder');
  });
});

describe('rulec match: event formats', () => {
  it('Security 4688 fields reach process_creation rules (evtx and flat records)', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'rulec-match-4688-'));
    writeFileSync(join(cwd, 'rule.yml'), PROCESS_RULE);
    const data = {
      SubjectUserName: 'SYSTEM',
      SubjectDomainName: 'NT AUTHORITY',
      SubjectLogonId: '0x3e7',
      NewProcessName: 'C:\\Windows\\System32\\whoami.exe',
      ParentProcessName: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'whoami /all',
      MandatoryLabel: 'S-1-16-16384',
    };
    const evtx = { Event: { System: { EventID: 4688, Channel: 'Security', Computer: 'h' }, EventData: data } };
    const flat = { EventID: 4688, Channel: 'Security', ...data };
    const medium = { ...flat, MandatoryLabel: 'S-1-16-8192' };
    const run = runRulec(['match', '-r', 'rule.yml', '--pointer'], { cwd, input: ndjson(evtx, flat, medium) });
    expect(run.status).toBe(0);
    expect(matchedLines(run.stdout).map((l) => l.source?.line)).toEqual([1, 2]);
  });

  it('--format sentinel runs rules mapped through the Sentinel pipeline on OfficeActivity rows', () => {
    const cwd = project();
    const row = {
      TimeGenerated: '2026-01-01T00:00:00Z',
      OfficeWorkload: 'Exchange',
      Operation: 'Set-MailboxAuditBypassAssociation',
      RecordType: 'ExchangeAdmin',
      UserId: 'admin@example.com',
      Type: 'OfficeActivity',
    };
    const input = ndjson(row, { ...row, Operation: 'Set-Mailbox' });
    const sentinel = runRulec(['match', '-r', 'rules', '--format', 'sentinel', '--pointer'], { cwd, input });
    expect(sentinel.status).toBe(0);
    expect(matchedLines(sentinel.stdout).map((l) => l.source?.line)).toEqual([1]);
    // As read by rule field names the same row has no Workload: the mapping is what makes it match.
    const raw = runRulec(['match', '-r', 'rules', '--format', 'raw'], { cwd, input });
    expect(matchedLines(raw.stdout)).toEqual([]);
  });
});
