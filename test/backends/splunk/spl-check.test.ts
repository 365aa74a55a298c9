import { describe, expect, it } from 'vitest';
import { checkCorrelationSpl, checkSpl, DATA_MODEL_COMMANDS } from '../../../backends/splunk/spl-check.js';

describe('spl checker', () => {
  const good = [
    'sourcetype="o365:management:activity" Workload="Exchange"',
    '(a="1" OR b="2") NOT c=*',
    'f IN ("a", "b*")\n| where match(\'Parameters{}.Name\', "(?i)^x$") AND NOT isnull(f)',
    'x="a\\"b\\\\" y>=5\n| regex y="a\\\\d"',
  ];
  for (const q of good)
    it(`accepts ${JSON.stringify(q)}`, () => {
      expect(checkSpl(q)).toEqual([]);
    });

  const bad: [string, RegExp][] = [
    ['a="b', /unterminated/],
    ['a="b" or c="d"', /lower-case operator/],
    ['(a="b"', /unbalanced/],
    ['a="b")', /unbalanced/],
    ['OR a="b"', /without a left operand/],
    ['a="b" OR', /ends with an operator/],
    ['a!="b"', /!= in the base search/],
    ['a=`m`', /forbidden/],
    ['a="`m`"', /raw/],
    ['a="x\ny"', /raw/],
    ['a=b [search c]', /forbidden/],
    ['a=b\n| delete', /not allowed/],
    ['a=b\nc=d', /line break/],
    ['a=b |', /empty command|not allowed/],
  ];
  for (const [q, problem] of bad)
    it(`rejects ${JSON.stringify(q)}`, () => {
      expect(checkSpl(q).join('; ')).toMatch(problem);
    });
});

describe('spl checker, data-model searches', () => {
  const good = [
    '| tstats count from datamodel=Endpoint.Processes where Processes.process="*x*" by Processes.dest\n| rename "Processes.*" AS *',
    '| tstats count from datamodel=Endpoint.Processes by Processes.process\n| where match(nullif(\'Processes.process\', "null"), "x")\n| rename "Processes.*" AS *',
  ];
  for (const q of good)
    it(`accepts ${JSON.stringify(q)}`, () => {
      expect(checkSpl(q, DATA_MODEL_COMMANDS)).toEqual([]);
    });

  const bad: [string, RegExp][] = [
    ['| tstats count from datamodel=Endpoint.Processes by Processes.dest\n| delete', /not allowed/],
    ['| where a="b"', /must start with tstats/],
    ['| tstats count from datamodel=X.Y where X.a!="b" by X.c', /!= in the base search/],
    ['| tstats count from datamodel=X.Y by X.c\n| tstats count from datamodel=X.Z', /tstats after the first command/],
    ['| tstats count from datamodel=X.Y where X.a="b" [search x] by X.c', /forbidden/],
  ];
  for (const [q, problem] of bad)
    it(`rejects ${JSON.stringify(q)}`, () => {
      expect(checkSpl(q, DATA_MODEL_COMMANDS).join('; ')).toMatch(problem);
    });

  it('rejects a leading tstats where only base searches are expected', () => {
    expect(checkSpl('| tstats count from datamodel=X.Y by X.c').join('; ')).toMatch(/empty base search/);
  });
});

describe('spl checker, correlation chains (checkCorrelationSpl)', () => {
  const step = [
    'EventCode=4624',
    '| append [search EventCode=4625',
    '    | bin _time span=10m',
    '    | stats count as event_count by _time User',
    '    | fields _time User]',
    '| bin _time span=10m',
    '| stats count as n by _time User',
  ];
  it('accepts the append subsearch form a chain is written in, and checks what it holds', () => {
    expect(checkCorrelationSpl(step.join('\n'))).toEqual([]);
    const hostile = [...step];
    hostile[2] = '    | delete';
    expect(checkCorrelationSpl(hostile.join('\n'))).toContain('command delete is not allowed');
  });
  it('still refuses a bracket anywhere else, and an unclosed subsearch', () => {
    expect(checkCorrelationSpl('EventCode=4624 [search x=1]').join()).toMatch(/forbidden "\["/);
    expect(checkCorrelationSpl(step.slice(0, 4).join('\n')).join()).toMatch(/subsearch not closed/);
  });
});
