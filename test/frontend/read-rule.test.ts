import { describe, expect, it } from 'vitest';
import { FALSE } from '../../src/ir/build.js';
import { defaultLookback, readRule, RISK_SCORE_WITHOUT_LEVEL, splitAuthors } from '../../src/model/read-rule.js';

const base = { title: 't', logsource: { product: 'm365', extra: 'x' }, detection: { condition: 'a' } };

describe('readRule', () => {
  it('splits authors on commas and trims them', () => {
    expect(splitAuthors('Florian Roth (Nextron Systems), Nasreddine Bencherchali ,  ,X')).toEqual([
      'Florian Roth (Nextron Systems)',
      'Nasreddine Bencherchali',
      'X',
    ]);
    expect(splitAuthors(undefined)).toEqual([]);
  });

  it('takes the risk score from the level, or the documented default without one', () => {
    const read = (extra: Record<string, unknown>) =>
      readRule({ file: 'f', documentIndex: 0, data: { ...base, ...extra }, detection: FALSE });
    expect(read({ level: 'critical' }).deploy.riskScore).toBe(99);
    expect(read({ level: 'informational' }).deploy.riskScore).toBe(21);
    expect(read({}).deploy.riskScore).toBe(RISK_SCORE_WITHOUT_LEVEL);
    expect(read({ level: 'low', risk_score: 5 }).deploy.riskScore).toBe(5);
  });

  it('defaults the look-back to the interval plus one minute', () => {
    expect(defaultLookback('5m')).toBe('6m');
    expect(defaultLookback('1h')).toBe('61m');
    expect(defaultLookback('30s')).toBe('90s');
    expect(defaultLookback('1d')).toBe('1441m');
    expect(defaultLookback('59m')).toBe('1h');
    const rule = readRule({
      file: 'f',
      documentIndex: 0,
      data: { ...base, schedule: { interval: '10m' } },
      detection: FALSE,
    });
    expect(rule.deploy).toMatchObject({ interval: '10m', lookback: '11m' });
  });

  it('keeps optional fields out when absent and normalises falsepositives', () => {
    const rule = readRule({
      file: 'f',
      documentIndex: 3,
      data: { ...base, falsepositives: 'Unknown' },
      detection: FALSE,
    });
    expect('id' in rule).toBe(false);
    expect('level' in rule).toBe(false);
    expect(rule.falsepositives).toEqual(['Unknown']);
    expect(rule.logsource).toEqual({ product: 'm365', extra: 'x' });
    expect(rule.documentIndex).toBe(3);
  });
});
