import { describe, expect, it } from 'vitest';
import { checkSpl } from '../../../backends/splunk/spl-check.js';

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
