/** `rulec test` on correlation rules: ordered, timestamped events and the alerts expected (src/ruletest/correlation.ts). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MatchIo } from '../../src/cli/match.js';
import { runTests } from '../../src/cli/test-command.js';
import { factory } from '../match/factory.js';
import { runRulec } from '../helpers/run-rulec.js';

const RULES = `title: Failed logon
name: failed_logon
logsource: {product: windows, service: security}
detection: {selection: {EventID: 4625}, condition: selection}
---
title: Successful logon
name: successful_logon
logsource: {product: windows, service: security}
detection: {selection: {EventID: 4624}, condition: selection}
`;

const at = (minute: number) => `2024-01-01T00:${String(minute).padStart(2, '0')}:00Z`;
const failed = (minute: number, user = 'bob') => `{'@timestamp': '${at(minute)}', EventID: 4625, User: ${user}}`;
const success = (minute: number, user = 'bob') => `{'@timestamp': '${at(minute)}', EventID: 4624, User: ${user}}`;

function correlation(type: string, condition: string, tests: string): string {
  return `${RULES}---
title: Brute force then success
correlation:
  type: ${type}
  rules: [failed_logon, successful_logon]
  group-by: [User]
  timespan: 10m
${condition}tests:
${tests}`;
}

function captureIo(): MatchIo & { out: string; err: string } {
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
  };
  return io as MatchIo & { out: string; err: string };
}

function folder(text: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-corrtest-'));
  writeFileSync(join(dir, 'c.yml'), text);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

describe('rulec test with correlation rules', () => {
  it('passes when the alerts are exactly the expected ones, in order, with value and window when given', () => {
    const dir = folder(
      correlation(
        'event_count',
        '  condition: {gte: 3}\n',
        `  - name: three failures for bob, two for eve
    events:
      - ${failed(0)}
      - ${failed(1, 'eve')}
      - ${failed(2)}
      - ${failed(3, 'eve')}
      - ${success(4)}
    alerts:
      - group: {User: bob}
        value: 3
        start: '${at(0)}'
        end: '${at(4)}'
  - name: quiet
    events: [${failed(0)}, ${failed(30)}, ${failed(60 - 1)}]
    alerts: []
  - file: events.ndjson
    alerts: [{group: {User: eve}}]
`,
      ),
      {
        'events.ndjson': [0, 1, 2]
          .map((m) => JSON.stringify({ '@timestamp': at(m), EventID: 4625, User: 'eve' }))
          .join('\n'),
      },
    );
    const io = captureIo();
    expect(runTests([dir], factory, io, { verbose: true })).toBe(0);
    expect(io.out).toContain(
      'Brute force then success\n  PASS three failures for bob, two for eve\n  PASS quiet\n  PASS tests[2]',
    );
    expect(io.out.trim().split('\n').pop()).toBe('3 passed, 0 failed');
  });

  it('a chain (the specification example): ten failures then a success alert, nine failures do not', () => {
    // Failures at minutes 0…n-1, the success at minute 10: the inner correlation fires at the tenth failure.
    const events = (n: number) => `[${Array.from({ length: n }, (_, k) => failed(k)).join(', ')}, ${success(10)}]`;
    const dir = folder(`${RULES}---
title: Multiple failed logons
name: many_failures
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [User]
  timespan: 10m
  condition: {gte: 10}
---
title: Failures then success
correlation:
  type: temporal_ordered
  rules: [many_failures, successful_logon]
  group-by: [User]
  timespan: 10m
tests:
  - name: ten failures then a success
    events: ${events(10)}
    alerts: [{group: {User: bob}}]
  - name: nine failures then a success
    events: ${events(9)}
    alerts: []
`);
    const io = captureIo();
    expect(runTests([dir], factory, io, { verbose: true }), io.out + io.err).toBe(0);
    expect(io.out).toContain('Failures then success\n  PASS ten failures then a success\n  PASS nine failures');
  });

  it('temporal_ordered: the order of the events decides', () => {
    const dir = folder(
      correlation(
        'temporal_ordered',
        '',
        `  - name: failure then success
    events: [${failed(0)}, ${success(5)}]
    alerts: [{group: {User: bob}, value: 2}]
  - name: success then failure
    events: [${success(0)}, ${failed(5)}]
    alerts: []
`,
      ),
    );
    const io = captureIo();
    expect(runTests([dir], factory, io)).toBe(0);
    expect(io.out).toBe('2 passed, 0 failed\n');
  });

  it('a wrong expectation fails, lists the alerts raised, is located on its tests: entry, exit 1', () => {
    const text = correlation(
      'event_count',
      '  condition: {gte: 2}\n',
      `  - name: expects eve
    events: [${failed(0)}, ${failed(1)}]
    alerts: [{group: {User: eve}}]
`,
    );
    const dir = folder(text);
    const io = captureIo();
    expect(runTests([dir], factory, io)).toBe(1);
    expect(io.out).toContain(
      '  FAIL expects eve\n       expected 1 alert(s), got 1:\n         group {"User":"bob"} value 2 window 2024-01-01T00:00:00.000Z .. 2024-01-01T00:01:00.000Z events [1,2]',
    );
    const r = runRulec(['test', dir, '--format', 'json']);
    expect(r.status).toBe(1);
    const line = text.split('\n').indexOf('  - name: expects eve') + 1;
    const diagnostics = (JSON.parse(r.stdout) as { diagnostics: Record<string, unknown>[] }).diagnostics;
    expect(diagnostics.find((d) => d['code'] === 'RC139')).toMatchObject({
      message: "test 'expects eve' failed: expected 1 alert(s), got 1",
      line,
      col: 5,
    });
  });

  it('an event without a readable time fails the case with the reason', () => {
    const dir = folder(
      correlation(
        'event_count',
        '  condition: {gte: 2}\n',
        `  - events: [{EventID: 4625, User: bob}]\n    alerts: []\n`,
      ),
    );
    const io = captureIo();
    expect(runTests([dir], factory, io)).toBe(1);
    expect(io.out).toContain('FAIL tests[0]\n       event 1 has no readable time (no time field)');
  });

  it('the schema refuses a case without alerts, located', () => {
    const text = correlation('event_count', '  condition: {gte: 2}\n', `  - events: [${failed(0)}]\n`);
    const r = runRulec(['test', folder(text)]);
    expect(r.status).toBe(1);
    const line = text.split('\n').length - 1;
    expect(r.stderr).toContain(`error[RC108]: 'tests[0]' matches none of the allowed shapes\n --> `);
    expect(r.stderr).toContain(`c.yml:${line}:5`);
  });
});
