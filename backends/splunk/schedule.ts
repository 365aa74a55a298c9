/**
 * Run schedule: the rule's interval as a cron expression, its lookback as a relative time modifier.
 *
 * savedsearches.conf `cron_schedule` takes standard five-field cron; a step value (every n units) restarts at every hour, day or
 * month boundary, so only steps that divide that period give even gaps. Other intervals keep the step (or, beyond the
 * field's range, the whole period), which never leaves a gap longer than the interval, and a warning.
 */
export interface CronResult {
  readonly cron: string;
  /** Set when the schedule does not run exactly every interval. */
  readonly approximation?: string;
}

const DURATION = /^(\d+)([smhd])$/;

function parse(interval: string): { n: number; unit: 's' | 'm' | 'h' | 'd' } | undefined {
  const m = DURATION.exec(interval);
  if (!m) return undefined;
  return { n: Number(m[1]), unit: m[2] as 's' | 'm' | 'h' | 'd' };
}

function approximate(cron: string, interval: string, why: string): CronResult {
  return { cron, approximation: `interval ${interval} runs as '${cron}': ${why}` };
}

export function intervalToCron(interval: string): CronResult {
  const parsed = parse(interval);
  if (!parsed || parsed.n === 0) return approximate('*/5 * * * *', interval, 'not a duration; the default 5m is used');
  const { n, unit } = parsed;
  if (unit === 's') {
    if (n % 60 === 0) return intervalToCron(`${n / 60}m`);
    return approximate('* * * * *', interval, 'cron cannot run more than once a minute or at second steps');
  }
  if (unit === 'm') {
    if (n % 60 === 0) return intervalToCron(`${n / 60}h`);
    if (n === 1) return { cron: '* * * * *' };
    if (60 % n === 0) return { cron: `*/${n} * * * *` };
    if (n > 60) return approximate('0 * * * *', interval, 'a minute step cannot exceed an hour, so it runs hourly');
    return approximate(
      `*/${n} * * * *`,
      interval,
      'the step restarts every hour, so the last gap of each hour is shorter',
    );
  }
  if (unit === 'h') {
    if (n % 24 === 0) return intervalToCron(`${n / 24}d`);
    if (n === 1) return { cron: '0 * * * *' };
    if (24 % n === 0) return { cron: `0 */${n} * * *` };
    if (n > 24) return approximate('0 0 * * *', interval, 'an hour step cannot exceed a day, so it runs daily');
    return approximate(
      `0 */${n} * * *`,
      interval,
      'the step restarts every day, so the last gap of each day is shorter',
    );
  }
  if (n === 1) return { cron: '0 0 * * *' };
  if (n === 7) return { cron: '0 0 * * 0' };
  if (n > 30) return approximate('0 0 1 * *', interval, 'a day step cannot exceed a month, so it runs monthly');
  return approximate(
    `0 0 */${n} * *`,
    interval,
    'the step restarts every month, so the last gap of each month is shorter',
  );
}

/** `-30m`: Splunk relative time modifiers take the same s/m/h/d units as the rule. */
export function lookbackToEarliest(lookback: string): string | undefined {
  return parse(lookback) ? `-${lookback}` : undefined;
}
