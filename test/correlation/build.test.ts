/**
 * Correlation rules and filters in `rulec build` and `rulec compile` (issue 14 §3 artifacts, §4, §5): correlations
 * compiled like rules per target, their artifacts (goldens), `generate`, filters in every target with their tag and
 * description line, `--filters DIR`, scoped builds, `--check`, and errors located with nothing written.
 * In-process (buildCommand / compileCommand) for speed; one binary run checks the option parsing of every command.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import type { BuildCommandOptions } from '../../src/cli/build-command.js';
import { buildCommand } from '../../src/cli/build-command.js';
import { compileCommand } from '../../src/cli/compile-command.js';
import { coverageCommand } from '../../src/cli/coverage-command.js';
import type { CliIo } from '../../src/cli/io.js';
import { snapshot } from '../helpers/build-fixtures.js';
import { runRulec } from '../helpers/run-rulec.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/build/', import.meta.url));
const ID = (n: string): string => `7c1e0f3a-0b6d-4c8e-9a21-3f5d6e7a8b${n}`;
const FAILED = ID('01');
const SUCCESS = ID('02');
const EXPLICIT = ID('03');
const BRUTE = ID('11');
const BURST = ID('12');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-corr-build-'));
  cpSync(FIXTURES, dir, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIo & { out: string; err: string } {
  const captured = {
    out: '',
    err: '',
    isTty: false,
    stdout: (t: string) => void (captured.out += t),
    stderr: (t: string) => void (captured.err += t),
  };
  return captured;
}

async function build(paths: string[], options: Partial<BuildCommandOptions> = {}) {
  const capture = io();
  const status = await buildCommand(
    paths.map((p) => join(dir, p)),
    {
      out: join(dir, 'dist'),
      check: false,
      targets: ['splunk', 'sentinel'],
      allowRefusals: false,
      quiet: false,
      cache: false,
      filters: [join(dir, 'tuning')],
      ...options,
    },
    BACKENDS,
    capture,
  );
  return { status, stdout: capture.out, stderr: capture.err };
}

function compile(paths: string[], target: string, options: { artifact?: boolean; filters?: string[] } = {}) {
  const capture = io();
  const status = compileCommand(
    paths.map((p) => join(dir, p)),
    {
      targets: [target],
      artifact: Boolean(options.artifact),
      filters: (options.filters ?? []).map((f) => join(dir, f)),
    },
    BACKENDS,
    capture,
  );
  return { status, stdout: capture.out, stderr: capture.err };
}

const tree = (): Map<string, string> => snapshot(join(dir, 'dist'));
const RUNTIME = new Set(['js/runtime.js', 'js/regex-vm.js', 'js/text-set.js', 'js/cidr.js']);

describe('rulec build with correlation rules and filters', () => {
  it('writes the artifacts of correlations and tuned rules (goldens for splunk, sentinel and js)', async () => {
    const r = await build(['rules'], { targets: ['splunk', 'sentinel', 'js'], allowRefusals: true });
    expect(r.stderr).toContain('6 file(s), 3 rule(s), 2 correlation rule(s), 2 filter(s), 2 with errors');
    // JS has no module for a correlation: refused with the reason, the rest written (--allow-refusals).
    expect(r.stderr).toContain("error[JS100]: correlation rule 'Brute force on one account' has no JS module");
    expect(r.status).toBe(0);
    const files = tree();
    for (const [path, content] of files) {
      if (path === '.rulec-output' || RUNTIME.has(path)) continue;
      await expect.soft(content).toMatchFileSnapshot(join(FIXTURES, 'expected', path));
    }
    expect([...files.keys()].filter((p) => !RUNTIME.has(p)).sort()).toEqual(
      [
        '.rulec-output',
        `js/${EXPLICIT}.js`,
        `js/${SUCCESS}.js`,
        'js/index.js',
        `sentinel/${BRUTE}.arm.json`,
        `sentinel/${BRUTE}.yaml`,
        `sentinel/${BURST}.arm.json`,
        `sentinel/${BURST}.yaml`,
        `sentinel/${EXPLICIT}.arm.json`,
        `sentinel/${EXPLICIT}.yaml`,
        `sentinel/${SUCCESS}.arm.json`,
        `sentinel/${SUCCESS}.yaml`,
        'sentinel/rules.arm.json',
        `splunk/${BRUTE}.conf`,
        `splunk/${BURST}.conf`,
        `splunk/${EXPLICIT}.conf`,
        `splunk/${SUCCESS}.conf`,
        'splunk/savedsearches.conf',
      ].sort(),
    );
  });

  it('generate: false withholds the referenced rule from every target and every combined file; true keeps it', async () => {
    const r = await build(['rules']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      "info[RC741]: 'failed_login' is not deployed on its own: 'brute_force' does not generate it",
    );
    const files = tree();
    expect([...files.keys()].some((p) => p.includes(FAILED))).toBe(false);
    const conf = files.get('splunk/savedsearches.conf')!;
    // Stanzas in name order: the correlations among the rules.
    expect([...conf.matchAll(/^\[(.*)\]$/gm)].map((m) => m[1])).toEqual([
      'rulec - Brute force on one account - Rule',
      'rulec - Explicit credentials - Rule',
      'rulec - Logon burst from one address - Rule',
      'rulec - Successful login - Rule',
    ]);
    const arm = JSON.parse(files.get('sentinel/rules.arm.json')!) as { resources: { name: string }[] };
    expect(arm.resources.map((x) => x.name).sort()).toEqual([BRUTE, BURST, EXPLICIT, SUCCESS].sort());
    // The withheld rule's text is recorded all the same: a later scoped build needs it.
    expect(files.get('.rulec-output')).toContain('"../rules/failed_login.yml": {"source":');
  });

  it('schedules a correlation on its timespan: Sentinel queryPeriod/queryFrequency, Splunk cron and earliest', async () => {
    expect((await build(['rules'])).status).toBe(0);
    const files = tree();
    const yaml = files.get(`sentinel/${BRUTE}.yaml`)!;
    expect(yaml).toContain('queryFrequency: 15m\nqueryPeriod: 15m\n');
    expect(yaml).toContain("Correlation event_count over 15m (group-by TargetUserName) of the rules: 'failed_login'.");
    expect(yaml).toContain('tactics:\n  - CredentialAccess\nrelevantTechniques:\n  - T1110\n');
    const burst = files.get(`splunk/${BURST}.conf`)!;
    expect(burst).toContain('cron_schedule = 0 * * * *\n');
    expect(burst).toContain('dispatch.earliest_time = -1h\n');
    const arm = files.get(`sentinel/${BURST}.arm.json`)!;
    expect(arm).toContain('"queryFrequency": "PT1H"');
    expect(arm).toContain('"queryPeriod": "PT1H"');
  });

  it('a filter tunes the rules it names, and the correlations over them, in every target: the query has the `not`', async () => {
    expect((await build(['rules'])).status).toBe(0);
    const files = tree();
    expect(files.get(`splunk/${EXPLICIT}.conf`)).toContain(
      'search = source="XmlWinEventLog:Security" EventCode=4648 NOT IpAddress="10.0.0.5"',
    );
    // The correlation counts the tuned rule's events.
    expect(files.get(`splunk/${BRUTE}.conf`)).toContain('EventCode=4625 NOT IpAddress="10.0.0.5"');
    expect(files.get(`sentinel/${SUCCESS}.yaml`)).toContain('not(TargetUserName =~ "svc_backup")');
    for (const [target, text] of [
      ['elastic', 'not source.ip:10.0.0.5'],
      ['splunk', 'NOT IpAddress="10.0.0.5"'],
      ['sentinel', 'not(IpAddress =~ "10.0.0.5")'],
      ['js', '"10.0.0.5"'],
    ] as const) {
      const plain = compile(['rules/explicit_credentials.yml'], target);
      const tuned = compile(['rules/explicit_credentials.yml'], target, { filters: ['tuning'] });
      expect(tuned.status, tuned.stderr).toBe(0);
      expect(tuned.stdout, target).toContain(text);
      expect(plain.stdout, target).not.toContain('10.0.0.5');
    }
  });

  it('the artifacts say which filters were applied: a tag and a description line, in every target', async () => {
    const line = "Tuned by the filter 'Vulnerability scanner' (vuln_scanner): events it matches are excluded.";
    const tag = 'rulec.filter.vuln_scanner';
    const artifact = (target: string) =>
      compile(['rules/explicit_credentials.yml'], target, { artifact: true, filters: ['tuning'] }).stdout;
    const elastic = JSON.parse(artifact('elastic')) as { tags: string[]; description: string };
    expect(elastic.tags).toContain(tag);
    expect(elastic.description).toBe(`Explicit credentials\n\n${line}`);
    const sentinel = artifact('sentinel');
    expect(sentinel).toContain(`  ${line}\n`);
    expect(sentinel).toContain(`  tags:\n    - ${tag}\n`);
    const splunk = artifact('splunk');
    expect(splunk).toContain(`${line}\n`);
    expect(splunk).toContain(`action.correlationsearch.annotations = {"mitre_attack":["T1078"],"rulec":["${tag}"]}`);
    expect(artifact('js')).toContain(`"tags":["attack.t1078","${tag}"]`);
  });

  it('--filters folders are part of the cache key: adding one rebuilds', async () => {
    expect((await build(['rules'], { cache: true, filters: [] })).status).toBe(0);
    expect(tree().get(`splunk/${EXPLICIT}.conf`)).not.toContain('10.0.0.5');
    const again = await build(['rules'], { cache: true, filters: [] });
    expect(again.stderr).toContain('(cached)');
    const tuned = await build(['rules'], { cache: true });
    expect(tuned.stderr).not.toContain('(cached)');
    expect(tree().get(`splunk/${EXPLICIT}.conf`)).toContain('NOT IpAddress="10.0.0.5"');
  });

  it('a scoped build of one rule, one correlation or one filter leaves exactly the full build', async () => {
    expect((await build(['rules'])).status).toBe(0);
    const full = tree();
    for (const one of [
      'rules/explicit_credentials.yml',
      'rules/failed_login.yml',
      'rules/brute_force.yml',
      'rules/backup_service.yml',
      'rules/successful_login.yml',
    ]) {
      const r = await build([one]);
      expect(r.status, `${one}\n${r.stderr}`).toBe(0);
      expect(r.stderr, one).toContain('nothing changed');
      expect(tree(), one).toEqual(full);
    }
  });

  it('build --check passes after a build and names the correlation artifact that is stale', async () => {
    expect((await build(['rules'])).status).toBe(0);
    const ok = await build(['rules'], { check: true });
    expect(ok.stderr).toContain('is up to date');
    expect(ok.status).toBe(0);
    const file = join(dir, 'rules/brute_force.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('gte: 10', 'gte: 12'));
    const stale = await build(['rules'], { check: true });
    expect(stale.status).toBe(1);
    expect(stale.stdout).toContain(`differs  splunk/${BRUTE}.conf`);
    expect(stale.stdout).toContain('differs  splunk/savedsearches.conf');
    expect(stale.stdout).toContain(`differs  sentinel/${BRUTE}.yaml`);
  });

  it('a target that cannot render a correlation refuses it per target, located; nothing written', async () => {
    const r = await build(['rules'], { targets: ['splunk', 'js'] });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error[JS100]: correlation rule 'Brute force on one account' has no JS module");
    expect(r.stderr).toContain(`${join(dir, 'rules/brute_force.yml')}:12:3`);
    expect(r.stderr).toContain('error[RC913]: nothing written');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    // With --allow-refusals the rest is written; the refused correlation still withholds its rule.
    const allowed = await build(['rules'], { targets: ['splunk', 'js'], allowRefusals: true });
    expect(allowed.status).toBe(0);
    const modules = [...tree().keys()].filter((k) => /^js\/[0-9a-f-]{36}\.js$/.test(k));
    expect(modules.sort()).toEqual([`js/${SUCCESS}.js`, `js/${EXPLICIT}.js`].sort());
  });

  it('reference errors are located and block the write; a filter that applies to nothing is a warning', async () => {
    writeFileSync(
      join(dir, 'rules/broken.yml'),
      'title: Broken\ncorrelation:\n  type: event_count\n  rules: [no_such_rule]\n  timespan: 5m\n  condition: {gte: 2}\n',
    );
    const r = await build(['rules']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error[RC701]: 'no_such_rule' is the name or id of no rule in the files read");
    expect(r.stderr).toContain(`${join(dir, 'rules/broken.yml')}:4:11`);
    expect(r.stderr).toContain('error[RC913]: nothing written');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    rmSync(join(dir, 'rules/broken.yml'));
    const unused = await build(['rules'], { filters: [join(dir, 'other')] });
    expect(unused.stderr).toContain("warning[RC740]: the filter 'Linux only' applies to no rule");
    expect(unused.stderr).toContain(`${join(dir, 'other/linux_only.yml')}:6:3`);
    expect(unused.status).toBe(0);
  });

  it('--filters takes only filters (RC742 for anything else) and a folder that does not exist writes nothing', async () => {
    writeFileSync(
      join(dir, 'tuning/stray.yml'),
      readFileSync(join(dir, 'rules/failed_login.yml'), 'utf8')
        .replace(/name: .*\n/, 'name: stray\n')
        .replace(/id: .*\n/, ''),
    );
    const r = await build(['rules']);
    expect(r.stderr).toContain("warning[RC742]: 'Failed login' is a detection rule in a --filters folder");
    expect(r.status).toBe(0);
    expect([...tree().keys()].some((p) => p.includes('stray'))).toBe(false);
    rmSync(join(dir, 'dist'), { recursive: true });
    const missing = await build(['rules'], { filters: [join(dir, 'nowhere')] });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('RC030');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
  });
});

describe('rulec coverage with correlation rules', () => {
  it('counts each correlation as a rule of every target, refusals per target', async () => {
    const capture = io();
    const status = await coverageCommand(
      [join(dir, 'rules')],
      { targets: ['splunk', 'js'], format: 'text' },
      BACKENDS,
      capture,
    );
    expect(status).toBe(0);
    expect(capture.out).toMatch(/^splunk +5 +3 +2 +0 /m);
    expect(capture.out).toMatch(/^js +5 +3 +0 +2 /m);
    expect(capture.out).toContain('js refusals: JS100×2');
    expect(capture.out).toContain('3 rules, 2 correlation rule(s), 1 filter(s) (0 file(s) with errors)');
  });
});

describe('rulec compile with correlation rules', () => {
  it('--artifact streams the correlation after the rules; the withheld rule is left out of the stream', () => {
    const r = compile(['rules'], 'sentinel', { artifact: true, filters: ['tuning'] });
    expect(r.status, r.stderr).toBe(0);
    const ids = [...r.stdout.matchAll(/^id: (.*)$/gm)].map((m) => m[1]);
    expect(ids).toEqual([EXPLICIT, SUCCESS, BRUTE, BURST]);
  });

  it('prints no standalone query for a withheld rule, but labels its place', () => {
    const r = compile(['rules/failed_login.yml', 'rules/brute_force.yml'], 'splunk');
    expect(r.stdout).toContain(
      "==> not deployed on its own, only through the correlation 'brute_force' (generate: false): Failed login",
    );
    expect(r.stdout.match(/EventCode=4625/g)).toHaveLength(1);
    expect(r.status).toBe(0);
  });
});

describe('--filters on every command (binary)', () => {
  it('compile, match and test take --filters DIR (repeatable)', () => {
    const compiled = runRulec([
      'compile',
      '-t',
      'splunk',
      join(dir, 'rules/explicit_credentials.yml'),
      '--filters',
      join(dir, 'tuning'),
      '--filters',
      join(dir, 'other'),
    ]);
    expect(compiled.stdout).toContain('NOT IpAddress="10.0.0.5"');
    expect(compiled.stderr).toContain('warning[RC740]');
    const events = join(dir, 'events.ndjson');
    writeFileSync(
      events,
      `${JSON.stringify({ EventID: 4648, IpAddress: '10.0.0.5' })}\n${JSON.stringify({ EventID: 4648, IpAddress: '10.0.0.6' })}\n`,
    );
    const matched = runRulec([
      'match',
      '--rules',
      join(dir, 'rules/explicit_credentials.yml'),
      '--filters',
      join(dir, 'tuning'),
      events,
    ]);
    expect(matched.status, matched.stderr).toBe(0);
    expect(matched.stdout.trim().split('\n')).toHaveLength(1);
    expect(matched.stdout).toContain('10.0.0.6');
    const rule = join(dir, 'rules/explicit_credentials.yml');
    writeFileSync(
      rule,
      `${readFileSync(rule, 'utf8')}tests:\n  - name: the scanner is tuned out\n    event: {EventID: 4648, IpAddress: 10.0.0.5}\n    match: false\n`,
    );
    expect(runRulec(['test', rule]).status).toBe(1);
    expect(runRulec(['test', rule, '--filters', join(dir, 'tuning')]).status).toBe(0);
  });
});

describe('fixture', () => {
  it('holds the files the tests name', () => {
    expect(readdirSync(join(FIXTURES, 'rules')).sort()).toEqual([
      'backup_service.yml',
      'brute_force.yml',
      'explicit_credentials.yml',
      'failed_login.yml',
      'logon_burst.yml',
      'successful_login.yml',
    ]);
  });
});
