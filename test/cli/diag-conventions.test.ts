/**
 * CLI conventions (issue 10 §5) and validate-time warnings (§4), through the real binary: --version, one
 * -t/--target option, target aliases, unknown options, globs, empty inputs, labelled compile output, artifact
 * streams, schedule gaps and names no pipeline knows.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { resolveTargetIds } from '../../src/cli/targets.js';
import { globToRegExp } from '../../src/source/glob.js';
import { REPO_ROOT, runRulec } from '../helpers/run-rulec.js';

const dir = mkdtempSync(join(tmpdir(), 'rulec-diag-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = (title: string, id: string, extra = ''): string => `title: ${title}
id: 0e4b0a58-6a5c-4f0e-9d0a-${id}
status: test
level: low
logsource:
  product: m365
  service: audit
detection:
  selection:
    Operation: Set-MailboxAuditBypassAssociation
  condition: selection
${extra}`;

const rules = join(dir, 'rules');
mkdirSync(join(rules, 'nested', 'deeper'), { recursive: true });
writeFileSync(join(rules, 'a.yml'), rule('Rule A', '00000000000a'));
writeFileSync(join(rules, 'nested', 'b.yml'), rule('Rule B', '00000000000b'));
writeFileSync(
  join(rules, 'nested', 'deeper', 'c.yml'),
  // A keyword beside a regular expression: the regex needs EQL, which has no free-text search (EL304).
  rule('Rule C', '00000000000c').replace(
    '  selection:\n    Operation: Set-MailboxAuditBypassAssociation\n  condition: selection',
    "  selection:\n    Operation|re: 'Set-.*'\n  keywords:\n    - 'chown root*chmod 4777 '\n  condition: keywords and selection",
  ),
);
const empty = join(dir, 'empty');
mkdirSync(empty);

describe('rulec --version and options', () => {
  it('--version prints the version of package.json', () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const run = runRulec(['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(`${version}\n`);
  });

  it('a misspelt option is an unknown option with a suggestion, exit 2', () => {
    const run = runRulec(['compile', '--targte', 'elastic', 'rules'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown option '--targte'");
    expect(run.stderr).toContain('--target');
    expect(run.stderr).not.toContain('required option');
  });

  it('compile without a target says so, exit 2', () => {
    const run = runRulec(['compile', 'rules/a.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error\[RC993\]: compile needs a target: -t, --target <id>/);
  });

  it('target names are case-insensitive and take the aliases backends declare', () => {
    const kusto = runRulec(['compile', '-t', 'Kusto', 'rules/a.yml'], { cwd: dir });
    expect(kusto.status).toBe(0);
    expect(kusto.stdout).toMatch(/^OfficeActivity\n\| where /);
    const spl = runRulec(['compile', '--target', 'SPL', 'rules/a.yml'], { cwd: dir });
    expect(spl.stdout).toMatch(/Operation="Set-MailboxAuditBypassAssociation"/);
  });

  it("'kql' is ambiguous (Kibana or Kusto) and names both", () => {
    const run = runRulec(['compile', '-t', 'kql', 'rules/a.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("target name 'kql' is ambiguous: use 'elastic'");
    expect(run.stderr).toContain("'sentinel'");
  });

  it('an unknown target suggests the closest name', () => {
    const run = runRulec(['compile', '-t', 'splnk', 'rules/a.yml'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("unknown target 'splnk' (did you mean 'splunk'?)");
  });

  it('-t takes comma lists and repeats; --targets still works on coverage', () => {
    const run = runRulec(['coverage', '-t', 'elastic,js', '-t', 'SPLUNK', 'rules/a.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout.split('\n').map((l) => l.split(' ')[0])).toEqual(
      expect.arrayContaining(['elastic', 'js', 'splunk']),
    );
    expect(run.stdout).not.toMatch(/^sentinel/m);
    const old = runRulec(['coverage', '--targets', 'js', 'rules/a.yml'], { cwd: dir });
    expect(old.status).toBe(0);
    expect(old.stdout).toMatch(/^js /m);
    expect(old.stdout).not.toMatch(/^elastic/m);
  });

  it('resolveTargetIds keeps each target once, in the order given', () => {
    expect(resolveTargetIds(BACKENDS, ['SPL', 'kusto', 'splunk', 'JavaScript'])).toEqual(['splunk', 'sentinel', 'js']);
  });
});

describe('paths', () => {
  it('expands glob patterns the shell left alone', () => {
    const run = runRulec(['validate', 'rules/**/*.yml'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('3 files, 3 rules valid: 0 errors, 0 warnings\n');
    const one = runRulec(['validate', 'rules/nested/*.yml'], { cwd: dir });
    expect(one.stdout).toBe('1 file, 1 rule valid: 0 errors, 0 warnings\n');
  });

  it('globToRegExp: * stays in a segment, ** crosses them, {a,b} and [!x] work', () => {
    expect(globToRegExp('*.yml').test('a.yml')).toBe(true);
    expect(globToRegExp('*.yml').test('x/a.yml')).toBe(false);
    expect(globToRegExp('**/*.yml').test('x/y/a.yml')).toBe(true);
    expect(globToRegExp('**/*.yml').test('a.yml')).toBe(true);
    expect(globToRegExp('*.{yml,yaml}').test('a.yaml')).toBe(true);
    expect(globToRegExp('[!b]*.yml').test('b.yml')).toBe(false);
    expect(globToRegExp('*.yml').test('.hidden.yml')).toBe(false);
  });

  it('an empty input is RC031 and exit 1 in validate, compile, coverage and test', () => {
    for (const args of [['validate'], ['compile', '-t', 'elastic'], ['coverage'], ['test']]) {
      const run = runRulec([...args, empty], { cwd: dir });
      expect({ args, status: run.status }).toEqual({ args, status: 1 });
      expect(run.stderr).toContain('error[RC031]: no rule files found');
    }
  });
});

describe('compile on several rules', () => {
  it('labels each query with its rule, as a comment where the language has one', () => {
    const run = runRulec(['compile', '-t', 'sentinel', 'rules'], { cwd: dir });
    expect(run.stdout).toContain('// Rule A (rules/a.yml)\nOfficeActivity\n');
    expect(run.stdout).toContain('// Rule B (rules/nested/b.yml)\nOfficeActivity\n');
  });

  it('uses a header line where the query language has no comments, and lists a refused rule', () => {
    const run = runRulec(['compile', '-t', 'elastic', 'rules'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('==> Rule A (rules/a.yml) <==\nevent.dataset:o365.audit');
    expect(run.stdout).toMatch(/==> refused by elastic \[EL304 [^\]]+\]: Rule C \(rules\/nested\/deeper\/c\.yml\) <==/);
  });

  it('--artifact prints NDJSON for Elastic and a YAML stream for Sentinel', () => {
    const elastic = runRulec(['compile', '-t', 'elastic', '--artifact', 'rules/a.yml', 'rules/nested/b.yml'], {
      cwd: dir,
    });
    const lines = elastic.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => (JSON.parse(l) as { name: string }).name)).toEqual(['Rule A', 'Rule B']);
    const sentinel = runRulec(['compile', '-t', 'sentinel', '--artifact', 'rules/a.yml', 'rules/nested/b.yml'], {
      cwd: dir,
    });
    const docs = parseAllDocuments(sentinel.stdout);
    expect(Array.isArray(docs) && docs.every((d) => d.errors.length === 0)).toBe(true);
    expect((docs as { toJS(): { name: string } }[]).map((d) => d.toJS().name)).toEqual(['Rule A', 'Rule B']);
  });
});

describe('validate warnings', () => {
  const warnings = join(dir, 'warnings');
  mkdirSync(warnings);
  const gap = join(warnings, 'gap.yml');
  writeFileSync(gap, rule('Gap', '0000000000a1', 'schedule: { interval: 30m, lookback: 5m }\n'));
  const typo = join(warnings, 'typo.yml');
  writeFileSync(
    typo,
    rule('Typo', '0000000000a2')
      .replace('  product: m365\n  service: audit', '  category: proces_creation\n  product: windws')
      .replace('Operation:', 'Image|endswith:'),
  );
  const field = join(warnings, 'field.yml');
  writeFileSync(
    field,
    rule('Field', '0000000000a3')
      .replace('  product: m365\n  service: audit', '  category: process_creation\n  product: windows')
      .replace('Operation:', 'Commandline|contains:'),
  );

  it('warns when the lookback is shorter than the interval, and every target searches the interval', () => {
    const run = runRulec(['validate', gap]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('warning[RC121]: lookback 5m is shorter than the interval 30m');
    expect(run.stderr).toContain(` --> ${gap}:12:38`);
    const elastic = JSON.parse(runRulec(['compile', '-t', 'elastic', '--artifact', gap]).stdout) as {
      from: string;
      interval: string;
    };
    expect([elastic.from, elastic.interval]).toEqual(['now-30m', '30m']);
    const sentinel = runRulec(['compile', '-t', 'sentinel', '--artifact', gap]);
    expect(sentinel.stdout).toContain('queryFrequency: 30m\nqueryPeriod: 30m\n');
    expect(sentinel.stderr).not.toContain('SN005');
    expect(runRulec(['compile', '-t', 'splunk', '--artifact', gap]).stdout).toContain('dispatch.earliest_time = -30m');
  });

  it('flags logsource values no pipeline knows and near-miss field names, with did you mean, on the key', () => {
    const run = runRulec(['validate', '--format', 'json', typo, field]);
    const doc = JSON.parse(run.stdout) as {
      diagnostics: { code: string; message: string; label?: string; file: string; line: number; col: number }[];
    };
    expect(doc.diagnostics.map((d) => [d.code, d.file === typo ? 'typo' : 'field', d.line, d.col, d.label])).toEqual([
      ['RC123', 'field', 10, 5, "did you mean 'CommandLine'?"],
      ['RC122', 'typo', 6, 13, "did you mean 'process_creation'?"],
      ['RC122', 'typo', 7, 12, "did you mean 'windows'?"],
    ]);
    expect(run.status).toBe(0);
  });
});
