/**
 * Exact-loss excuses for the fidelity tests: which warning codes name a semantic loss of the query (as opposed to
 * metadata, schedule or language-choice notices), what kind of disagreement each one explains, and which field its
 * message names. A disagreement between a target's query and the JS predicate is excused only by a diagnostic of
 * the rule whose code is a loss code of that target (or of the JS reference itself), whose kind fits the event,
 * and, when the message names a field, whose field the disagreeing event touches.
 *
 * Not loss codes, on purpose: infos (EL101, SP101, SP102: a different but faithful rendering), EL205 (a constant
 * false detection is what the JS predicate says too), RC401 (fallback mapping: fields kept, nothing lost in the
 * query), schedule and metadata warnings (SN005, SN007, SN008, SN011, SP401–SP405: the query text is unchanged;
 * SP404 adjusts .conf text, the evaluators read the query itself), and every error (a refused rule has no query).
 */
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { lookup } from './evaluators/common.js';

/** What a loss makes the target do differently from the rule. */
export type LossKind =
  /** The target compares a value case-sensitively where the rule does not: the field holds a cased string. */
  | 'case'
  /** The target matches analysed text (phrase/token), not the exact value: the field holds a string. */
  | 'analysed'
  /** A CIDR or numeric test on a field whose index type decides the outcome: the field holds a value. */
  | 'field-type'
  /** Empty string and missing field are one thing in the target: the field is missing, null or ''. */
  | 'empty-or-missing'
  /** A field-less keyword search covers other fields or raw text than the rule's keyword semantics. */
  | 'keyword'
  /** A value-mapped field tested with a value the mapping does not know (or not exactly): the field holds a value. */
  | 'unmapped-value'
  /** A date part computed in another time zone: the field holds a value. */
  | 'time-zone'
  /** The JS reference itself is approximate (regex on UTF-16 units, numbers beyond 2^53): the field holds a value. */
  | 'reference';

export interface LossCode {
  /** The target whose diagnostics carry the code; `*` for target-agnostic pipeline codes, `js` for the reference. */
  readonly target: string;
  readonly kind: LossKind;
  /** Extracts the field the message names (target name for backend codes, rule name for RC4xx). */
  readonly field?: RegExp;
}

export const LOSS_CODES: Readonly<Record<string, LossCode>> = {
  // Elastic (backends/elastic/codes.ts)
  EL201: { target: 'elastic', kind: 'case', field: /^KQL matches '(.+)' case-sensitively/ },
  EL202: { target: 'elastic', kind: 'keyword' },
  EL207: { target: 'elastic', kind: 'keyword' },
  EL208: { target: 'elastic', kind: 'case', field: /^KQL matches '(.+)' case-sensitively: the rule's/ },
  EL203: { target: 'elastic', kind: 'analysed', field: /^'(.+)' is a text field/ },
  EL204: { target: 'elastic', kind: 'field-type', field: /^'(.+)' is not declared as an ip field/ },
  EL206: { target: 'elastic', kind: 'field-type', field: /^'(.+)' is not typed numeric/ },
  EL209: { target: 'elastic', kind: 'field-type', field: /^'(.+)' is an ip field and can never hold/ },
  // A value list in a rule exception compares exact terms (backends/elastic/value-lists.ts).
  EL601: { target: 'elastic', kind: 'case', field: /^the value list .+ case-sensitively on '(.+)', where the rule/ },
  // Sentinel (backends/sentinel/codes.ts)
  SN002: {
    target: 'sentinel',
    kind: 'empty-or-missing',
    field:
      /^'(.+?)(?:: null' is rendered|' present is rendered|' equal to ''|' equal to '.+' is rendered with isnotempty)/,
  },
  SN003: { target: 'sentinel', kind: 'keyword' },
  // ASIM profile: a column some source parsers leave empty or fill in another form; the rule field holds a value.
  SN100: { target: 'sentinel', kind: 'unmapped-value', field: /^'(.+?)' is / },
  // Splunk (backends/splunk/codes.ts)
  SP201: { target: 'splunk', kind: 'keyword' },
  SP202: { target: 'splunk', kind: 'time-zone', field: /^the \w+ of (_time)\b/ },
  // Parameters.<Name> tested against every parameter's value: the rule's field holds a value the name does not bind.
  SP406: { target: 'splunk', kind: 'unmapped-value', field: /^'(.+)' is tested against the value of every parameter/ },
  // The cim profile (backends/splunk/profiles/cim.yml): a CIM field whose values add-ons may write in another form
  // than Sysmon's (user without domain, DWORD value alone, one hash, an IP for a host name).
  SP610: { target: 'splunk', kind: 'unmapped-value', field: /^(\S+) is compared with / },
  SP611: { target: 'splunk', kind: 'unmapped-value', field: /^(\S+) is compared with / },
  SP612: { target: 'splunk', kind: 'unmapped-value', field: /^(\S+) is compared with / },
  SP613: { target: 'splunk', kind: 'unmapped-value', field: /^(\S+) is compared with / },
  // Pipeline, every target (src/diagnostics/pipeline-codes.ts)
  RC404: { target: '*', kind: 'unmapped-value', field: /of field '(.+)' has no/ },
  RC405: { target: '*', kind: 'unmapped-value', field: /^field '(.+)' has mapped values/ },
  // The JS reference (backends/js/codes.ts): its own approximation excuses every target.
  JS003: { target: 'js', kind: 'reference' },
  JS004: { target: 'js', kind: 'reference' },
};

/**
 * Warning codes that do not name a loss of the query's meaning, with the reason: a new warning code must be put in
 * one table or the other (loss-codes.test.ts), so a lossy rendering cannot get excused, or missed, by accident.
 */
export const NOT_LOSS_WARNINGS: Readonly<Record<string, string>> = {
  EL205: 'a constant false detection: the JS predicate is constant false too',
  RC012: 'front end: YAML notice',
  RC907: 'build: a shared title is deployed with the id appended; what the rule matches is unchanged',
  RC916: 'build: files of an output folder from before its record were kept; no query changes',
  RC032: 'rule discovery: a symlink leaving the folder is not followed (no rule is compiled from it)',
  RC033: 'rule discovery: a dangling symlink is skipped',
  RC034: 'rule discovery: a symlink loop is not walked again',
  RC035: 'rule discovery: a FIFO, socket or device is never opened',
  RC036: 'rule discovery: a folder that cannot be listed is skipped',
  RC038: 'front end: a targets: key naming no target is ignored; no query changes',
  RC708: 'front end: a filter whose logsource differs from a rule is applied to it in no target; every target agrees',
  RC722: 'rulec match: an event of a correlated rule without a readable time is left out of windows (runtime notice)',
  RC740: 'front end: a filter that tunes no rule read with it changes no query in any target (a notice to the author)',
  RC742: 'rulec build/compile: a rule in a --filters folder is ignored by every command alike (not a translation)',
  RC743: 'front end: a filter naming a rule not read with it tunes nothing there, in every target alike',
  SN020:
    'correlation query, not a detection query: the fixed-bin window loss is named in its own text; the detection fidelity tests never see it',
  SP501:
    'correlation query, not a detection query: the fixed-bin window loss is named in its own text; the detection fidelity tests never see it',
  EL501:
    'correlation query (threshold look-back window): excused in test/correlation/elastic-differential.test.ts, where only extra alerts may differ; the detection fidelity tests never see it',
  EL502:
    'correlation query (fixed ES|QL buckets): excused in test/correlation/elastic-differential.test.ts, where only missed alerts may differ; the detection fidelity tests never see it',
  EL505:
    'correlation query (ES|QL multi-valued fields read as null): named in its own text; the detection fidelity tests never see it',
  EL506:
    'correlation query (approximate distinct count above ~3000 values): named in its own text; the detection fidelity tests never see it',
  SN022:
    'correlation query, not a detection query: the order of same-instant steps is named in its own text; test/correlation/differential.test.ts uses distinct times',
  SP504:
    'correlation query, not a detection query: an event matched by several aliased rules is named in its own text; the differential test keeps rules disjoint',
  SP505:
    'correlation chain query, not a detection query: the inner firing time and count per bin are named in its own text; test/correlation/differential.test.ts builds bursts where they agree',
  SN023:
    'correlation chain query, not a detection query: the inner firing time and count per bin are named in its own text; test/correlation/differential.test.ts builds bursts where they agree',
  SP503:
    'correlation query, not a detection query: the order of same-instant steps is named in its own text; test/correlation/differential.test.ts uses distinct times',
  RC120: 'front end: unknown top-level key',
  RC124: 'front end: a YYYY/MM/DD date is metadata, read as its ISO day; no query changes',
  RC121: 'front end: schedule gap; every target searches the same widened window, the query is unchanged',
  RC122: 'validate: logsource value no pipeline knows; the query is what the rule says',
  RC123: 'validate: field name close to a known one; the query is what the rule says',
  RC140: 'front end: ATT&CK tag metadata, not the query',
  RC210: 'front end: the value is read as a boolean in every target alike',
  RC212: 'front end: repeated modifier',
  RC213: 'front end: modifier without effect',
  RC214: 'front end: the regex is kept non-unicode for every target (JS003 names the reference side)',
  RC217: 'front end: identifier spelling',
  RC218: 'front end: base64offset without contains, the same IR for every target',
  RC219: 'front end: obsolete key',
  RC307: 'front end: unused search identifier',
  RC309: 'front end: operator spelling',
  RC401: 'fallback mapping: fields kept as the rule names them, nothing lost in the query',
  SN005: 'schedule, not the query',
  SN007: 'severity metadata',
  SN008: 'tactic metadata',
  SN011: 'description metadata',
  SP401: 'schedule, not the query',
  SP402: 'saved search name',
  SP403: 'saved search name',
  SP404: '.conf text; the evaluators read the query itself',
  SP405: 'ignored targets.splunk setting',
  EL312: 'ignored targets.elastic setting, not the query',
};

/** The field a loss diagnostic names, when its code's message names one. */
export function lossField(d: Diagnostic): string | undefined {
  const re = LOSS_CODES[d.code]?.field;
  return re ? re.exec(d.message)?.[1] : undefined;
}

function hasCasedLetter(text: string): boolean {
  return text.toLowerCase() !== text.toUpperCase();
}

function values(event: Readonly<Record<string, unknown>>, field: string): unknown[] {
  const v = lookup(event, field);
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Whether a loss of `kind` on `field` (or on no field) can explain a disagreement on `event`. */
function fits(kind: LossKind, field: string | undefined, event: Readonly<Record<string, unknown>>): boolean {
  // A keyword search reads the whole event (raw text, every column, default fields): any event can differ.
  if (kind === 'keyword') return true;
  if (field === undefined) return true;
  const vs = values(event, field);
  switch (kind) {
    case 'case':
      return vs.some((v) => typeof v === 'string' && hasCasedLetter(v));
    case 'analysed':
      return vs.some((v) => typeof v === 'string');
    case 'empty-or-missing':
      return vs.length === 0 || vs.some((v) => v === null || v === '');
    case 'field-type':
    case 'unmapped-value':
    case 'time-zone':
    case 'reference':
      return vs.some((v) => v !== null);
  }
}

/**
 * The loss codes among `diagnostics` (of the target and of the JS reference) that explain a disagreement of
 * `target` on an event: `events` are the event in the rule's field names and, where it differs, in the target's.
 */
export function excusingCodes(
  target: string,
  diagnostics: readonly Diagnostic[],
  events: readonly Readonly<Record<string, unknown>>[],
): string[] {
  const out = new Set<string>();
  for (const d of diagnostics) {
    if (d.severity !== 'warning') continue;
    const loss = LOSS_CODES[d.code];
    if (!loss) continue;
    if (loss.target !== '*' && loss.target !== 'js' && loss.target !== target) continue;
    if (loss.target === '*' && d.target !== undefined && d.target !== target) continue;
    if (loss.target === 'js' && d.target !== 'js') continue;
    const field = lossField(d);
    if (loss.field && field === undefined) continue; // a message the table does not read: not an exact excuse
    if (events.some((e) => fits(loss.kind, field, e))) out.add(d.code);
  }
  return [...out].sort();
}
