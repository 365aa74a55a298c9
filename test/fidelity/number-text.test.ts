/**
 * `00000429` in a detection is the text the author wrote (issue 13, cause 6): the shape of SigmaHQ's
 * `registry_set_susp_keyboard_layout_load`, compiled through the real pipelines, must test `*00000429*`, so a
 * registry value holding `00010429` (which contains `429`) does not fire, in the JS predicate and in each query
 * target read back by its test-only evaluator; `00000429` fires.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule, type LoadedTarget } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import type { Rule } from '../../src/model/rule.js';
import { runRulec } from '../helpers/run-rulec.js';
import { importPredicate } from './js-module.js';
import { readQuery } from './readers.js';

const targets = loadTargets(BACKENDS);
const byId = (id: string): LoadedTarget => targets.find((t) => t.backend.id === id)!;

const KEYBOARD = `title: Keyboard layout load (shape of registry_set_susp_keyboard_layout_load)
id: 10000000-0000-4000-8000-0000000000c1
logsource: { product: windows, category: registry_set }
detection:
  selection:
    TargetObject|contains: '\\Keyboard Layout\\Preload\\'
    Details|contains:
      - 00000429  # Persian (Iran)
      - 00050429
  condition: selection
level: medium
`;

async function predicate(rule: Rule, target: string): Promise<(event: Record<string, unknown>) => boolean> {
  const result = compileRule(rule, byId(target));
  expect(result.status).not.toBe('refused');
  if (target === 'js') {
    const match = await importPredicate(result.compiled!.query.query);
    return (e) => match(e);
  }
  // The Kusto evaluator reads no `extend`: the Sentinel event carries the two computed columns itself.
  return readQuery(result, {
    kustoColumns: {},
    kustoText: (q) =>
      q
        .split('\n')
        .filter((line) => !line.startsWith('| extend '))
        .join('\n'),
  });
}

const KEY = 'HKU\\S-1-5-21\\Keyboard Layout\\Preload\\2';
/** The same Sysmon registry value set in each target's field names. */
function events(details: string): Record<string, Record<string, unknown>> {
  return {
    js: { EventID: 13, TargetObject: KEY, Details: details },
    elastic: {
      'winlog.channel': 'Microsoft-Windows-Sysmon/Operational',
      'event.code': '13',
      'registry.path': KEY,
      'winlog.event_data.Details': details,
    },
    sentinel: { ActionType: 'RegistryValueSet', TargetObject: KEY, Details: details },
    splunk: {
      source: 'XmlWinEventLog:Microsoft-Windows-Sysmon/Operational',
      EventCode: '13',
      TargetObject: KEY,
      Details: details,
    },
  };
}

describe('a leading-zero detection value is its text in every target', () => {
  const rule = readRuleFile('test/keyboard.yml', Buffer.from(KEYBOARD)).rules[0]!;

  it.each(['js', 'elastic', 'sentinel', 'splunk'])('%s: 00000429 fires, 00010429 does not', async (target) => {
    const match = await predicate(rule, target);
    expect(match(events('00000429')[target]!)).toBe(true);
    expect(match(events('00010429')[target]!)).toBe(false);
  });

  it('the binary writes *00000429* and never *429* for every target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-number-text-'));
    writeFileSync(join(dir, 'keyboard.yml'), KEYBOARD);
    for (const target of ['elastic', 'sentinel', 'splunk', 'js']) {
      const run = runRulec(['compile', '--target', target, 'keyboard.yml'], { cwd: dir });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout).toContain('00000429');
      expect(run.stdout).not.toMatch(/[^0]429/);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
