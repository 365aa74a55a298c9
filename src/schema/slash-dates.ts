/**
 * Older rule sets (SigmaHQ's `deprecated/` folder, many in-house repositories) write `date: 2022/04/11`, and pySigma
 * accepts `YYYY/MM/DD` and `YYYY/M/D`. rulec reads such a date as the ISO day it names and warns (RC124) with the
 * ISO spelling, instead of refusing the whole rule for metadata.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Locator } from '../source/locator.js';

const SLASH_DATE = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/;
const DATE_KEYS = ['date', 'modified'] as const;

/** The ISO form of a `YYYY/M/D` date naming a real day, else undefined. */
export function isoFromSlashDate(text: string): string | undefined {
  const m = SLASH_DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  return `${m[1]}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * `data` with its `date` and `modified` written `YYYY/M/D` replaced by the ISO day (a copy; `data` is unchanged),
 * and one RC124 warning per replaced value. Anything else is left for the schema to judge.
 */
export function acceptSlashDates(
  data: Record<string, unknown>,
  locator: Locator,
): { data: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let out = data;
  for (const key of DATE_KEYS) {
    const value = data[key];
    if (typeof value !== 'string') continue;
    const iso = isoFromSlashDate(value);
    if (iso === undefined) continue;
    if (out === data) out = { ...data };
    out[key] = iso;
    const span = locator.span([key], 'value');
    diagnostics.push({
      code: 'RC124',
      severity: 'warning',
      message: `'${key}' ${JSON.stringify(value)} is written YYYY/MM/DD; it is read as ${iso}`,
      file: locator.file,
      ...(span ? { span } : {}),
      label: `write ${iso}`,
      notes: ['Sigma dates are ISO 8601 days, YYYY-MM-DD'],
    });
  }
  return { data: out, diagnostics };
}
