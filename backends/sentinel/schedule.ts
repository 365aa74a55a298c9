/**
 * Rule schedule → Sentinel `queryFrequency` / `queryPeriod`. Limits from Azure-Sentinel's template schema test
 * (docs/reference/targets/sentinel.md §1): both in 5m–14d (`RangeTimeSpanIsoFormat`), period ≥ frequency
 * (`PeriodGreaterThanOrEqualFrequency`), and a period of 2 days or more needs a frequency of at least 1 hour
 * (`FrequencyLimitationForLongPeriodQuery`). The YAML takes `<n>m|h|d`, ARM an ISO 8601 duration (§2).
 */
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

const MIN_MINUTES = 5;
const MAX_MINUTES = 14 * 1440;
const LONG_PERIOD_MINUTES = 2 * 1440;
const LONG_PERIOD_MIN_FREQUENCY = 60;

/** Seconds in a `<n><s|m|h|d>` duration, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  return m ? Number(m[1]) * UNIT_SECONDS[m[2]!]! : undefined;
}

export interface Schedule {
  readonly frequencyMinutes: number;
  readonly periodMinutes: number;
  /** What was changed to fit Sentinel, one phrase each; empty when nothing was. */
  readonly adjustments: readonly string[];
}

const clamp = (minutes: number): number => Math.min(MAX_MINUTES, Math.max(MIN_MINUTES, minutes));

/** Fits interval/lookback (in seconds) into Sentinel's limits, rounding up to whole minutes. */
export function fitSchedule(intervalSeconds: number, lookbackSeconds: number): Schedule {
  const adjustments: string[] = [];
  if (intervalSeconds % 60 !== 0 || lookbackSeconds % 60 !== 0) adjustments.push('rounded up to whole minutes');
  let frequency = clamp(Math.ceil(intervalSeconds / 60));
  let period = clamp(Math.ceil(lookbackSeconds / 60));
  if (frequency !== Math.ceil(intervalSeconds / 60) || period !== Math.ceil(lookbackSeconds / 60))
    adjustments.push('clamped to 5m–14d');
  if (period < frequency) {
    period = frequency;
    adjustments.push('queryPeriod raised to queryFrequency');
  }
  if (period >= LONG_PERIOD_MINUTES && frequency < LONG_PERIOD_MIN_FREQUENCY) {
    frequency = LONG_PERIOD_MIN_FREQUENCY;
    adjustments.push('queryFrequency raised to 1h for a queryPeriod of 2d or more');
  }
  return { frequencyMinutes: frequency, periodMinutes: period, adjustments };
}

/** `5m`, `2h`, `1d`: the largest unit that divides the duration. */
export function yamlDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440}d`;
  if (minutes % 60 === 0) return `${minutes / 60}h`;
  return `${minutes}m`;
}

/** `PT5M`, `PT2H`, `P1D`: ISO 8601, as ARM expects. */
export function isoDuration(minutes: number): string {
  if (minutes % 1440 === 0) return `P${minutes / 1440}D`;
  if (minutes % 60 === 0) return `PT${minutes / 60}H`;
  return `PT${minutes}M`;
}
