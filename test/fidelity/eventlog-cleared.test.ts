/**
 * Event 104's `Channel` is the log that was cleared (issue 13, cause 4): Microsoft-Windows-Eventlog writes it in
 * the event's UserData, while the record itself is always in the System channel. SigmaHQ's
 * `win_system_eventlog_cleared` (clears of other logs) and `win_system_susp_eventlog_cleared` (clears of the
 * listed logs) test that field; mapped onto the record's channel, the first could never fire and the second fired
 * on every clear. Compiled through the real Elastic and Sentinel pipelines and read back by the test-only
 * evaluators, each now agrees with the JS predicate on a clear of Security and a clear of another log.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { loadTargets } from '../../src/cli/targets.js';
import { compileRule } from '../../src/compile.js';
import { readRuleFile } from '../../src/frontend.js';
import { importPredicate } from './js-module.js';
import { readQuery } from './readers.js';

const targets = loadTargets(BACKENDS);
const CHANNELS = `
            - 'Microsoft-Windows-PowerShell/Operational'
            - 'Security'
            - 'System'`;

const OTHER_LOGS = `title: Event log cleared (shape of win_system_eventlog_cleared)
id: 10000000-0000-4000-8000-0000000000f1
logsource: { product: windows, service: system }
detection:
    selection:
        EventID: 104
        Provider_Name: 'Microsoft-Windows-Eventlog'
    filter_main_covered:
        Channel:${CHANNELS}
    condition: selection and not 1 of filter_main_*
level: medium
`;
const LISTED_LOGS = `title: Important event log cleared (shape of win_system_susp_eventlog_cleared)
id: 10000000-0000-4000-8000-0000000000f2
logsource: { product: windows, service: system }
detection:
    selection:
        EventID: 104
        Provider_Name: 'Microsoft-Windows-Eventlog'
        Channel:${CHANNELS}
    condition: selection
level: high
`;

/** A clear of `cleared`, as each target stores event 104 (Sentinel: the `extend` column the query computes). */
function clearOf(cleared: string): Record<string, Record<string, unknown>> {
  return {
    js: { EventID: 104, Provider_Name: 'Microsoft-Windows-Eventlog', Channel: cleared },
    elastic: {
      'winlog.channel': 'System',
      'event.code': '104',
      'winlog.provider_name': 'Microsoft-Windows-Eventlog',
      'winlog.user_data.Channel': cleared,
    },
    sentinel: { EventLog: 'System', EventID: 104, Source: 'Microsoft-Windows-Eventlog', UserDataChannel: cleared },
  };
}

async function predicate(yaml: string, target: string): Promise<(e: Record<string, unknown>) => boolean> {
  const rule = readRuleFile('test/cleared.yml', Buffer.from(yaml)).rules[0]!;
  const result = compileRule(
    rule,
    targets.find((t) => t.backend.id === target)!,
  );
  expect(result.status).not.toBe('refused');
  if (target === 'js') {
    const match = await importPredicate(result.compiled!.query.query);
    return (e) => match(e);
  }
  if (target === 'sentinel') {
    // The Sentinel query reads the cleared log from the UserData of the Event table's EventData XML.
    expect(result.compiled!.query.query).toContain('UserDataChannel = ');
    expect(result.compiled!.query.query).toContain('extract(@"<Channel>([^<]*)</Channel>", 1, EventData)');
  }
  // The Kusto evaluator reads no `extend`: the Sentinel event carries the computed column itself.
  return readQuery(result, { kustoColumns: {}, kustoText: (q) => q.replace(/\n\| extend [^\n]*/, '') });
}

describe("event 104's Channel is the cleared log, not the record's channel (cause 4)", () => {
  it.each(['js', 'elastic', 'sentinel'])('%s: each rule fires on its own clears only', async (target) => {
    const other = await predicate(OTHER_LOGS, target);
    const listed = await predicate(LISTED_LOGS, target);
    expect(other(clearOf('Custom/Operational')[target]!)).toBe(true);
    expect(other(clearOf('Security')[target]!)).toBe(false);
    expect(listed(clearOf('Security')[target]!)).toBe(true);
    expect(listed(clearOf('Custom/Operational')[target]!)).toBe(false);
  });
});
