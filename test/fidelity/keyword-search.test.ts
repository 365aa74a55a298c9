/**
 * Keywords search the whole event (issue 13, cause 1). The specification: keyword lists are "strings that are
 * applied to the full log message", "searching for keywords across an entire event". So a keyword embedded in a
 * longer value matches, case-insensitively, in every target: the JS predicate, and each query target read back by
 * its test-only evaluator after compiling through the real pipelines. A keyword under `not` excludes such an event.
 *
 * The corpus part takes every keyword of every SigmaHQ rule (skipped with a message when ../shared is absent).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule, type LoadedTarget } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import * as b from '../../src/ir/build.js';
import type { IrNode, NodeOf } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import type { Rule } from '../../src/model/rule.js';
import { makeRule } from '../helpers/make-rule.js';
import { runRulec } from '../helpers/run-rulec.js';
import { importPredicate } from './js-module.js';
import { readQuery } from './readers.js';

const targets = loadTargets(BACKENDS);
const byId = (id: string): LoadedTarget => targets.find((t) => t.backend.id === id)!;

function ruleFrom(yaml: string): Rule {
  const { rules } = readRuleFile('test/keyword.yml', Buffer.from(yaml));
  expect(rules).toHaveLength(1);
  return rules[0]!;
}

/** Compiles `rule` for `target` and returns a predicate over events in that target's shape. */
async function predicate(rule: Rule, target: string): Promise<(event: Record<string, unknown>) => boolean> {
  const result = compileRule(rule, byId(target));
  expect(result.status, JSON.stringify(result.diagnostics.map((d) => d.message))).not.toBe('refused');
  if (target === 'js') {
    const match = await importPredicate(result.compiled!.query.query);
    return (e) => match(e);
  }
  return readQuery(result, { kustoColumns: {} });
}

// ---- the events ----------------------------------------------------------------------------------------

const MIMIKATZ = `title: Mimikatz Use (shape of win_alert_mimikatz_keywords)
id: 10000000-0000-4000-8000-0000000000a1
logsource: { product: windows }
detection:
  keywords:
    - 'dpapi::masterkey'
    - 'kerberos::golden'
    - 'Kiwi Legit Printer'
    - 'sekurlsa::'
  filter:
    EventID: 15
  condition: keywords and not filter
level: high
`;
const COMMAND_LINE = 'mimikatz.exe "privilege::debug" "sekurlsa::logonpasswords" exit';

/** The same Sysmon process creation in each target's field names (Splunk: the raw XML text). */
const MIMIKATZ_EVENTS: Readonly<Record<string, Record<string, unknown>>> = {
  js: { EventID: 1, CommandLine: COMMAND_LINE },
  elastic: { 'event.code': '1', 'process.command_line': COMMAND_LINE },
  sentinel: { EventID: 1, CommandLine: COMMAND_LINE },
  splunk: {
    source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
    EventCode: '1',
    _raw: `<Event><System><EventID>1</EventID></System><EventData><Data Name='CommandLine'>${COMMAND_LINE}</Data></EventData></Event>`,
  },
};

const USERADD = `title: Privileged User Has Been Created (shape of lnx_privileged_user_creation)
id: 10000000-0000-4000-8000-0000000000a2
logsource: { product: linux }
detection:
  selection_new_user:
    - 'new user'
  selection_uids_gids:
    - 'GID=0,'
    - 'UID=0,'
    - 'GID=10,'
    - 'GID=27,'
  condition: all of selection_*
level: high
`;
const USERADD_LINE =
  'Dec 21 17:13:54 testserver useradd[1337]: new user: name=john, UID=0, GID=0, home=/home/john, shell=/bin/bash';

const USERADD_EVENTS: Readonly<Record<string, Record<string, unknown>>> = {
  js: { message: USERADD_LINE },
  elastic: { message: USERADD_LINE },
  sentinel: { SyslogMessage: USERADD_LINE },
  splunk: { sourcetype: 'syslog', _raw: USERADD_LINE },
};

describe('keywords are searched inside the event (the issue events, real pipelines)', () => {
  for (const target of ['js', 'elastic', 'sentinel', 'splunk']) {
    it(`${target}: Mimikatz Use fires on a command line holding sekurlsa::logonpasswords`, async () => {
      const match = await predicate(ruleFrom(MIMIKATZ), target);
      expect(match(MIMIKATZ_EVENTS[target]!)).toBe(true);
    });

    it(`${target}: the useradd sample line of lnx_privileged_user_creation fires its rule`, async () => {
      const match = await predicate(ruleFrom(USERADD), target);
      expect(match(USERADD_EVENTS[target]!)).toBe(true);
    });

    it(`${target}: a negated keyword excludes the event that holds it inside a value`, async () => {
      const negated = USERADD.replace('condition: all of selection_*', 'condition: not selection_new_user');
      const match = await predicate(ruleFrom(negated), target);
      expect(match(USERADD_EVENTS[target]!)).toBe(false);
    });
  }

  it('rulec match (the real binary) fires Mimikatz Use on the issue event, case-insensitively', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'rulec-keywords-'));
    writeFileSync(join(dir, 'mimikatz.yml'), MIMIKATZ);
    const events = [
      { EventID: 1, CommandLine: COMMAND_LINE },
      { EventID: 1, CommandLine: COMMAND_LINE.toUpperCase() },
      { EventID: 1, CommandLine: 'notepad.exe sekurlsa.txt' },
    ];
    const run = runRulec(['match', '--rules', join(dir, 'mimikatz.yml')], {
      cwd: dir,
      input: events.map((e) => JSON.stringify(e)).join('\n') + '\n',
    });
    expect(run.stderr).not.toMatch(/error/i);
    const hits = run.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(hits).toHaveLength(2);
  });
});

// ---- the corpus ------------------------------------------------------------------------------------------------

const SIGMA = '../shared/data/sigma';
const FOLDERS = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'];
const available = existsSync(join(SIGMA, 'rules'));
if (!available) console.warn('keyword corpus test skipped: ../shared/data/sigma is missing next to the repository');

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (/\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out.sort();
}

/** Keyword leaves of a detection, each with whether it sits under an odd number of `not`s. */
function keywords(node: IrNode, negated = false): { node: NodeOf<'keyword'>; negated: boolean }[] {
  switch (node.kind) {
    case 'keyword':
      return [{ node, negated }];
    case 'and':
    case 'or':
      return node.children.flatMap((c) => keywords(c, negated));
    case 'not':
      return keywords(node.child, !negated);
    default:
      return [];
  }
}

/** One text the pattern matches: `*` and `?` become `x`. */
function instance(p: Pattern): string {
  return p.parts.map((part) => (part.kind === 'literal' ? part.text : 'x')).join('');
}

/** Upper-case the text where that keeps its length and meaning for a case-insensitive search. */
function otherCase(text: string): string {
  const upper = text.toUpperCase();
  return upper.length === text.length && upper.toLowerCase() === text.toLowerCase() ? upper : text;
}

describe.skipIf(!available)('every keyword of the SigmaHQ corpus is searched inside the event', () => {
  it('an embedded keyword matches in the JS predicate and every evaluator; under not it excludes', async () => {
    const seen = new Map<string, { keyword: NodeOf<'keyword'>; negated: boolean }>();
    let rules = 0;
    for (const file of FOLDERS.flatMap((f) => yamlFiles(join(SIGMA, f)))) {
      let parsed: Rule[];
      try {
        parsed = [...readRuleFile(file, readFileSync(file)).rules];
      } catch {
        continue;
      }
      for (const rule of parsed) {
        const found = keywords(rule.detection);
        if (found.length > 0) rules++;
        for (const { node, negated } of found)
          seen.set(JSON.stringify([node.pattern, node.cased, negated]), { keyword: node, negated });
      }
    }
    expect(rules).toBeGreaterThan(80);
    const failures: string[] = [];
    for (const { keyword, negated } of seen.values()) {
      const text = instance(keyword.pattern);
      const leaf = b.keyword(keyword.pattern, keyword.cased);
      const rule = makeRule(negated ? b.not(leaf) : leaf, {
        deploy: {
          interval: '5m',
          lookback: '6m',
          maxAlerts: 100,
          riskScore: 47,
          version: 1,
          enabled: false,
          targets: { sentinel: { table: 'Events' } },
        },
      });
      for (const target of targets) {
        const id = target.backend.id;
        // Elastic's KQL free text is case-sensitive on keyword fields (EL202): the event keeps the rule's case there.
        const embedded = `prefix-${id === 'elastic' || keyword.cased ? text : otherCase(text)}-suffix`;
        // Splunk searches the raw text of the event, which every Splunk event has.
        const event = id === 'splunk' ? { _raw: embedded } : { message: embedded, other: 'unrelated' };
        const match = await predicate(rule, id);
        if (match(event) === negated) failures.push(`${id} ${negated ? 'not ' : ''}${JSON.stringify(text)}`);
      }
    }
    expect(seen.size).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 300_000);
});
