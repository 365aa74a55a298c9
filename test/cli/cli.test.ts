/** The CLI driven in-process through injectable streams. */
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  copyFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

const SEED = 'rules/m365/o365_mailbox_audit_logging_bypass.yml';
const SEED_KQL =
  'event.dataset:o365.audit and event.provider:Exchange and event.action:Set-MailboxAuditBypassAssociation and event.outcome:success';

function io(): CliIo & { out: string; err: string } {
  const sink = {
    out: '',
    err: '',
    isTty: false,
    stdout(s: string) {
      sink.out += s;
    },
    stderr(s: string) {
      sink.err += s;
    },
  };
  return sink;
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('rulec compile', () => {
  it('prints the seed query for elastic, exactly', async () => {
    const s = io();
    const code = await runCli(['compile', '--target', 'elastic', SEED], BACKENDS, s);
    // Only the EL208 case notes for event.provider and event.action (the query is Elastic's own).
    expect(s.err.match(/^\w+\[\w+\]/gm)).toEqual(['warning[EL208]', 'warning[EL208]']);
    expect(code).toBe(0);
    expect(s.out).toBe(`${SEED_KQL}\n`);
  });

  it('exits 2 on an unknown target', async () => {
    const s = io();
    expect(await runCli(['compile', '--target', 'qradar', SEED], BACKENDS, s)).toBe(2);
    expect(s.err).toContain("unknown target 'qradar'");
  });

  it('prints artifacts with --artifact', async () => {
    const s = io();
    expect(await runCli(['compile', '--target', 'elastic', '--artifact', SEED], BACKENDS, s)).toBe(0);
    expect(s.out).toContain('"rule_id": "675239ea-c1bc-4467-a6d3-b9e2cc7f676d"');
  });
});

describe('rulec validate', () => {
  it('is clean on rules/', async () => {
    const s = io();
    expect(await runCli(['validate', 'rules'], BACKENDS, s)).toBe(0);
  });

  it('exits 1 with located errors on a bad rule', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'title: Bad\nlogsource: {product: x}\ndetection:\n  sel:\n    a|contians: b\n  condition: sel\n',
    );
    const s = io();
    expect(await runCli(['validate', bad], BACKENDS, s)).toBe(1);
    expect(s.out + s.err).toMatch(/bad\.yml:5:/);
  });
});

describe('rulec build', () => {
  function tree(root: string): string[] {
    const out: string[] = [];
    const walk = (d: string, prefix: string): void => {
      for (const name of readdirSync(d).sort()) {
        const full = join(d, name);
        if (
          existsSync(full) &&
          readdirSync(d, { withFileTypes: true })
            .find((e) => e.name === name)
            ?.isDirectory()
        )
          walk(full, `${prefix}${name}/`);
        else out.push(`${prefix}${name}`);
      }
    };
    walk(root, '');
    return out;
  }

  it('builds every target, is deterministic, and --check detects drift and stale files', async () => {
    const out = join(dir, 'dist');
    const s1 = io();
    expect(await runCli(['build', SEED, '--out', out], BACKENDS, s1)).toBe(0);
    const first = tree(out);
    for (const t of ['elastic', 'sentinel', 'splunk', 'js'])
      expect(first.some((p) => p.startsWith(`${t}/`))).toBe(true);
    const s2 = io();
    expect(await runCli(['build', SEED, '--out', out, '--check'], BACKENDS, s2)).toBe(0);
    // Drift: edit one file and add a stale one.
    const artifact = first.find((p) => !p.startsWith('.'))!;
    const someFile = join(out, artifact);
    writeFileSync(someFile, `${readFileSync(someFile, 'utf8')}x`);
    writeFileSync(join(out, 'elastic', 'removed-rule.json'), '{}\n');
    const s3 = io();
    expect(await runCli(['build', SEED, '--out', out, '--check'], BACKENDS, s3)).toBe(1);
    expect(s3.out).toContain(`differs  ${artifact}`);
    expect(s3.out).toContain('stale    elastic/removed-rule.json');
    // A build repairs both.
    expect(await runCli(['build', SEED, '--out', out], BACKENDS, io())).toBe(0);
    expect(tree(out)).toEqual(first);
    for (const p of first) expect(readFileSync(join(out, p), 'utf8').endsWith('\n')).toBe(true);
  });

  it('with --allow-errors builds the good rules of a tree with one bad file, exits 1, and leaves no partial file', async () => {
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    copyFileSync(SEED, join(rules, 'good.yml'));
    writeFileSync(join(rules, 'bad.yml'), 'title: [unclosed\n');
    const out = join(dir, 'dist');
    const s = io();
    expect(await runCli(['build', rules, '--out', out, '--allow-errors'], BACKENDS, s)).toBe(1);
    expect(s.err).toMatch(/bad\.yml/);
    const files = tree(out);
    expect(files).toContain('elastic/675239ea-c1bc-4467-a6d3-b9e2cc7f676d.json');
    expect(readdirSync(dir).filter((n) => n.includes('staging') || n.includes('previous'))).toEqual([]);
  });
});

describe('rulec match and rulec test', () => {
  it('runs the seed on raw records and, with --format ecs, on ECS documents through the ECS target mapping', async () => {
    const raw = join(dir, 'raw.ndjson');
    const positive = JSON.parse(
      readFileSync('rules/m365/o365_mailbox_audit_logging_bypass.events/bypass-set-true.json', 'utf8'),
    ) as Record<string, unknown>;
    writeFileSync(raw, `${JSON.stringify(positive)}\n${JSON.stringify({ ...positive, ResultStatus: 'False' })}\n`);
    const s1 = io();
    expect(await runCli(['match', '--pointer', raw], BACKENDS, s1)).toBe(0);
    expect(
      s1.out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { source: { line: number } }).source.line),
    ).toEqual([1]);

    const ecs = join(dir, 'ecs.ndjson');
    const doc = (outcome: string) => ({
      event: { dataset: 'o365.audit', provider: 'Exchange', action: 'Set-MailboxAuditBypassAssociation', outcome },
    });
    writeFileSync(ecs, `${JSON.stringify(doc('failure'))}\n${JSON.stringify(doc('success'))}\n`);
    const s2 = io();
    expect(await runCli(['match', '--format', 'ecs', '--pointer', ecs], BACKENDS, s2)).toBe(0);
    expect(
      s2.out
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { source: { line: number } }).source.line),
    ).toEqual([2]);
  });

  it("passes the seed rule's own tests and prints the totals line", async () => {
    const s = io();
    expect(await runCli(['test', 'rules'], BACKENDS, s)).toBe(0);
    expect(s.out + s.err).toMatch(/^6 passed, 0 failed$/m);
  });
});

describe('rulec build cache', () => {
  it('replays an unchanged build, and compiles again when a rule or the output changes', async () => {
    const rules = join(dir, 'rules');
    mkdirSync(rules);
    copyFileSync(SEED, join(rules, 'seed.yml'));
    const out = join(dir, 'dist');
    const first = io();
    expect(await runCli(['build', rules, '--out', out], BACKENDS, first)).toBe(0);
    expect(first.err).not.toContain('(cached)');
    const second = io();
    expect(await runCli(['build', rules, '--out', out], BACKENDS, second)).toBe(0);
    expect(second.err).toContain('nothing to do (cached)');
    // An edited output is repaired by a real build, not replayed.
    writeFileSync(join(out, 'elastic', 'rules.ndjson'), 'tampered\n');
    const third = io();
    expect(await runCli(['build', rules, '--out', out], BACKENDS, third)).toBe(0);
    expect(third.err).not.toContain('(cached)');
    expect(readFileSync(join(out, 'elastic', 'rules.ndjson'), 'utf8')).toContain('675239ea');
    // An edited rule is compiled again.
    writeFileSync(join(rules, 'seed.yml'), readFileSync(SEED, 'utf8').replace('version: 207', 'version: 208'));
    const fourth = io();
    expect(await runCli(['build', rules, '--out', out], BACKENDS, fourth)).toBe(0);
    expect(fourth.err).not.toContain('(cached)');
    expect(readFileSync(join(out, 'elastic', '675239ea-c1bc-4467-a6d3-b9e2cc7f676d.json'), 'utf8')).toContain(
      '"version": 208',
    );
  });
});
