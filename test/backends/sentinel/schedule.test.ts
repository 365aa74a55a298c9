import { describe, expect, it } from 'vitest';
import { fitSchedule, isoDuration, parseDuration, yamlDuration } from '../../../backends/sentinel/schedule.js';

describe('schedule', () => {
  it('parses <n><s|m|h|d> durations', () => {
    expect(parseDuration('30s')).toBe(30);
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('2h')).toBe(7200);
    expect(parseDuration('1d')).toBe(86400);
    expect(parseDuration('5 minutes')).toBeUndefined();
    expect(parseDuration('-5m')).toBeUndefined();
  });

  it('formats with the largest exact unit', () => {
    expect([yamlDuration(5), yamlDuration(90), yamlDuration(120), yamlDuration(2880)]).toEqual([
      '5m',
      '90m',
      '2h',
      '2d',
    ]);
    expect([isoDuration(5), isoDuration(90), isoDuration(120), isoDuration(2880)]).toEqual([
      'PT5M',
      'PT90M',
      'PT2H',
      'P2D',
    ]);
  });

  it('leaves a schedule inside the limits alone', () => {
    expect(fitSchedule(300, 1800)).toEqual({ frequencyMinutes: 5, periodMinutes: 30, adjustments: [] });
    expect(fitSchedule(86400, 14 * 86400)).toEqual({ frequencyMinutes: 1440, periodMinutes: 20160, adjustments: [] });
  });

  it('enforces every Sentinel limit', () => {
    const cases: [number, number][] = [
      [1, 1],
      [59, 3600],
      [3600, 60],
      [300, 2 * 86400],
      [30 * 86400, 30 * 86400],
    ];
    for (const [interval, lookback] of cases) {
      const { frequencyMinutes: f, periodMinutes: p, adjustments } = fitSchedule(interval, lookback);
      expect(adjustments.length).toBeGreaterThan(0);
      expect(f).toBeGreaterThanOrEqual(5);
      expect(p).toBeLessThanOrEqual(20160);
      expect(p).toBeGreaterThanOrEqual(f);
      if (p >= 2880) expect(f).toBeGreaterThanOrEqual(60);
    }
  });
});
