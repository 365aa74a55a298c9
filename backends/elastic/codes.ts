/**
 * Diagnostic codes of the Elastic target (prefix EL). EL1xx: information about the chosen rule language;
 * EL2xx: emitted but lossy (warnings); EL3xx: impossible translations (refusals); EL4xx: metadata.
 */
import { defineCodes } from '../../src/diagnostics/codes.js';

export const ELASTIC_CODES = defineCodes({
  EL101: {
    severity: 'info',
    summary: 'the query needs a construct KQL cannot express faithfully, so the rule is emitted as an EQL rule',
  },
  EL201: {
    severity: 'warning',
    summary: 'KQL matches this keyword field case-sensitively while the rule matches case-insensitively',
  },
  EL202: {
    severity: 'warning',
    summary:
      'a keyword (field-less) search becomes KQL free text `*value*` over every field: a substring search, but case-sensitive on keyword fields',
  },
  EL203: {
    severity: 'warning',
    summary: 'a value on a text field is an analysed (phrase or token) match in Elastic, not an exact comparison',
  },
  EL204: {
    severity: 'warning',
    summary: 'a CIDR match on a field the pipeline does not declare as ip: it only works if the field is mapped as ip',
  },
  EL205: { severity: 'warning', summary: 'the detection is constant false: the rule can never match' },
  EL206: {
    severity: 'warning',
    summary:
      'a numeric comparison on a field the pipeline does not type as numeric: Elasticsearch compares its indexed terms as text',
  },
  EL207: {
    severity: 'warning',
    summary:
      "a keyword's whitespace, control characters or '?' are searched as '*' in KQL free text: a wider search (under `not`, a narrower rule)",
  },
  EL208: {
    severity: 'warning',
    summary:
      "KQL matches a caseExact field (event.action, event.provider, winlog.channel…) case-sensitively: the rule's value must be spelled as the data spells it",
  },
  EL209: {
    severity: 'warning',
    summary:
      'a value that is not an IP address on an ip-typed field is always false in Elastic: a selection that never matches, or under `not` a dropped exclusion',
  },
  EL301: { severity: 'error', summary: 'a field-to-field comparison (fieldref) cannot be expressed in KQL or EQL' },
  EL302: { severity: 'error', summary: 'a date-part comparison cannot be expressed in KQL or EQL' },
  EL303: { severity: 'error', summary: 'a regular expression uses a construct Lucene regex syntax cannot express' },
  EL304: {
    severity: 'error',
    summary:
      'a keyword (field-less) search needs KQL free text, but the keyword (whitespace, `?`) or the rest of the rule needs EQL, which has no field-less search',
  },
  EL305: { severity: 'error', summary: 'a wildcard or text match on an ip-typed field cannot be expressed' },
  EL306: { severity: 'error', summary: 'a CIDR match on a non-ip field cannot be lowered to a wildcard' },
  EL307: { severity: 'error', summary: 'the rule forces KQL but a part of it needs EQL' },
  EL308: { severity: 'error', summary: 'a number that is not finite cannot be written in a query' },
  EL309: { severity: 'error', summary: "the rule's targets.elastic.language is not one of auto, kuery, eql" },
  EL310: {
    severity: 'error',
    summary:
      "a test on a field Elastic's ingest splits into several fields (Sysmon Hashes, User) has no faithful form on the parts",
  },
  EL401: {
    severity: 'info',
    summary:
      'an ATT&CK tag is unknown to the bundled table and gets no threat entry (no longer emitted: the front end reports RC140)',
  },
  EL311: {
    severity: 'error',
    summary:
      'the rule tests a field in a shape the Elastic integration does not store (O365 Parameters as one list: the o365 integration keys it by parameter name, test Parameters.<Name>)',
  },
  EL312: { severity: 'warning', summary: "an unknown key in the rule's targets.elastic settings was ignored" },
  EL501: {
    severity: 'warning',
    summary:
      "a correlation as a threshold rule counts each run's look-back (timespan plus run interval), not a sliding timespan window: events up to one interval further apart than the timespan may count together",
  },
  EL502: {
    severity: 'warning',
    summary:
      'a correlation as an ES|QL rule groups events in fixed BUCKETs of the timespan, not a sliding window: a burst across a bucket boundary is split',
  },
  EL503: {
    severity: 'info',
    summary:
      'an event_count or value_count correlation is emitted as an ES|QL rule because a threshold rule cannot state it (condition other than "at least", EQL rules, differing fields)',
  },
  EL505: {
    severity: 'warning',
    summary:
      'ES|QL reads a multi-valued field (an array) as null in comparisons: such events do not match, where Sigma matches any element',
  },
  EL506: {
    severity: 'warning',
    summary:
      "distinct values are counted by Elasticsearch's cardinality estimate (HyperLogLog++): exact up to about 3000 values, approximate above",
  },
  EL511: {
    severity: 'error',
    summary: 'value_percentile is not emitted: the specification does not say which percentile its condition compares',
  },
  EL513: {
    severity: 'error',
    summary:
      "the correlation's value field differs between the referenced rules (aliases), which one Elastic query cannot aggregate",
  },
  EL514: {
    severity: 'error',
    summary: "the correlation's condition names several value fields (a tuple), which Elastic does not aggregate",
  },
  EL515: { severity: 'error', summary: 'a keyword (field-less) search has no ES|QL form' },
  EL516: { severity: 'error', summary: 'a case-insensitive regular expression cannot be expressed with ES|QL RLIKE' },
  EL517: { severity: 'error', summary: 'a date-part comparison is not emitted in ES|QL' },
  EL520: {
    severity: 'error',
    summary:
      'a correlation of correlations (a chain): no Elastic rule type reads the firings of another correlation (threshold, EQL and ES|QL read events, not the groups another query finds)',
  },
  EL519: { severity: 'error', summary: 'the referenced rules of an ES|QL correlation have no index pattern for FROM' },
  // EL60x: placeholders resolved through value lists.
  EL600: {
    severity: 'error',
    summary:
      'a value list is tested where a rule exception cannot stand for it (inside an OR, or under a NOT with other tests), and no values are configured to expand',
  },
  EL601: {
    severity: 'warning',
    summary:
      'a value list in a rule exception is matched as exact terms: case-sensitively on keyword fields, where the rule ignores case',
  },
});
