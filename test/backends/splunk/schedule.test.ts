import { describe, expect, it } from 'vitest';
import { intervalToCron, lookbackToEarliest } from '../../../backends/splunk/schedule.js';

describe('splunk schedule', () => {
  const exact: [string, string][] = [
    ['1m', '* * * * *'],
    ['5m', '*/5 * * * *'],
    ['15m', '*/15 * * * *'],
    ['60m', '0 * * * *'],
    ['120s', '*/2 * * * *'],
    ['1h', '0 * * * *'],
    ['6h', '0 */6 * * *'],
    ['24h', '0 0 * * *'],
    ['1d', '0 0 * * *'],
    ['7d', '0 0 * * 0'],
  ];
  for (const [interval, cron] of exact)
    it(`${interval} → ${cron}`, () => {
      expect(intervalToCron(interval)).toEqual({ cron });
    });

  const approximate: [string, string][] = [
    ['30s', '* * * * *'],
    ['7m', '*/7 * * * *'],
    ['90m', '0 * * * *'],
    ['5h', '0 */5 * * *'],
    ['36h', '0 0 * * *'],
    ['3d', '0 0 */3 * *'],
    ['60d', '0 0 1 * *'],
    ['soon', '*/5 * * * *'],
  ];
  for (const [interval, cron] of approximate)
    it(`${interval} → ${cron} with a warning`, () => {
      const result = intervalToCron(interval);
      expect(result.cron).toBe(cron);
      expect(result.approximation).toContain(interval);
    });

  it('lookback becomes a relative earliest time', () => {
    expect(lookbackToEarliest('30m')).toBe('-30m');
    expect(lookbackToEarliest('2h')).toBe('-2h');
    expect(lookbackToEarliest('x')).toBeUndefined();
  });
});
