/**
 * Diagnostics of the Splunk (SPL) target: SP1xx lowerings, SP2xx lossy translations, SP3xx refusals, SP4xx conf,
 * SP5xx correlations, SP6xx data-model (`| tstats`) searches.
 */
import { defineCodes } from '../../src/diagnostics/codes.js';

export const SPLUNK_CODES = defineCodes({
  SP101: {
    severity: 'info',
    summary:
      'a test search cannot say exactly was moved to a trailing | where or | regex, with a prefilter where sound',
  },
  SP102: {
    severity: 'info',
    summary: 'an OR or NOT group holding such a test was moved whole into the trailing | where',
  },
  SP201: {
    severity: 'warning',
    summary:
      'a keyword is searched in the raw event text as a Splunk term: found where it begins and ends at segment breakers, not inside an unbroken word',
  },
  SP202: {
    severity: 'warning',
    summary: "a date part of _time is computed in the search's time zone, which may not be UTC",
  },
  SP301: {
    severity: 'error',
    summary: 'a date part of a field other than _time needs the date format of that field, which is unknown',
  },
  SP302: {
    severity: 'error',
    summary: 'a field name with a quote, backslash, backtick or control character cannot be written in SPL',
  },
  SP303: { severity: 'error', summary: 'a number has no plain decimal form that SPL can compare with' },
  SP304: {
    severity: 'error',
    summary: 'a regular expression holds a backtick or control character inside \\Q…\\E, where it cannot be escaped',
  },
  SP401: {
    severity: 'warning',
    summary: 'the run interval is not a whole cron step: the cron schedule runs at uneven gaps no longer than it',
  },
  SP402: { severity: 'warning', summary: 'the title was shortened to fit the 99-character saved search name' },
  SP403: {
    severity: 'warning',
    summary: 'brackets or control characters in the title were replaced in the saved search name',
  },
  SP404: {
    severity: 'warning',
    summary:
      'a text value was adjusted for .conf: a line-ending backslash (read as a continuation) dropped, or a control character replaced',
  },
  SP405: {
    severity: 'warning',
    summary: "an unknown or ill-typed key in the rule's targets.splunk settings was ignored",
  },
  SP406: {
    severity: 'warning',
    summary:
      'a test on one named O365 parameter (Parameters.<Name>) checks the values of every parameter: the Splunk add-on extracts Parameters{}.Name and Parameters{}.Value as separate lists',
  },
  SP407: { severity: 'error', summary: 'the destination macro is not a plain Splunk macro name' },
  // SP63x: placeholders resolved through a lookup or a macro.
  SP630: {
    severity: 'error',
    summary:
      'a placeholder lookup or macro would have to be tested in the trailing | where (case-sensitive, or OR-ed with a test search cannot say), where a subsearch or search macro cannot stand, and no values are configured to expand',
  },
  SP631: {
    severity: 'error',
    summary: 'a field name other than letters, digits, _ and . cannot be passed to a placeholder lookup or macro',
  },
  SP632: { severity: 'error', summary: 'a placeholder lookup or macro name Splunk cannot write into a query' },
  // SP5xx: correlation rules.
  SP501: {
    severity: 'warning',
    summary:
      'a correlation counts in fixed `bin` windows, where the specification slides: a burst across two bins can be missed',
  },
  SP502: { severity: 'error', summary: 'a correlation group-by field name Splunk cannot take as written' },
  SP504: {
    severity: 'warning',
    summary:
      "a correlation alias: an event matching several referenced rules is grouped by the first such rule's field, where rulec match groups it once per rule",
  },
  SP503: {
    severity: 'warning',
    summary:
      'temporal_ordered: events of two steps at the same instant do not count as ordered (step times compare strictly), where the specification leaves them unordered and rulec match takes them in arrival order',
  },
  SP505: {
    severity: 'warning',
    summary:
      'a chain: the inner correlation fires at most once per group and bin, at the time of the last event of its bin, where rulec match fires as soon as its condition is met (and again after): an outer correlation may see fewer or later firings',
  },
  // SP6xx: data-model searches (`| tstats … from datamodel=…`, the `cim` profile).
  SP601: {
    severity: 'info',
    summary:
      "a path that ends in a separator and a file name (Image|endswith '\\x.exe') is searched as the data model's file-name field",
  },
  SP602: {
    severity: 'error',
    summary: 'a keyword searches the raw event text, which a data-model search (tstats) does not have',
  },
  SP603: {
    severity: 'error',
    summary:
      "a field that is not one of the data model dataset's fields: tstats can only test the dataset's fields and index, source, sourcetype, host",
  },
  SP604: {
    severity: 'error',
    summary: 'the destination names no valid data model, dataset object or by-field list',
  },
  SP605: {
    severity: 'error',
    summary: 'a base-search macro cannot precede | tstats: select the data with index or sourcetype instead',
  },
  SP606: {
    severity: 'info',
    summary:
      'a test tstats cannot say runs on its result rows (| where after tstats): its fields join the by clause, and a field tstats filled with the text "null" reads as missing',
  },
  SP607: {
    severity: 'error',
    summary: 'a correlation over a data-model search (| tstats): its rows are aggregates, not events',
  },
  SP610: {
    severity: 'warning',
    summary:
      "the data model's user field is compared with Sysmon's DOMAIN\\name, but add-ons may write it without the domain",
  },
  SP611: {
    severity: 'warning',
    summary:
      "Sysmon's registry Details ('DWORD (0x00000001)') is compared with registry_value_data, where add-ons may write the value alone ('0x00000001')",
  },
  SP612: {
    severity: 'warning',
    summary:
      "Sysmon's Hashes list ('SHA1=…,MD5=…') is compared with the data model's hash field, which add-ons may fill with a single hash",
  },
  SP613: {
    severity: 'warning',
    summary: "the data model's dest holds the destination's host name or, when none is known, its IP address",
  },
});
