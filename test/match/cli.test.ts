import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMatch } from '../../src/cli/match.js';
import type { MatchIo } from '../../src/cli/match.js';
import { runTests } from '../../src/cli/test-command.js';
import { readEvents } from '../../src/match/read-events.js';
import { referenceFactory } from './reference-predicate.js';

const RULE = `title: Mailbox audit bypass
id: 675239ea-c1bc-4467-a6d3-b9e2cc7f676d
author: Elastic
status: stable
description: Detects a mailbox audit bypass association.
logsource:
    product: m365
    service: audit
detection:
    selection:
        Workload: Exchange
        Operation: Set-MailboxAuditBypassAssociation
        ResultStatus: 'True'
    condition: selection
level: medium
`;

/** Synthetic Exchange-admin records (the shape of docs: RecordType 1, Parameters as Name/Value). */
const bypass = {
  RecordType: 1,
  Workload: 'Exchange',
  Operation: 'Set-MailboxAuditBypassAssociation',
  ResultStatus: 'True',
  Parameters: [{ Name: 'AuditBypassEnabled', Value: 'True' }],
};
const other = { ...bypass, Operation: 'Set-Mailbox' };

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'rulec-match-'));
}

function captureIo(extra: Partial<MatchIo> = {}): MatchIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    isTty: false,
    stdout(text: string) {
      io.out += text;
    },
    stderr(text: string) {
      io.err += text;
    },
    ...extra,
  };
  return io;
}

describe('readEvents', () => {
  it('streams a file in small chunks, and stdin', async () => {
    const dir = tempDir();
    const file = join(dir, 'e.ndjson');
    writeFileSync(file, `${JSON.stringify(bypass)}\n${JSON.stringify(other)}\n`);
    const lines: number[] = [];
    for await (const r of readEvents(file, { chunkSize: 7 })) lines.push(r.source.line);
    expect(lines).toEqual([1, 2]);
    const fromStdin: unknown[] = [];
    for await (const r of readEvents('-', { stdin: chunks('[{"a":', '1}]') })) fromStdin.push(r);
    // With the JSON text it was parsed from (an item of a top-level array is read as a value of its own).
    expect(fromStdin).toEqual([{ event: { a: 1 }, source: { file: '<stdin>', line: 1 }, text: '{"a":1}' }]);
  });

  it('reports an unreadable input as a diagnostic', async () => {
    const codes: string[] = [];
    for await (const _ of readEvents('/nonexistent/events.json', { onDiagnostic: (d) => codes.push(d.code) })) void _;
    expect(codes).toEqual(['RC950']);
  });
});

describe('rulec match', () => {
  it('writes one NDJSON line per match and a summary', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rule.yml'), RULE);
    const events = join(dir, 'events.ndjson');
    writeFileSync(events, [bypass, other, bypass].map((e) => JSON.stringify(e)).join('\n'));
    const io = captureIo();
    const code = await runMatch({ rules: [join(dir, 'rule.yml')], inputs: [events] }, referenceFactory, io);
    expect(code).toBe(0);
    const lines = io.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { rule: Record<string, unknown>; event: unknown });
    expect(lines).toHaveLength(2);
    expect(lines[0]!.rule).toEqual({
      id: '675239ea-c1bc-4467-a6d3-b9e2cc7f676d',
      title: 'Mailbox audit bypass',
      level: 'medium',
      author: 'Elastic',
    });
    expect(lines[0]!.event).toEqual(bypass);
    expect(io.err).toMatch(/^3 events, 2 matches, 1 rules in /m);
    expect(io.err).toMatch(/^ {7}2 {2}Mailbox audit bypass \(675239ea/m);
  });

  it('prints pointers, reads stdin, writes to a file and fails on malformed events', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rule.yml'), RULE);
    const output = join(dir, 'out.ndjson');
    const io = captureIo({ stdin: chunks(`${JSON.stringify(other)}\n{oops\n${JSON.stringify(bypass)}\n`) });
    const code = await runMatch({ rules: [dir], inputs: ['-'], pointer: true, output }, referenceFactory, io);
    expect(code).toBe(1);
    expect(io.err).toContain('warning[RC951]: <stdin>:2: malformed JSON');
    expect(JSON.parse(readFileSync(output, 'utf8'))).toEqual({
      rule: {
        id: '675239ea-c1bc-4467-a6d3-b9e2cc7f676d',
        title: 'Mailbox audit bypass',
        level: 'medium',
        author: 'Elastic',
      },
      source: { file: '<stdin>', line: 3 },
    });
    expect(io.out).toBe('');
  });

  it('flattens evtx records and rejects an unknown format', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'rule.yml'),
      RULE.replace(
        /logsource:[\s\S]*level/,
        "logsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        Image|endswith: '\\whoami.exe'\n    condition: sel\nlevel",
      ),
    );
    const record = {
      Event: {
        System: { EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational' },
        EventData: { Image: 'C:\\Windows\\System32\\WHOAMI.EXE' },
      },
    };
    const events = join(dir, 'e.json');
    writeFileSync(events, JSON.stringify(record, null, 2));
    const io = captureIo();
    expect(
      await runMatch({ rules: [dir], inputs: [events], format: 'evtx', pointer: true }, referenceFactory, io),
    ).toBe(0);
    expect(io.out.trim().split('\n')).toHaveLength(1);
    const bad = captureIo();
    expect(await runMatch({ rules: [dir], inputs: [events], format: 'csv' }, referenceFactory, bad)).toBe(2);
    expect(bad.err).toContain("unknown event format 'csv'");
  });
});

describe('rulec test', () => {
  const withTests = (tests: string): string => `${RULE}tests:\n${tests}`;

  it('runs inline and file cases and prints the totals line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bypass.ndjson'), `${JSON.stringify(other)}\n${JSON.stringify(bypass)}\n`);
    writeFileSync(
      join(dir, 'rule.yml'),
      withTests(
        `    - name: the bypass
      event: ${JSON.stringify(bypass)}
      match: true
    - event: ${JSON.stringify(other)}
      match: false
    - file: bypass.ndjson
      match: true
`,
      ),
    );
    const io = captureIo();
    expect(runTests([dir], referenceFactory, io, { verbose: true })).toBe(0);
    expect(io.out).toContain('  PASS the bypass\n  PASS tests[1]\n  PASS tests[2]');
    expect(io.out.trim().split('\n').pop()).toBe('3 passed, 0 failed');
  });

  it('explains a failure with the fields the rule tests, and exits 1', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'rule.yml'),
      withTests(`    - name: should match but status is missing
      event: {Workload: Exchange, Operation: Set-MailboxAuditBypassAssociation}
      match: true
    - file: missing.json
      match: false
`),
    );
    const io = captureIo();
    expect(runTests([dir], referenceFactory, io)).toBe(1);
    expect(io.out).toContain(
      '  FAIL should match but status is missing\n       expected a match, the event did not match',
    );
    expect(io.out).toMatch(
      /Workload +"Exchange"\n +Operation +"Set-MailboxAuditBypassAssociation"\n +ResultStatus +\(missing\)/,
    );
    expect(io.out).toMatch(/FAIL tests\[1\]\n.*RC973.*does not exist/);
    expect(io.out.trim().split('\n').pop()).toBe('0 passed, 2 failed');
  });

  it('warns about rules without tests but does not fail', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rule.yml'), RULE);
    const io = captureIo();
    expect(runTests([dir], referenceFactory, io)).toBe(0);
    expect(io.err).toContain('warning[RC953]: ');
    expect(io.out).toBe('0 passed, 0 failed\n');
  });
});
