/** `--format text|json|sarif` on validate, build, coverage and test; an unknown format is a usage error. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toSarif, artifactUri } from '../../src/diagnostics/sarif.js';
import '../../src/diagnostics/frontend-codes.js';
import { runRulec } from '../helpers/run-rulec.js';

const dir = mkdtempSync(join(tmpdir(), 'rulec-diag-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GOOD = `title: Mailbox bypass
id: 0e4b0a58-6a5c-4f0e-9d0a-000000000011
status: test
level: medium
logsource:
  product: m365
  service: audit
detection:
  selection:
    Operation: Set-MailboxAuditBypassAssociation
  condition: selection
tests:
  - name: matches
    event: { Operation: Set-MailboxAuditBypassAssociation }
    match: true
  - name: wrongly expected
    event: { Operation: Get-Mailbox }
    match: true
`;

const rules = join(dir, 'rules');
mkdirSync(rules);
writeFileSync(join(rules, 'good.yml'), GOOD);
writeFileSync(join(rules, 'bad.yml'), GOOD.replace('level: medium', 'level: hihg').replace(/-11$/m, '-12'));

interface SarifLog {
  $schema: string;
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; shortDescription: { text: string } }[] } };
    columnKind: string;
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations?: {
        physicalLocation: {
          artifactLocation: { uri: string };
          region?: { startLine: number; startColumn: number; endLine?: number; endColumn: number };
        };
      }[];
    }[];
  }[];
}

/** The facts of SARIF 2.1.0 a code-scanning upload relies on. */
function expectSarifShape(log: SarifLog): void {
  expect(log.version).toBe('2.1.0');
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  expect(run.tool.driver.name).toBe('rulec');
  expect(run.tool.driver.version).toMatch(/^\d+\.\d+\.\d+/);
  const ids = run.tool.driver.rules.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const result of run.results) {
    expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
    expect(['error', 'warning', 'note']).toContain(result.level);
    expect(result.message.text.length).toBeGreaterThan(0);
    for (const location of result.locations ?? []) {
      expect(location.physicalLocation.artifactLocation.uri).not.toMatch(/\\/);
      const region = location.physicalLocation.region;
      if (region) {
        expect(region.startLine).toBeGreaterThanOrEqual(1);
        expect(region.startColumn).toBeGreaterThanOrEqual(1);
        // SARIF regions end after they start: a later line, or a later column on the same line.
        if ((region.endLine ?? region.startLine) === region.startLine)
          expect(region.endColumn).toBeGreaterThan(region.startColumn);
        else expect(region.endLine).toBeGreaterThan(region.startLine);
      }
    }
  }
}

describe('validate --format', () => {
  it('sarif: one run, the catalogue as rules, a located result per diagnostic, relative URIs', () => {
    const run = runRulec(['validate', '--format', 'sarif', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    const log = JSON.parse(run.stdout) as SarifLog;
    expectSarifShape(log);
    const ids = log.runs[0]!.tool.driver.rules.map((r) => r.id);
    // The catalogue, not only the codes that occur.
    expect(ids).toEqual(expect.arrayContaining(['RC001', 'RC103', 'RC402', 'EL304', 'SN012', 'RC991']));
    const [result] = log.runs[0]!.results;
    expect(result).toMatchObject({ ruleId: 'RC103', level: 'error' });
    expect(result!.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'rules/bad.yml' },
      region: expect.objectContaining({ startLine: 4, startColumn: 8, endColumn: 12 }),
    });
  });

  it('json: summary and diagnostics', () => {
    const run = runRulec(['validate', '--format', 'json', 'rules'], { cwd: dir });
    const doc = JSON.parse(run.stdout) as { summary: unknown; diagnostics: { code: string; line: number }[] };
    expect(doc.summary).toEqual({ files: 2, rules: 1, errors: 1, warnings: 0 });
    expect(doc.diagnostics.map((d) => [d.code, d.line])).toEqual([['RC103', 4]]);
  });

  it('an unknown format is a usage error (exit 2), not silent text', () => {
    const run = runRulec(['validate', '--format', 'sarifx', 'rules'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("error[RC992]: unknown --format 'sarifx' (expected text, json, sarif)\n");
  });
});

describe('build, coverage and test --format', () => {
  it('build --format sarif prints the diagnostics; an unknown format writes nothing', () => {
    const out = join(dir, 'out-sarif');
    const run = runRulec(['build', '--format', 'sarif', '-o', out, 'rules/good.yml', 'rules/bad.yml'], { cwd: dir });
    const log = JSON.parse(run.stdout) as SarifLog;
    expectSarifShape(log);
    expect(log.runs[0]!.results.map((r) => r.ruleId)).toContain('RC103');
    const refused = join(dir, 'out-refused');
    const bad = runRulec(['build', '--format', 'xml', '-o', refused, 'rules/good.yml'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(existsSync(refused)).toBe(false);
  });

  it('coverage --format json has totals and the per-rule results of the matrix', () => {
    const run = runRulec(['coverage', '--format', 'json', '-t', 'elastic,splunk', 'rules/good.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      rules: number;
      targets: { target: string }[];
      results: { file: string; title: string; targets: Record<string, { status: string; codes: string[] }> }[];
    };
    expect(doc.rules).toBe(1);
    expect(doc.targets.map((t) => t.target)).toEqual(['elastic', 'splunk']);
    expect(doc.results).toEqual([
      {
        file: 'rules/good.yml',
        id: '0e4b0a58-6a5c-4f0e-9d0a-000000000011',
        title: 'Mailbox bypass',
        // EL208: the seed's event.action is a case-sensitive keyword field in Elastic (issue 13, cause 2).
        targets: { elastic: { status: 'warnings', codes: ['EL208'] }, splunk: { status: 'ok', codes: [] } },
      },
    ]);
  });

  it('coverage --json <file> writes the per-rule results too', () => {
    const file = join(dir, 'coverage.json');
    runRulec(['coverage', '--json', file, '-t', 'js', 'rules/good.yml'], { cwd: dir });
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { results: { targets: Record<string, unknown> }[] };
    expect(doc.results[0]!.targets['js']).toEqual({ status: 'ok', codes: [] });
  });

  it('test --format json lists every case; sarif makes a failed case a located result', () => {
    const json = runRulec(['test', '--format', 'json', 'rules/good.yml'], { cwd: dir });
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as {
      summary: unknown;
      rules: { cases: { name: string; passed: boolean }[] }[];
    };
    expect(doc.summary).toEqual({ rules: 1, passed: 1, failed: 1, untested: 0 });
    expect(doc.rules[0]!.cases.map((c) => [c.name, c.passed])).toEqual([
      ['matches', true],
      ['wrongly expected', false],
    ]);
    const sarif = runRulec(['test', '--format', 'sarif', 'rules/good.yml'], { cwd: dir });
    const log = JSON.parse(sarif.stdout) as SarifLog;
    expectSarifShape(log);
    const failed = log.runs[0]!.results.find((r) => r.ruleId === 'RC139')!;
    expect(failed.message.text).toContain("test 'wrongly expected' failed");
    expect(failed.locations![0]!.physicalLocation.region!.startLine).toBe(16);
  });
});

describe('toSarif', () => {
  it('gives an unregistered code a rule entry, so every ruleIndex is valid', () => {
    const log = toSarif([{ code: 'ZZ999', severity: 'info', message: 'x' }], {
      toolName: 'rulec',
      toolVersion: '1.2.3',
    }) as unknown as SarifLog;
    const result = log.runs[0]!.results[0]!;
    expect(log.runs[0]!.tool.driver.rules[result.ruleIndex]!.id).toBe('ZZ999');
    expect(result.level).toBe('note');
  });

  it('writes paths under the base folder as relative URIs and others as file: URIs', () => {
    expect(artifactUri('/repo/rules/a b.yml', '/repo')).toBe('rules/a%20b.yml');
    expect(artifactUri('rules/x.yml', '/repo')).toBe('rules/x.yml');
    expect(artifactUri('/elsewhere/x.yml', '/repo')).toBe('file:///elsewhere/x.yml');
  });
});
