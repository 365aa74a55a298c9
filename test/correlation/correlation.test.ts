/** Correlation rules and filters: located reference errors, the streaming correlator, filters, and the CLI. */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlation/correlator.js';
import { resolveReferences } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';
import { runRulec } from '../helpers/run-rulec.js';

const FAILED = `title: Failed login
name: failed_login
id: 53ba33fd-3a50-4468-a5ef-c583635cfa92
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Successful login
name: successful_login
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624}
  condition: selection
`;

function load(...texts: string[]) {
  const all = texts.map((t, i) => readRuleFile(`f${i}.yml`, t));
  const rules = all.flatMap((r) => r.rules);
  const correlations = all.flatMap((r) => r.correlations);
  const filters = all.flatMap((r) => r.filters);
  return { all, rules, correlations, filters, resolution: resolveReferences(rules, correlations, filters) };
}

const at = (d: { code: string; file?: string; span?: { start: { line: number; col: number } } }) =>
  `${d.code} ${d.file}:${d.span?.start.line}:${d.span?.start.col}`;

describe('references', () => {
  it('resolve by name and by id across files', () => {
    const { resolution } = load(
      FAILED,
      `title: c\ncorrelation:\n  type: temporal\n  rules: [53ba33fd-3a50-4468-a5ef-c583635cfa92, successful_login]\n  group-by: [User]\n  timespan: 5m\n`,
    );
    expect(resolution.diagnostics).toEqual([]);
    expect(resolution.correlations[0]!.targets.map((t) => t.title)).toEqual(['Failed login', 'Successful login']);
  });

  it('a missing and an ambiguous reference are located errors', () => {
    const { resolution } = load(
      FAILED,
      'title: again\nname: failed_login\nlogsource: {product: x}\ndetection:\n  s: {a: 1}\n  condition: s\n',
      `title: c\ncorrelation:\n  type: event_count\n  rules:\n    - nowhere\n    - failed_login\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n`,
    );
    expect(resolution.diagnostics.map(at)).toEqual(['RC701 f2.yml:5:7', 'RC702 f2.yml:6:7']);
    expect(resolution.correlations).toEqual([]);
  });

  it('a cycle is a located error and neither correlation runs', () => {
    const { resolution } = load(
      `title: a\nname: a\ncorrelation:\n  type: event_count\n  rules: [b]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n---\ntitle: b\nname: b\ncorrelation:\n  type: event_count\n  rules: [a]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n`,
    );
    expect(resolution.diagnostics.map(at)).toEqual(['RC703 f0.yml:14:11']);
    expect(resolution.diagnostics[0]!.message).toContain("'a' → 'b' → 'a'");
    expect(resolution.correlations).toEqual([]);
  });

  it('an alias that misses a referenced rule, or names another, is located at the alias', () => {
    const { resolution } = load(
      FAILED,
      `title: c\ncorrelation:\n  type: temporal\n  rules: [failed_login, successful_login]\n  group-by: [ip]\n  timespan: 5m\n  aliases:\n    ip:\n      failed_login: src\n      other_rule: dst\n`,
    );
    expect(resolution.diagnostics.map(at)).toEqual(['RC704 f1.yml:8:5', 'RC705 f1.yml:8:5']);
    expect(resolution.diagnostics[0]!.message).toContain("'successful_login'");
  });

  it('grouping an outer correlation by a field the inner one does not group by is located at group-by', () => {
    const { resolution } = load(
      FAILED,
      `title: inner\nname: inner\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n---\ntitle: outer\ncorrelation:\n  type: temporal_ordered\n  rules: [inner, successful_login]\n  group-by: [User, Computer]\n  timespan: 5m\n`,
    );
    expect(resolution.diagnostics.map(at)).toEqual(['RC706 f1.yml:14:20']);
  });

  it('schema errors of a correlation are located like a rule', () => {
    const r = readRuleFile(
      'c.yml',
      'title: c\ncorrelation:\n  type: event_cnt\n  rules: [x]\n  timespan: 5 minutes\n  condition: {gte: 2}\n',
    );
    expect(r.diagnostics.map(at)).toEqual(['RC103 c.yml:3:9', 'RC104 c.yml:5:13']);
    const v = readRuleFile(
      'v.yml',
      'title: v\ncorrelation:\n  type: value_count\n  rules: [x]\n  timespan: 5m\n  condition: {gte: 2}\n',
    );
    expect(v.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      "RC101 missing required field 'field' in 'correlation.condition'",
    ]);
  });
  it('filters: a logsource that does not match is a warning, a filter naming a correlation or a correlation naming a filter an error', () => {
    const { resolution } = load(
      FAILED,
      `title: f\nname: f\nlogsource: {product: linux}\nfilter:\n  rules: [failed_login, c]\n  selection: {User: adm}\n  condition: selection\n`,
      `title: c\nname: c\ncorrelation:\n  type: event_count\n  rules: [f]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 2}\n`,
    );
    expect(resolution.diagnostics.map((d) => `${at(d)} ${d.severity}`)).toEqual([
      'RC709 f2.yml:5:11 error',
      'RC708 f1.yml:5:11 warning',
      'RC707 f1.yml:5:25 error',
    ]);
    expect(resolution.filtersOf.size).toBe(0);
  });
});

/** Feeds (rule index, minute, fields) to the correlator of one correlation referring to FAILED's two rules. */
function run(correlation: string, events: [number, number, Record<string, unknown>][]) {
  const { rules, resolution } = load(FAILED, correlation);
  expect(resolution.diagnostics).toEqual([]);
  const correlator = new Correlator(resolution.correlations);
  const alerts = events.flatMap(([rule, minute, fields], n) =>
    correlator.push(rules[rule], Date.UTC(2024, 0, 1, 0, minute), fields, n),
  );
  return [...alerts, ...correlator.finish()].map((a) => ({ group: a.group, value: a.value, events: a.events }));
}

const corr = (type: string, extra: string) =>
  `title: c\ncorrelation:\n  type: ${type}\n  rules: [failed_login${type.startsWith('temporal') ? ', successful_login' : ''}]\n  group-by: [User]\n  timespan: 10m\n${extra}`;

describe('correlator (the specification text of each type)', () => {
  it('event_count: gte N events of one group within the timespan fire once, other groups do not', () => {
    // "More than or equal N failed login attempts … in an hour", per group-by value.
    const alerts = run(corr('event_count', '  condition: {gte: 3}\n'), [
      [0, 0, { User: 'bob' }],
      [0, 1, { User: 'eve' }],
      [0, 2, { User: 'bob' }],
      [0, 20, { User: 'bob' }], // the first two fell out of the 10-minute window
      [0, 25, { User: 'bob' }],
      [0, 29, { User: 'bob' }], // 20, 25, 29: three within 10 minutes
      [0, 30, { User: 'eve' }],
    ]);
    expect(alerts).toEqual([{ group: { User: 'bob' }, value: 3, events: [3, 4, 5] }]);
  });

  it('a late event takes its place in time order', () => {
    const alerts = run(corr('event_count', '  condition: {gte: 3}\n'), [
      [0, 20, { User: 'bob' }],
      [0, 31, { User: 'bob' }],
      [0, 25, { User: 'bob' }], // late, but within 10 minutes of 31: 25 and 31 count, 20 has left the window
      [0, 33, { User: 'bob' }],
    ]);
    expect(alerts).toEqual([{ group: { User: 'bob' }, value: 3, events: [2, 1, 3] }]);
  });

  it('event_count with an upper bound is judged when the window closes', () => {
    const alerts = run(corr('event_count', '  condition: {gte: 2, lte: 3}\n'), [
      [0, 0, { User: 'bob' }],
      [0, 1, { User: 'bob' }],
      [0, 0, { User: 'eve' }],
      [0, 1, { User: 'eve' }],
      [0, 2, { User: 'eve' }],
      [0, 3, { User: 'eve' }],
    ]);
    expect(alerts).toEqual([{ group: { User: 'bob' }, value: 2, events: [0, 1] }]);
  });

  it('value_count counts distinct values of condition.field per group', () => {
    // "Failed logon attempts with more than N different user accounts per source."
    const alerts = run(
      'title: c\ncorrelation:\n  type: value_count\n  rules: [failed_login]\n  group-by: [Computer]\n  timespan: 10m\n  condition: {field: User, gte: 3}\n',
      [
        [0, 0, { Computer: 'h1', User: 'a' }],
        [0, 1, { Computer: 'h1', User: 'a' }],
        [0, 2, { Computer: 'h1', User: 'b' }],
        [0, 3, { Computer: 'h2', User: 'c' }],
        [0, 4, { Computer: 'h1', User: 'c' }],
      ],
    );
    expect(alerts).toEqual([{ group: { Computer: 'h1' }, value: 3, events: [0, 1, 2, 4] }]);
  });

  it('value_count with several fields counts distinct combinations (the fields are AND-linked)', () => {
    const alerts = run(
      'title: c\ncorrelation:\n  type: value_count\n  rules: [failed_login]\n  group-by: [Computer]\n  timespan: 10m\n  condition: {field: [User, Domain], gte: 2}\n',
      [
        [0, 0, { Computer: 'h1', User: 'a', Domain: 'x' }],
        [0, 1, { Computer: 'h1', User: 'a', Domain: 'x' }],
        [0, 2, { Computer: 'h1', User: 'a' }], // no Domain: no value
        [0, 3, { Computer: 'h1', User: 'a', Domain: 'y' }],
      ],
    );
    expect(alerts).toEqual([{ group: { Computer: 'h1' }, value: 2, events: [0, 1, 2, 3] }]);
  });

  it('temporal: every referenced rule within the timespan, in any order', () => {
    const alerts = run(corr('temporal', ''), [
      [1, 0, { User: 'bob' }],
      [0, 5, { User: 'bob' }],
      [1, 0, { User: 'eve' }],
      [0, 30, { User: 'eve' }], // 30 minutes apart: no
    ]);
    expect(alerts).toEqual([{ group: { User: 'bob' }, value: 2, events: [0, 1] }]);
  });

  it('temporal_ordered: the rules in the order given, within the timespan', () => {
    const alerts = run(corr('temporal_ordered', ''), [
      [1, 0, { User: 'eve' }], // success before failure: wrong order
      [0, 1, { User: 'eve' }],
      [0, 0, { User: 'bob' }],
      [1, 4, { User: 'bob' }],
    ]);
    expect(alerts).toEqual([{ group: { User: 'bob' }, value: 2, events: [2, 3] }]);
  });

  it('value_sum and value_avg aggregate condition.field over the window', () => {
    const feed: [number, number, Record<string, unknown>][] = [
      [0, 0, { User: 'bob', bytes: 400 }],
      [0, 1, { User: 'bob', bytes: '700' }],
      [0, 2, { User: 'eve', bytes: 100 }],
    ];
    const sum = run(
      'title: c\ncorrelation:\n  type: value_sum\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {field: bytes, gt: 1000}\n',
      feed,
    );
    expect(sum).toEqual([{ group: { User: 'bob' }, value: 1100, events: [0, 1] }]);
    const avg = run(
      'title: c\ncorrelation:\n  type: value_avg\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 10m\n  condition: {field: bytes, gte: 400}\n',
      feed,
    );
    // An average can fall again: it is judged over the window that opened with the group's first event, once closed.
    expect(avg).toEqual([{ group: { User: 'bob' }, value: 550, events: [0, 1] }]);
  });

  it("aliases: the specification's example groups the two rules' events on different fields", () => {
    // internal_error events carry the internal address in destination.ip, new_network_connection ones in source.ip.
    const { rules, resolution } = load(
      `title: e\nname: internal_error\nlogsource: {category: webserver}\ndetection:\n  s: {http.response.status_code: 500}\n  condition: s\n---\ntitle: n\nname: new_network_connection\nlogsource: {category: network}\ndetection:\n  s: {event.outcome: success}\n  condition: s\n`,
      `title: c\ncorrelation:\n  type: temporal\n  rules: [internal_error, new_network_connection]\n  group-by: [internal_ip, remote_ip]\n  timespan: 10s\n  aliases:\n    internal_ip:\n      internal_error: destination.ip\n      new_network_connection: source.ip\n    remote_ip:\n      internal_error: source.ip\n      new_network_connection: destination.ip\n`,
    );
    expect(resolution.diagnostics).toEqual([]);
    const correlator = new Correlator(resolution.correlations);
    const t = Date.UTC(2024, 0, 1);
    const error = { destination: { ip: '10.0.0.5' }, source: { ip: '203.0.113.9' } };
    const other = { source: { ip: '10.0.0.7' }, destination: { ip: '203.0.113.9' } };
    const back = { source: { ip: '10.0.0.5' }, destination: { ip: '203.0.113.9' } };
    const alerts = [
      ...correlator.push(rules[0], t, error, 'error'),
      ...correlator.push(rules[1], t + 2000, other, 'other host'),
      ...correlator.push(rules[1], t + 4000, back, 'same pair'),
    ];
    expect(alerts.map((a) => [a.group, a.events])).toEqual([
      [{ internal_ip: '10.0.0.5', remote_ip: '203.0.113.9' }, ['error', 'same pair']],
    ]);
  });

  it('keeps no group once its window has passed (bounded memory)', () => {
    const { rules, resolution } = load(FAILED, corr('event_count', '  condition: {gte: 1000}\n'));
    const correlator = new Correlator(resolution.correlations);
    for (let i = 0; i < 50_000; i++) correlator.push(rules[0], Date.UTC(2024, 0, 1) + i * 60_000, { User: `u${i}` }, i);
    // One event per minute, each its own group, window 10 minutes: only the last window's groups can still fire.
    expect(correlator.groupCount).toBeLessThan(4200);
  });
});

describe('rulec match with correlation rules and filters (binary)', () => {
  function folder(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-corr-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const events = (list: Record<string, unknown>[]) => `${list.map((e) => JSON.stringify(e)).join('\n')}\n`;

  it("the specification's example: many failed logins then a success alert once, only the outer correlation", () => {
    const dir = folder({});
    const spec = new URL('./fixtures/spec/failed_logins_then_success.yml', import.meta.url).pathname;
    const stream: Record<string, unknown>[] = [];
    for (let i = 0; i < 10; i++) stream.push({ '@timestamp': `2024-01-01T00:0${i}:00Z`, EventID: 4625, User: 'bob' });
    stream.push({ '@timestamp': '2024-01-01T00:09:30Z', EventID: 4624, User: 'bob' });
    for (let i = 0; i < 3; i++) stream.push({ '@timestamp': `2024-01-01T00:0${i}:00Z`, EventID: 4625, User: 'eve' });
    stream.push({ '@timestamp': '2024-01-01T00:05:00Z', EventID: 4624, User: 'eve' });
    writeFileSync(join(dir, 'events.ndjson'), events(stream));
    const r = runRulec(['match', '-r', spec, join(dir, 'events.ndjson'), '--pointer']);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { correlation: { id: string }; group: unknown; window: unknown });
    // The referenced rules do not alert on their own (no `generate`), nor does the inner event_count.
    expect(lines).toHaveLength(1);
    expect(lines[0]!.correlation.id).toBe('b180ead8-d58f-40b2-ae54-c8940995b9b6');
    expect(lines[0]!.group).toEqual({ User: 'bob' });
    expect(lines[0]!.window).toEqual({ start: '2024-01-01T00:09:00.000Z', end: '2024-01-01T00:09:30.000Z' });
  });

  it('--time-field reads epoch seconds; an event without a time is skipped with RC722', () => {
    const dir = folder({
      'rules.yml': `${FAILED}---\ntitle: burst\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 1m\n  condition: {gte: 2}\n`,
      'events.ndjson': events([
        { when: 1_700_000_000, EventID: 4625, User: 'bob' },
        { EventID: 4625, User: 'bob' },
        { when: 1_700_000_030, EventID: 4625, User: 'bob' },
      ]),
    });
    const r = runRulec(['match', '-r', join(dir, 'rules.yml'), join(dir, 'events.ndjson'), '--time-field', 'when']);
    expect(r.stderr).toContain('warning[RC722]');
    expect(r.stderr).toContain('events.ndjson:2');
    const alerts = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { window: { start: string; end: string }; value: number; events: unknown[] });
    expect(alerts.map((a) => [a.window.start, a.window.end, a.value])).toEqual([
      ['2023-11-14T22:13:20.000Z', '2023-11-14T22:13:50.000Z', 2],
    ]);
    // Without --pointer an alert carries the contributing events themselves.
    expect(alerts[0]!.events).toEqual([
      { when: 1_700_000_000, EventID: 4625, User: 'bob' },
      { when: 1_700_000_030, EventID: 4625, User: 'bob' },
    ]);
  });

  it('a filter removes its matches from the rule it names; reference errors are located', () => {
    const dir = folder({
      'rule.yml': `title: Rar\nid: 6f3e2987-db24-4c78-a860-b4f4095a7095\nlogsource: {category: process_creation, product: windows}\ndetection:\n  selection: {Image|endswith: '\\rar.exe'}\n  condition: selection\n`,
      'filter.yml': readFileSyncText('filter_1.yml'),
      'events.ndjson': events([
        { Image: 'C:\\rar.exe', User: 'adm_bob' },
        { Image: 'C:\\rar.exe', User: 'eve' },
      ]),
    });
    const r = runRulec([
      'match',
      '-r',
      join(dir, 'rule.yml'),
      '-r',
      join(dir, 'filter.yml'),
      join(dir, 'events.ndjson'),
    ]);
    // filter_1 also names df0841c0-…, which is in no file given: a filter tunes the rules that are there.
    expect(r.stderr).toContain(`warning[RC743]: 'df0841c0-9846-4e9f-ad8a-7df91571771b' is the name or id of no rule`);
    expect(r.stderr).toContain(`${join(dir, 'filter.yml')}:9:11`);
    expect(r.status).toBe(0);
    const users = r.stdout
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { event: { User: string } }).event.User);
    expect(users).toEqual(['eve']);
  });

  it('rulec test runs the cases of a rule with the filters that name it applied', () => {
    const rule = `title: Rar\nname: rar\nlogsource: {category: process_creation, product: windows}\ndetection:\n  selection: {Image|endswith: rar.exe}\n  condition: selection\ntests:\n  - event: {Image: 'C:\\\\rar.exe', User: adm_bob}\n    match: true\n`;
    const dir = folder({ 'rule.yml': rule });
    expect(runRulec(['test', dir]).status).toBe(0);
    writeFileSync(
      join(dir, 'filter.yml'),
      `title: Admins\nlogsource: {category: process_creation, product: windows}\nfilter:\n  rules: [rar]\n  selection: {User|startswith: adm_}\n  condition: selection\n`,
    );
    const filtered = runRulec(['test', dir]);
    expect(filtered.stdout).toContain('expected a match, the event did not match');
    expect(filtered.status).toBe(1);
  });

  it('rulec validate resolves references across the files of a folder, and locates what does not resolve', () => {
    const dir = folder({
      'rules.yml': FAILED,
      'corr.yml': `title: c\ncorrelation:\n  type: temporal\n  rules: [failed_login, successful_login]\n  group-by: [User]\n  timespan: 5m\n`,
    });
    const ok = runRulec(['validate', dir]);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('2 files, 3 rules valid: 0 errors');
    expect(ok.status).toBe(0);
    const one = runRulec(['validate', join(dir, 'corr.yml')]);
    expect(one.stderr).toContain(`error[RC701]: 'failed_login' is the name or id of no rule in the files read`);
    expect(one.stderr).toContain(`${join(dir, 'corr.yml')}:4:11`);
    expect(one.status).toBe(1);
  });

  it('rulec build refuses a correlation only for the targets that cannot render it, located, and writes nothing', () => {
    const dir = folder({
      'rules.yml': `${FAILED}---\ntitle: c\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n  timespan: 5m\n  condition: {gte: 3}\n`,
    });
    const out = join(dir, 'out');
    const r = runRulec(['build', dir, '--out', out, '-t', 'splunk,js']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("error[JS100]: correlation rule 'c' has no JS module");
    expect(r.stderr).not.toContain('error[RC720]: correlation type event_count is not supported for target splunk');
    expect(r.stderr).toContain(`${join(dir, 'rules.yml')}:18:3`);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});

function readFileSyncText(name: string): string {
  return readFileSync(new URL(`./fixtures/spec/${name}`, import.meta.url), 'utf8');
}
