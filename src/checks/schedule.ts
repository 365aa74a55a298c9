/**
 * A schedule that looks back less than its interval leaves gaps: with `interval: 30m, lookback: 5m`, 25 of every
 * 30 minutes are never searched. Every target therefore searches at least the whole interval (Sentinel requires
 * `queryPeriod ≥ queryFrequency` anyway, so this is the one window all targets can agree on), and the rule gets a
 * warning saying so, on its `lookback`.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { FRONTEND_CODES } from '../diagnostics/frontend-codes.js';
import type { Locator } from '../source/locator.js';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds of a `<n><s|m|h|d>` duration, or undefined when it is not one. */
export function durationSeconds(text: string): number | undefined {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : undefined;
}

/** The lookback every target uses: the rule's own, or the interval when the rule's is shorter. */
export function effectiveLookback(interval: string, lookback: string): string {
  const i = durationSeconds(interval);
  const l = durationSeconds(lookback);
  return i !== undefined && l !== undefined && l < i ? interval : lookback;
}

/** RC121 for a document whose `schedule` looks back less than it runs. */
export function checkSchedule(data: Readonly<Record<string, unknown>>, locator: Locator): Diagnostic[] {
  const schedule = data['schedule'];
  if (schedule === null || typeof schedule !== 'object') return [];
  const { interval, lookback } = schedule as { interval?: unknown; lookback?: unknown };
  if (typeof interval !== 'string' || typeof lookback !== 'string') return [];
  const i = durationSeconds(interval);
  const l = durationSeconds(lookback);
  if (i === undefined || l === undefined || l >= i) return [];
  const span = locator.span(['schedule', 'lookback']);
  return [
    {
      code: FRONTEND_CODES.RC121.code,
      severity: FRONTEND_CODES.RC121.severity,
      message: `lookback ${lookback} is shorter than the interval ${interval}: each run would leave events unsearched`,
      file: locator.file,
      ...(span ? { span } : {}),
      label: `every target searches the last ${interval} instead`,
      notes: [`set 'lookback' to at least '${interval}' (a little more lets late events in)`],
    },
  ];
}
