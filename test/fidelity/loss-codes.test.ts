/** The exact-loss table: complete for every warning code, and each field pattern reads the message its code has. */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import '../../src/compile.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { allCodes } from '../../src/diagnostics/codes.js';
import '../../src/frontend.js';
import '../../src/pipeline/apply.js';
import { excusingCodes, LOSS_CODES, lossField, NOT_LOSS_WARNINGS } from './loss-codes.js';

const warn = (code: string, message: string, target?: string): Diagnostic => ({
  code,
  severity: 'warning',
  message,
  file: 'x.yml',
  ...(target ? { target } : {}),
});

describe('loss codes', () => {
  it('sorts every warning code into loss or not-a-loss, and names only known warning codes', () => {
    expect(BACKENDS.length).toBeGreaterThan(0);
    const warnings = allCodes()
      .filter((c) => c.severity === 'warning')
      .map((c) => c.code);
    const listed = [...Object.keys(LOSS_CODES), ...Object.keys(NOT_LOSS_WARNINGS)];
    expect(warnings.filter((c) => !listed.includes(c))).toEqual([]);
    expect(listed.filter((c) => !warnings.includes(c))).toEqual([]);
    expect(Object.keys(LOSS_CODES).filter((c) => c in NOT_LOSS_WARNINGS)).toEqual([]);
  });

  it('reads the field out of each message form the backends write', () => {
    const cases: [string, string, string][] = [
      [
        'EL201',
        "KQL matches 'process.executable' case-sensitively; the rule matches case-insensitively",
        'process.executable',
      ],
      ['EL203', "'message' is a text field: the value is an analysed match, not an exact one", 'message'],
      ['EL204', "'c.d' is not declared as an ip field: the CIDR match needs an ip mapping", 'c.d'],
      ['EL206', "'B' is not typed numeric in the pipeline: the comparison is a text comparison", 'B'],
      [
        'SN002',
        `'Details' present is rendered as isnotempty(): Kusto reads a missing string column as "", so a present empty value counts as missing and does not match`,
        'Details',
      ],
      [
        'SN002',
        `'a: null' is rendered as isempty(): Kusto reads a missing string column as "", so this test for a missing field also matches a present empty value`,
        'a',
      ],
      [
        'SN002',
        `'e_f' equal to '' also matches a missing field: Kusto reads a missing string column as "", so this test for an empty value cannot tell it from an absent field`,
        'e_f',
      ],
      ['SP202', "the hour of _time is computed in the search's time zone", '_time'],
      ['RC404', "value 'Maybe' of field 'ResultStatus' has no elastic mapping", 'ResultStatus'],
      ['RC405', "field 'ResultStatus' has mapped values but this test is not an exact value", 'ResultStatus'],
    ];
    for (const [code, message, field] of cases) expect(lossField(warn(code, message)), message).toBe(field);
  });

  it('excuses only a loss of the same target that fits the event', () => {
    const sn002 = warn(
      'SN002',
      `'a: null' is rendered as isempty(): Kusto reads a missing string column as "", so this test for a missing field also matches a present empty value`,
      'sentinel',
    );
    expect(excusingCodes('sentinel', [sn002], [{ a: '' }])).toEqual(['SN002']);
    expect(excusingCodes('sentinel', [sn002], [{}])).toEqual(['SN002']);
    expect(excusingCodes('sentinel', [sn002], [{ a: 'x', b: '' }])).toEqual([]); // another field is empty
    expect(excusingCodes('splunk', [sn002], [{ a: '' }])).toEqual([]); // another target's loss
    const el201 = warn('EL201', "KQL matches 'p.x' case-sensitively; the rule matches case-insensitively", 'elastic');
    expect(excusingCodes('elastic', [el201], [{ 'p.x': 'CMD' }])).toEqual(['EL201']);
    expect(excusingCodes('elastic', [el201], [{ 'p.x': '123' }])).toEqual([]); // nothing to fold
    expect(excusingCodes('elastic', [warn('EL101', 'emitted as an EQL rule', 'elastic')], [{ a: 1 }])).toEqual([]);
    expect(excusingCodes('elastic', [warn('RC401', 'no elastic mapping', 'elastic')], [{ a: 1 }])).toEqual([]);
    expect(excusingCodes('splunk', [warn('SP201', 'a keyword is searched', 'splunk')], [{}])).toEqual(['SP201']);
    expect(excusingCodes('splunk', [warn('JS004', '9007199254740993 is beyond 2^53', 'js')], [{ a: 1 }])).toEqual([
      'JS004',
    ]);
  });
});
