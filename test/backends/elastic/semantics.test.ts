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
import { excusingCodes } from '../../fidelity/loss-codes.js';
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

describe('a value an ip field cannot hold (cause 5)', () => {
  const RDP = (pin = '') => `title: External RDP logon (shape of win_security_successful_external_remote_rdp_login)
id: 10000000-0000-4000-8000-0000000000b3
logsource: { product: windows, service: security }
detection:
  selection:
    EventID: 4624
    LogonType: 10
  filter_main_local_ranges:
    IpAddress|cidr: '10.0.0.0/8'
  filter_main_empty:
    IpAddress: '-'
  condition: selection and not 1 of filter_main_*
level: medium
${pin}`;
  const logon = (ip?: string): Record<string, unknown> => ({
    'winlog.channel': 'Security',
    'event.code': '4624',
    'winlog.event_data.LogonType': '10',
    ...(ip === undefined ? {} : { 'source.ip': ip }),
  });

  it.each([
    ['KQL', ''],
    ['EQL', 'targets: { elastic: { language: eql } }\n'],
  ])('%s: the comparison is written as always false and EL209 says the exclusion is dropped', async (_l, pin) => {
    const result = compile(RDP(pin), 'elastic');
    const query = result.compiled!.query.query;
    // `source.ip:-` is no IP literal: Elasticsearch refuses the term on an ip field at run time.
    expect(query).not.toMatch(/source\.ip\s*(?::|==)\s*"?-/);
    expect(result.diagnostics.filter((d) => d.code === 'EL209').map((d) => d.message)).toEqual([
      `'source.ip' is an ip field and can never hold "-", which is not an IP address: the test is always false in Elastic, so under \`not\` the exclusion is dropped: the rule also matches the events it meant to exclude`,
    ]);
    const elastic = readQuery(result, { kustoColumns: {} });
    expect(elastic(logon('203.0.113.9'))).toBe(true);
    expect(elastic(logon('10.1.2.3'))).toBe(false);
    // The loss named: a logon without an address ('-' is never indexed as source.ip) fires in Elastic, while the
    // rule excludes it; the fidelity tables excuse exactly this disagreement with EL209.
    expect(elastic(logon())).toBe(true);
    const js = await importPredicate(compile(RDP(), 'js').compiled!.query.query);
    expect(js({ EventID: 4624, LogonType: 10, IpAddress: '-' })).toBe(false);
    expect(excusingCodes('elastic', result.diagnostics, [{ IpAddress: '-' }, logon('-')])).toEqual(['EL209']);
  });

  it('as a selection, the test can never match, and EL209 says so', () => {
    const result = compile(
      RDP().replace('selection and not 1 of filter_main_*', 'selection and filter_main_empty'),
      'elastic',
    );
    expect(codes(result)).toEqual(expect.arrayContaining(['EL205', 'EL209']));
    expect(result.diagnostics.find((d) => d.code === 'EL209')!.message).toMatch(
      /this part of the rule can never match$/,
    );
  });

  it('an IP address on the ip field is compared as before', () => {
    const result = compile(RDP().replace("IpAddress: '-'", "IpAddress: '::1'"), 'elastic');
    expect(codes(result)).not.toContain('EL209');
    expect(result.compiled!.query.query).toContain('source.ip:"::1"');
  });
});
