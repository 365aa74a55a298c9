/**
 * What a target field's declared type means for matching. Elasticsearch: `keyword`-family and numeric/ip/date
 * fields compare exactly and case-sensitively; `text`-family fields are analysed (docs/reference/targets/elastic.md §3 "Case sensitivity").
 */
import type { ElasticDestination } from './destination.js';

export type FieldKind = 'string' | 'text' | 'ip' | 'number' | 'boolean' | 'date' | 'unknown';

const KINDS: Readonly<Record<string, FieldKind>> = {
  keyword: 'string',
  constant_keyword: 'string',
  wildcard: 'string',
  flattened: 'string',
  text: 'text',
  match_only_text: 'text',
  ip: 'ip',
  long: 'number',
  integer: 'number',
  short: 'number',
  byte: 'number',
  double: 'number',
  float: 'number',
  half_float: 'number',
  scaled_float: 'number',
  unsigned_long: 'number',
  boolean: 'boolean',
  date: 'date',
  date_nanos: 'date',
};

export function fieldKind(fieldTypes: Readonly<Record<string, string>>, field: string): FieldKind {
  const type = fieldTypes[field];
  return type === undefined ? 'unknown' : (KINDS[type] ?? 'unknown');
}

/** True when upper- and lower-case spellings of `text` differ somewhere, so case sensitivity matters. */
export function hasCasedCharacters(text: string): boolean {
  return text.toLowerCase() !== text.toUpperCase();
}

/**
 * `case-exact`: a rule value on a field the pipeline declares `caseExact` (one canonical spelling in the data):
 * KQL matches it case-sensitively, right only when the rule spells the value as the data does.
 */
export type CaseFidelity = 'faithful' | 'case-sensitive' | 'case-exact' | 'analysed';

/**
 * Whether an exact/wildcard KQL match on `field` keeps Sigma's case semantics. KQL has no case-insensitive
 * option (the detection engine builds `term`/`wildcard` queries without `case_insensitive`), so a case-insensitive
 * Sigma value is faithful only if the field is not a string or the value has no letters with case. On a
 * `caseExact` field, the pipeline's own condition values (`fromRule` false) are written in the data's spelling;
 * a rule's value may not be (`Microsoft-Windows-Iphlpsvc` vs the data's `microsoft-windows-iphlpsvc`), so it is
 * `case-exact`: kept in KQL, as Elastic writes such rules, with a warning that names the loss.
 */
export function kqlCaseFidelity(
  field: string,
  literals: readonly string[],
  cased: boolean,
  fieldTypes: Readonly<Record<string, string>>,
  destination: ElasticDestination,
  fromRule = true,
): CaseFidelity {
  const kind = fieldKind(fieldTypes, field);
  if (kind === 'text') return 'analysed';
  if (cased || kind === 'ip' || kind === 'number' || kind === 'boolean' || kind === 'date') return 'faithful';
  if (!literals.some(hasCasedCharacters)) return 'faithful';
  if (destination.caseExact.has(field)) return fromRule ? 'case-exact' : 'faithful';
  return 'case-sensitive';
}
