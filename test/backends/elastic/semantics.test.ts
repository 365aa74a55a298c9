/**
 * Elastic places where the query meant something other than the rule (issue 13), each with the event,
 * compiled through the real Elastic pipeline and read back by the test-only KQL/EQL evaluators.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../backends/index.js';
import { loadTargets } from '../../../src/cli/targets.js';
import { compileRule } from '../../../src/compile.js';
import { readRuleFile } from '../../../src/frontend.js';
import { importPredicate } from '../../fidelity/js-module.js';
import { readQuery } from '../../fidelity/readers.js';

const targets = loadTargets(BACKENDS, ['elastic', 'js']);

function compile(yaml: string, target: 'elastic' | 'js') {
  const { rules } = readRuleFile('test/semantics.yml', Buffer.from(yaml));
  expect(rules).toHaveLength(1);
  return compileRule(
    rules[0]!,
    targets.find((t) => t.backend.id === target)!,
  );
}

function codes(result: ReturnType<typeof compile>): string[] {
  return result.diagnostics.map((d) => d.code);
}

describe('caseExact fields (cause 2): a case-sensitive KQL match on a rule value is named', () => {
  const rule = (pin = '') => `title: Iphlpsvc provider
id: 10000000-0000-4000-8000-0000000000b1
logsource: { product: windows, service: system }
detection:
  selection:
    Provider_Name: 'Microsoft-Windows-Iphlpsvc'
    EventID: 4001
  condition: selection
level: low
${pin}`;
  const lower = {
    'winlog.channel': 'System',
    'winlog.provider_name': 'microsoft-windows-iphlpsvc',
    'event.code': '4001',
  };

  it('KQL keeps the value and warns EL208 naming the field, because it misses another spelling', async () => {
    const result = compile(rule(), 'elastic');
    expect(result.compiled!.query.query).toBe(
      'winlog.channel:System and winlog.provider_name:Microsoft-Windows-Iphlpsvc and event.code:4001',
    );
    const el208 = result.diagnostics.filter((d) => d.code === 'EL208');
    expect(el208.map((d) => d.message)).toEqual([
      "KQL matches 'winlog.provider_name' case-sensitively: the rule's 'Microsoft-Windows-Iphlpsvc' must be spelled exactly as the data spells it (the rule matches any case)",
    ]);
    // The loss the warning names: the KQL query misses the lower-case spelling, which the rule matches.
    expect(readQuery(result, { kustoColumns: {} })(lower)).toBe(false);
    const js = await importPredicate(compile(rule(), 'js').compiled!.query.query);
    expect(js({ Channel: 'System', Provider_Name: 'microsoft-windows-iphlpsvc', EventID: 4001 })).toBe(true);
  });

  it("the pipeline's own condition value (winlog.channel:System) is in the data's spelling: no warning", () => {
    const result = compile(rule(), 'elastic');
    expect(result.diagnostics.filter((d) => d.code === 'EL208' && d.message.includes('winlog.channel'))).toEqual([]);
  });

  it('in EQL the match is case-insensitive (`:`), so nothing is lost and nothing is warned', () => {
    const result = compile(rule('targets: { elastic: { language: eql } }\n'), 'elastic');
    expect(codes(result)).not.toContain('EL208');
    expect(readQuery(result, { kustoColumns: {} })(lower)).toBe(true);
  });
});

describe('a boolean on a value-mapped field (cause 8)', () => {
  const ADWS = (initiated: string) => `title: ADWS connection (shape of net_connection_win_adws_unusual_connection)
id: 10000000-0000-4000-8000-0000000000b2
logsource: { product: windows, category: network_connection }
detection:
  selection:
    Initiated: ${initiated}
    DestinationPort: 9389
  condition: selection
level: medium
`;
  const event = {
    'host.os.type': 'windows',
    'event.category': 'network',
    'network.direction': 'egress',
    'destination.port': 9389,
  };

  it('Initiated: true (a YAML boolean) is mapped like the string: network.direction egress, and fires', () => {
    const result = compile(ADWS('true'), 'elastic');
    expect(result.compiled!.query.query).toContain('network.direction');
    expect(result.compiled!.query.query).not.toContain('== true');
    expect(codes(result)).not.toContain('RC405');
    expect(readQuery(result, { kustoColumns: {} })(event)).toBe(true);
  });

  it('a number no mapping knows is named as a test that can never be true (RC405)', () => {
    const result = compile(ADWS('7'), 'elastic');
    const rc405 = result.diagnostics.filter((d) => d.code === 'RC405').map((d) => d.message);
    expect(rc405).toEqual([expect.stringMatching(/^field 'Initiated' has mapped values .* can never be true/)]);
  });
});
