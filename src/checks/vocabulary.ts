/**
 * Names a rule uses that no target knows: a logsource value no pipeline maps (`proces_creation`, `windws`) and a
 * field name close to, but not among, the fields the pipelines know for the rule's logsource (`Commandline`). Both
 * are warnings with "did you mean": the rule still compiles (with the rule's own names), but most likely never
 * matches. The frontend does not know targets, so the vocabulary is built from the registry's pipelines by the
 * caller and passed in.
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { FRONTEND_CODES } from '../diagnostics/frontend-codes.js';
import { suggest } from '../detection/suggest.js';
import type { Rule } from '../model/rule.js';
import type { LogsourceMapping, Pipeline } from '../pipeline/types.js';
import { selectLogsource } from '../pipeline/apply.js';

/** What the pipelines of every target know, together. */
export interface Vocabulary {
  /** Logsource key (`category`, `product`, `service`) → the values some pipeline maps, lower-case. */
  readonly logsourceValues: ReadonlyMap<string, ReadonlySet<string>>;
  readonly pipelines: readonly Pipeline[];
}

/** The keys whose values name log sources; other logsource keys (`definition`, custom ones) are free text. */
const CHECKED_KEYS = ['category', 'product', 'service'] as const;

export function vocabularyOf(pipelines: readonly Pipeline[]): Vocabulary {
  const logsourceValues = new Map<string, Set<string>>(CHECKED_KEYS.map((k) => [k, new Set<string>()]));
  for (const pipeline of pipelines)
    for (const mapping of pipeline.logsources)
      for (const [key, value] of Object.entries(mapping.when))
        logsourceValues.get(key)?.add(String(value).toLowerCase());
  return { logsourceValues, pipelines };
}

/** Rule field names the pipelines know for `rule`'s logsource, or undefined when no pipeline maps it. */
function knownFields(rule: Rule, vocabulary: Vocabulary): Set<string> | undefined {
  let fields: Set<string> | undefined;
  for (const pipeline of vocabulary.pipelines) {
    const mapping: LogsourceMapping | undefined = selectLogsource(pipeline, rule.logsource);
    // A catch-all mapping (`when: {}`, a target that keeps the rule's names) says nothing about field names.
    if (!mapping || Object.keys(mapping.when).length === 0) continue;
    fields ??= new Set();
    for (const table of [mapping.fields, mapping.values, pipeline.fields])
      for (const name of Object.keys(table ?? {})) fields.add(name);
    for (const name of mapping.missing ?? []) fields.add(name);
  }
  return fields;
}

/** Each `Field|modifiers` key of the detection with its document path (keywords and `condition` left out). */
function fieldKeys(rule: Rule): { field: string; path: (string | number)[] }[] {
  const out: { field: string; path: (string | number)[] }[] = [];
  const detection = rule.document['detection'];
  if (detection === null || typeof detection !== 'object') return out;
  const fromMap = (map: unknown, path: (string | number)[]): void => {
    if (map === null || typeof map !== 'object' || Array.isArray(map)) return;
    for (const key of Object.keys(map)) {
      const field = key.split('|')[0]!;
      if (field !== '') out.push({ field, path: [...path, key] });
    }
  };
  for (const [name, value] of Object.entries(detection)) {
    if (name === 'condition' || name === 'timeframe') continue;
    if (Array.isArray(value)) value.forEach((item, index) => fromMap(item, ['detection', name, index]));
    else fromMap(value, ['detection', name]);
  }
  return out;
}

/** RC122/RC123 for one rule; located lazily (`at`), like target diagnostics. */
export function checkVocabulary(rule: Rule, vocabulary: Vocabulary): Diagnostic[] {
  const out: Diagnostic[] = [];
  const document = rule.documentIndex;
  let logsourceUnknown = false;
  for (const key of CHECKED_KEYS) {
    const value = rule.logsource[key];
    const known = vocabulary.logsourceValues.get(key);
    if (value === undefined || !known || known.size === 0 || known.has(value.toLowerCase())) continue;
    logsourceUnknown = true;
    const hint = suggest(value, known);
    out.push({
      code: FRONTEND_CODES.RC122.code,
      severity: FRONTEND_CODES.RC122.severity,
      message: `logsource ${key} '${value}' is not known to any target's pipeline`,
      file: rule.file,
      at: { path: ['logsource', key], document },
      ...(hint ? { label: `did you mean '${hint}'?` } : {}),
      notes: ['the rule compiles with its own field names and no data source filter, so it may never match'],
    });
  }
  if (logsourceUnknown) return out;
  const known = knownFields(rule, vocabulary);
  if (!known) return out;
  const reported = new Set<string>();
  for (const { field, path } of fieldKeys(rule)) {
    if (known.has(field) || reported.has(field)) continue;
    // Only a near miss is reported: pipelines keep unlisted fields as named, so an unknown name may be right.
    const hint = suggest(field, known);
    if (hint === undefined || hint === field) continue;
    reported.add(field);
    out.push({
      code: FRONTEND_CODES.RC123.code,
      severity: FRONTEND_CODES.RC123.severity,
      message: `field '${field}' is not known for this logsource; '${hint}' is`,
      file: rule.file,
      at: { path, part: 'key', document, range: [0, field.length] },
      label: `did you mean '${hint}'?`,
    });
  }
  return out;
}
