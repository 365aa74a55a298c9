/** Diagnostic codes of the Microsoft Sentinel target (prefix SN). A code never changes meaning once released. */
import { defineCodes } from '../../src/diagnostics/codes.js';

export const SENTINEL_CODES = defineCodes({
  SN001: {
    severity: 'error',
    summary:
      'the regular expression uses a construct RE2 (Kusto `matches regex`) cannot run: backreference, look-around, atomic group or possessive quantifier',
  },
  SN002: {
    severity: 'warning',
    summary:
      'Kusto cannot tell an empty string from a missing field: a null test also matches an empty value, a presence test rejects an empty value, an empty-value test also matches a missing field',
  },
  SN003: {
    severity: 'warning',
    summary:
      'a keyword (field-less) search is a substring search over every column of the row (`* contains`), non-string and serialised dynamic columns included',
  },
  SN004: {
    severity: 'error',
    summary:
      "a value's type cannot be compared with the column's type (e.g. a number against a bool or datetime column)",
  },
  SN005: {
    severity: 'warning',
    summary:
      'the schedule was adjusted to fit Sentinel: queryFrequency/queryPeriod 5m–14d, period ≥ frequency, whole minutes',
  },
  SN006: { severity: 'error', summary: 'the rule schedule (interval or lookback) is not a `<n><s|m|h|d>` duration' },
  SN007: { severity: 'warning', summary: 'level critical has no Sentinel severity: deployed as High' },
  SN008: {
    severity: 'warning',
    summary: 'an ATT&CK tactic has no Microsoft Sentinel tactic name and is left out of the rule',
  },
  SN009: { severity: 'error', summary: 'the Kusto query is longer than the 10,000 characters Sentinel accepts' },
  SN010: {
    severity: 'error',
    summary: 'no Sentinel table is known for this logsource: map it in the pipeline or set `targets.sentinel.table`',
  },
  SN011: {
    severity: 'warning',
    summary: 'the description is longer than the 5,000 characters Sentinel accepts and was cut',
  },
  SN012: { severity: 'error', summary: '`targets.sentinel` holds a key or value rulec does not understand' },
  SN013: {
    severity: 'error',
    summary:
      'a test on one named O365 parameter (Parameters.<Name>) has no column: OfficeActivity.Parameters is the whole list as JSON text',
  },
  // SN02x: correlation rules.
  SN020: {
    severity: 'warning',
    summary:
      'a correlation counts in fixed `bin(TimeGenerated, …)` windows, where the specification slides: a burst across two bins can be missed',
  },
  SN021: { severity: 'error', summary: 'a correlation group-by field name Kusto cannot quote' },
  SN022: {
    severity: 'warning',
    summary:
      'temporal_ordered: events of two steps at the same instant are put in either order (array_sort_asc does not say which), where rulec match takes them in arrival order',
  },
  SN023: {
    severity: 'warning',
    summary:
      'a chain: the inner correlation fires at most once per group and bin, at the time of the last event of its bin, where rulec match fires as soon as its condition is met (and again after): an outer correlation may see fewer or later firings',
  },
  // SN10x: profiles (backends/sentinel/profiles/).
  SN100: {
    severity: 'warning',
    summary:
      'an ASIM column that the source parsers fill differently (or not at all): rows from some sources cannot match the test',
  },
  // SN13x: placeholders resolved through a watchlist.
  SN130: {
    severity: 'error',
    summary:
      'a placeholder reference Sentinel cannot write into a query (not a watchlist, or a name or column outside the safe characters)',
  },
});
