/**
 * Applies a target's pipeline to a rule: choose the logsource mapping, AND its condition in front, rename
 * fields, map values. Pure IR → IR; unmappable fields are refusals that name the field, never dropped terms.
 */
import { fieldKeyOf, ruleKey } from '../backend/report-at.js';
import type { MappedRule, Reporter } from '../backend/types.js';
import { codeInfo } from '../diagnostics/codes.js';
import '../diagnostics/config-codes.js';
import '../diagnostics/pipeline-codes.js';
import * as b from '../ir/build.js';
import type { FieldNode, IrNode } from '../ir/nodes.js';
import { exactText, literalPattern } from '../ir/pattern.js';
import type { Pattern } from '../ir/pattern.js';
import { placeholdersIn, substitutePlaceholders, wholePlaceholder } from '../ir/placeholder.js';
import { parseSigmaString } from '../detection/sigma-string.js';
import { mapLeaves, walk } from '../ir/visit.js';
import type { Logsource, Rule } from '../model/rule.js';
import type { FieldDiagnostic, LogsourceMapping, Pipeline } from './types.js';
import { lastOnly } from '../model/last-only.js';

const selectionCache = new WeakMap<Pipeline, Map<string, LogsourceMapping | null>>();
/** A rule's logsource as a cache key, made once per rule rather than once per target. */
const logsourceKey = lastOnly((logsource: Logsource): string =>
  JSON.stringify(Object.entries(logsource).filter(([k]) => k !== 'definition')),
);

/** The most specific mapping whose `when` keys all equal the rule's logsource (case-insensitive). */
export function selectLogsource(pipeline: Pipeline, logsource: Logsource): LogsourceMapping | undefined {
  // Thousands of rules share a few dozen logsources: remember the choice per distinct logsource.
  let cache = selectionCache.get(pipeline);
  if (!cache) selectionCache.set(pipeline, (cache = new Map()));
  const key = logsourceKey(logsource);
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const found = findLogsource(pipeline, logsource);
  cache.set(key, found ?? null);
  return found;
}

function findLogsource(pipeline: Pick<Pipeline, 'logsources'>, logsource: Logsource): LogsourceMapping | undefined {
  let best: LogsourceMapping | undefined;
  let bestScore = -1;
  for (const mapping of pipeline.logsources) {
    const keys = Object.entries(mapping.when);
    const matches = keys.every(([k, v]) => (logsource[k] ?? '').toLowerCase() === String(v).toLowerCase());
    if (matches && keys.length > bestScore) {
      best = mapping;
      bestScore = keys.length;
    }
  }
  return best;
}

const conditionCache = new WeakMap<LogsourceMapping, IrNode>();

/**
 * The mapping's extra condition: a map (AND) or list of maps (OR) of target field → exact value or list of
 * values (OR). Values are target values, written literally (no Sigma wildcards).
 */
export function mappingCondition(mapping: LogsourceMapping): IrNode {
  const cached = conditionCache.get(mapping);
  if (cached) return cached;
  const build = (spec: unknown): IrNode => {
    if (spec === undefined || spec === null) return b.TRUE;
    if (Array.isArray(spec)) return b.or(spec.map(build));
    if (typeof spec !== 'object') throw new Error(`logsource ${mapping.id}: condition must be a map or a list of maps`);
    return b.and(
      Object.entries(spec as Record<string, unknown>).map(([field, value]) => {
        const values = Array.isArray(value) ? value : [value];
        return b.or(
          values.map((v) =>
            typeof v === 'number'
              ? b.numberMatch(field, v)
              : typeof v === 'boolean'
                ? b.boolMatch(field, v)
                : b.stringMatch(field, literalPattern(String(v)), false),
          ),
        );
      }),
    );
  };
  const node = build(mapping.condition);
  conditionCache.set(mapping, node);
  return node;
}

/** A table entry by own key only, so a field named `constructor` or `toString` never finds Object.prototype. */
function ownEntry<V>(table: Readonly<Record<string, V>> | undefined, key: string): V | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/**
 * A field-name table the backends index with rule field names (`fieldTypes[field]`): own entries only, in a
 * null-prototype object, so `constructor` or `toString` is a missing field and not Object.prototype's function.
 */
function nullPrototypeTable<V>(table: Readonly<Record<string, V>> | undefined): Readonly<Record<string, V>> {
  const out = Object.create(null) as Record<string, V>;
  if (table !== undefined) for (const [k, v] of Object.entries(table)) out[k] = v;
  return Object.freeze(out);
}

/**
 * What a mapping answers the same for every rule using it, computed once per field: thousands of rules share a
 * few dozen mappings and a few hundred fields, and the prefix tables are searched key by key.
 */
interface MappingMemo {
  /** The target fields of a rule field by the tables alone (see `mappedTargets`). */
  readonly targets: Map<string, readonly string[] | undefined>;
  /** The mapping's field diagnostic for a rule field, if any. */
  readonly diagnostics: Map<string, { value: FieldDiagnostic; rest: string } | undefined>;
  /** Rule fields the mapping's data lacks. */
  readonly missing: ReadonlySet<string>;
  /** The mapping's field types as a null-prototype table. */
  readonly fieldTypes: Readonly<Record<string, string>>;
}

const NO_FIELD_TYPES = nullPrototypeTable<string>(undefined);

const mappingMemos = new WeakMap<Pipeline, WeakMap<LogsourceMapping, MappingMemo>>();

function mappingMemo(pipeline: Pipeline, mapping: LogsourceMapping): MappingMemo {
  let byMapping = mappingMemos.get(pipeline);
  if (!byMapping) mappingMemos.set(pipeline, (byMapping = new WeakMap()));
  let memo = byMapping.get(mapping);
  if (!memo) {
    memo = {
      targets: new Map(),
      diagnostics: new Map(),
      missing: new Set(mapping.missing ?? []),
      fieldTypes: nullPrototypeTable(mapping.fieldTypes),
    };
    byMapping.set(mapping, memo);
  }
  return memo;
}

/** A `whenValue` pattern compiled once: the same few patterns are tested against thousands of values. */
const whenPatterns = new Map<string, RegExp>();

/**
 * The entry for `field` in a table keyed by names and `prefix.*` patterns: its own name first, else the longest
 * matching prefix, with the rest of the field name after it.
 */
function patternEntry<V>(
  table: Readonly<Record<string, V>> | undefined,
  field: string,
): { value: V; rest: string } | undefined {
  if (table === undefined) return undefined;
  const own = ownEntry(table, field);
  if (own !== undefined) return { value: own, rest: '' };
  let best: { value: V; rest: string } | undefined;
  for (const key of Object.keys(table)) {
    if (!key.endsWith('.*')) continue;
    const prefix = key.slice(0, -1);
    if (
      field.length > prefix.length &&
      field.startsWith(prefix) &&
      (!best || field.length - prefix.length < best.rest.length)
    )
      best = { value: table[key]!, rest: field.slice(prefix.length) };
  }
  return best;
}

/**
 * The values a test compares its field with, as text: a string's pattern (Sigma wildcards as `*` and `?`), a
 * regex's source, a number or boolean, a list's values when known. None for tests of presence or of another field.
 */
function testedTexts(node: IrNode): readonly string[] {
  switch (node.kind) {
    case 'stringMatch':
      return [
        node.pattern.parts.map((p) => (p.kind === 'literal' ? p.text : p.kind === 'anyChars' ? '*' : '?')).join(''),
      ];
    case 'regexMatch':
      return [node.source];
    case 'numberMatch':
    case 'boolMatch':
    case 'compare':
    case 'timePart':
      return [String(node.value)];
    case 'inList':
      return node.values ?? [];
    default:
      return [];
  }
}

/** Whether a field diagnostic applies to this test: always, or, with `whenValue`, when it finds a tested value. */
function concernsTest(diagnostic: FieldDiagnostic, node: IrNode): boolean {
  if (diagnostic.whenValue === undefined) return true;
  let when = whenPatterns.get(diagnostic.whenValue);
  if (!when) whenPatterns.set(diagnostic.whenValue, (when = new RegExp(diagnostic.whenValue, 'i')));
  return testedTexts(node).some((text) => when.test(text));
}

/** The test on another field; the test itself (not a copy) when the name does not change. */
function renameField(node: FieldNode, field: string): IrNode {
  return node.field === field ? node : Object.freeze({ ...node, field });
}

function describeLogsource(logsource: Logsource): string {
  const ls = Object.entries(logsource)
    .filter(([k]) => k !== 'definition')
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return `{${ls}}`;
}

/**
 * The rule's own `targets.<target>` settings that go through the mapping (the pack's `ruleOverrides`): a `select`
 * key chooses the entry mapping this logsource onto that destination (so fields are mapped for it), a `replace`
 * key replaces the destination value. Returns the entry to use and the destination values to replace.
 */
function ruleOverrides(
  rule: Rule,
  pipeline: Pipeline,
  mapping: LogsourceMapping | undefined,
  report: Reporter,
): { mapping: LogsourceMapping | undefined; destination: Record<string, unknown> } {
  const own = rule.deploy.targets[pipeline.target] ?? {};
  const destination: Record<string, unknown> = {};
  for (const [key, how] of Object.entries(pipeline.ruleOverrides ?? {})) {
    if (!Object.hasOwn(own, key)) continue;
    const value = own[key];
    const where = `targets.${pipeline.target}.${key}`;
    if (how === 'replace') {
      const list = Array.isArray(value) ? value : [value];
      if (list.length === 0 || !list.every((v) => typeof v === 'string' && v.trim() !== ''))
        report.refuse('RC407', `${where} must be a name or a list of names, not ${JSON.stringify(value)}`);
      else destination[key] = value;
      continue;
    }
    // A non-string is the target's own error to report (it knows what the key names).
    if (typeof value !== 'string') continue;
    // Without an entry for the logsource, the override is the only destination there is: fields stay as written.
    if (!mapping) {
      destination[key] = value;
      continue;
    }
    if (mapping.destination[key] === value) continue;
    const candidates = [...pipeline.logsources, ...(pipeline.alternatives ?? [])].filter(
      (e) => e.destination[key] === value,
    );
    const chosen = findLogsource({ logsources: candidates }, rule.logsource);
    if (!chosen) {
      report.refuse(
        'RC406',
        `${where} is ${JSON.stringify(value)}, but no ${pipeline.target} pipeline entry maps logsource ` +
          `${describeLogsource(rule.logsource)} onto ${key} ${JSON.stringify(value)} (entry '${mapping.id}' maps ` +
          `it onto ${JSON.stringify(mapping.destination[key])}): add one in a pipeline file, or remove the override`,
      );
      continue;
    }
    mapping = chosen;
  }
  return { mapping, destination };
}

export function applyPipeline(rule: Rule, pipeline: Pipeline, report: Reporter): MappedRule {
  const overridden = ruleOverrides(rule, pipeline, selectLogsource(pipeline, rule.logsource), report);
  const mapping = overridden.mapping;
  const detection = resolvePlaceholders(rule.detection, pipeline, report);
  if (!mapping) {
    report.warn(
      'RC401',
      `no ${pipeline.target} mapping for logsource ${describeLogsource(rule.logsource)}: fields kept as the rule names them`,
      ruleKey('logsource'),
    );
    return Object.freeze({
      rule,
      detection,
      destination: { ...pipeline.fallback, ...overridden.destination },
      fieldTypes: NO_FIELD_TYPES,
    });
  }
  const memo = mappingMemo(pipeline, mapping);
  const missing = memo.missing;
  /** The target fields of a rule field by the tables alone (no report); undefined when unmapped and refused. */
  const mappedTargets = (field: string): readonly string[] | undefined => {
    if (memo.targets.has(field)) return memo.targets.get(field);
    const targets = computeTargets(field);
    memo.targets.set(field, targets);
    return targets;
  };
  const computeTargets = (field: string): readonly string[] | undefined => {
    const target = ownEntry(mapping.fields, field) ?? ownEntry(pipeline.fields, field);
    if (target !== undefined) return typeof target === 'string' ? [target] : target;
    const prefixed = patternEntry(mapping.fields, field) ?? patternEntry(pipeline.fields, field);
    if (prefixed !== undefined) {
      const fill = (t: string): string => t.replace('*', prefixed.rest);
      return typeof prefixed.value === 'string' ? [fill(prefixed.value)] : prefixed.value.map(fill);
    }
    return mapping.unmapped === 'refuse' ? undefined : [field];
  };
  const refused = new Set<string>();
  const reported = new Set<string>();
  const targetFieldsOf = (field: string, node: IrNode): readonly string[] | undefined => {
    if (missing.has(field)) {
      if (!refused.has(field)) {
        refused.add(field);
        report.refuse(
          'RC403',
          `field '${field}' does not exist in ${pipeline.target} data for '${mapping.id}'`,
          fieldKeyOf(node) ?? node,
        );
      }
      return undefined;
    }
    let diagnostic = memo.diagnostics.get(field);
    if (diagnostic === undefined && !memo.diagnostics.has(field))
      memo.diagnostics.set(field, (diagnostic = patternEntry(mapping.fieldDiagnostics, field)));
    if (diagnostic && !reported.has(field) && concernsTest(diagnostic.value, node)) {
      reported.add(field);
      const message = diagnostic.value.message.replace(/\{field\}/g, field);
      if (codeInfo(diagnostic.value.code)?.severity === 'error') {
        refused.add(field);
        report.refuse(diagnostic.value.code, message, node);
        return undefined;
      }
      report.warn(diagnostic.value.code, message, node);
    }
    if (refused.has(field)) return undefined;
    const targets = mappedTargets(field);
    if (targets !== undefined) return targets;
    {
      if (!refused.has(field)) {
        refused.add(field);
        report.refuse(
          'RC402',
          `field '${field}' has no counterpart in ${pipeline.target} for '${mapping.id}'`,
          fieldKeyOf(node) ?? node,
        );
      }
      return undefined;
    }
  };

  const mapValue = (node: IrNode): IrNode => {
    if (!('field' in node)) return node;
    const table = ownEntry(mapping.values, node.field);
    if (!table) return node;
    if (node.kind === 'stringMatch') {
      const text = exactText(node.pattern);
      if (text === undefined) {
        report.warn('RC405', `field '${node.field}' has mapped values but this test is not an exact value`, node);
        return node;
      }
      const key = Object.keys(table).find((k) => (node.cased ? k === text : k.toLowerCase() === text.toLowerCase()));
      if (key === undefined) {
        report.warn('RC404', `value '${text}' of field '${node.field}' has no ${pipeline.target} mapping`, node);
        return node;
      }
      const mapped = table[key]!;
      const origin = { path: node.origin?.path ?? [], valueMapped: true as const };
      if (typeof mapped === 'number') return b.numberMatch(node.field, mapped, origin);
      if (typeof mapped === 'boolean') return b.boolMatch(node.field, mapped, origin);
      return b.stringMatch(node.field, literalPattern(mapped), node.cased, origin);
    }
    if (node.kind === 'boolMatch' || node.kind === 'numberMatch') {
      // `Initiated: true` (YAML boolean) means the same as `Initiated: 'true'`: map it by its text.
      const text = String(node.value);
      const key = Object.keys(table).find((k) => k.toLowerCase() === text.toLowerCase());
      if (key !== undefined) {
        const mapped = table[key]!;
        const origin = { path: node.origin?.path ?? [], valueMapped: true as const };
        if (typeof mapped === 'number') return b.numberMatch(node.field, mapped, origin);
        if (typeof mapped === 'boolean') return b.boolMatch(node.field, mapped, origin);
        return b.stringMatch(node.field, literalPattern(mapped), false, origin);
      }
      // The data holds only the mapped spellings (`egress`, `ingress`…): a boolean or number equals none of them.
      const known = Object.values(table).map((v) => JSON.stringify(v));
      report.warn(
        'RC405',
        `field '${node.field}' has mapped values (${known.join(', ')}) and ${String(node.value)} is none of them: this test can never be true, so the rule can never fire through it`,
        node,
      );
      return node;
    }
    if (node.kind !== 'exists' && node.kind !== 'nullMatch')
      report.warn('RC405', `field '${node.field}' has mapped values but this test is not an exact value`, node);
    return node;
  };

  for (const c of sharedTargetFields(detection, mappedTargets)) {
    report.refuse(
      'RC420',
      `fields '${c.first}' and '${c.second}' are tested together for different values but both map to '${c.target}' in ${pipeline.target} for '${mapping.id}': one ${pipeline.target} field would have to hold both values, so the rule could never fire`,
      fieldKeyOf(c.node) ?? c.node,
    );
  }

  const mapped = mapLeaves(detection, (leaf) => {
    if (
      leaf.kind === 'keyword' ||
      leaf.kind === 'const' ||
      leaf.kind === 'and' ||
      leaf.kind === 'or' ||
      leaf.kind === 'not'
    )
      return leaf;
    const valued = mapValue(leaf) as FieldNode;
    const targets = targetFieldsOf(valued.field, leaf);
    if (!targets) return leaf;
    let node: IrNode = b.or(targets.map((t) => renameField(valued, t)));
    if (valued.kind === 'fieldRef') {
      const others = targetFieldsOf(valued.otherField, leaf);
      if (
        others &&
        others.length === 1 &&
        !(targets.length === 1 && node === valued && others[0] === valued.otherField)
      )
        node = b.or(targets.map((t) => Object.freeze({ ...valued, field: t, otherField: others[0]! })));
    }
    return node;
  });

  return Object.freeze({
    rule,
    detection: b.and([mappingCondition(mapping), mapped]),
    logsourceId: mapping.id,
    destination:
      Object.keys(overridden.destination).length > 0
        ? { ...mapping.destination, ...overridden.destination }
        : mapping.destination,
    fieldTypes: memo.fieldTypes,
  });
}

/** The one rule field every leaf of `node` tests (a leaf, or an OR of one field's values), else undefined. */
function singleField(node: IrNode): string | undefined {
  if (node.kind === 'or') {
    const fields = new Set(node.children.map(singleField));
    return fields.size === 1 ? [...fields][0] : undefined;
  }
  if (node.kind === 'fieldRef' || !('field' in node)) return undefined;
  return node.field;
}

interface SharedTarget {
  readonly first: string;
  readonly second: string;
  readonly target: string;
  /** The second field's test, where the refusal points. */
  readonly node: IrNode;
}

/** The exact values `node` accepts (a value, or an OR of values; case folded), else undefined (any other test). */
function exactValues(node: IrNode): ReadonlySet<string> | undefined {
  if (node.kind === 'or') {
    const out = new Set<string>();
    for (const child of node.children) {
      const values = exactValues(child);
      if (values === undefined) return undefined;
      for (const v of values) out.add(v);
    }
    return out;
  }
  if (node.kind === 'numberMatch' || node.kind === 'boolMatch') return new Set([String(node.value).toLowerCase()]);
  if (node.kind !== 'stringMatch') return undefined;
  const text = exactText(node.pattern);
  return text === undefined ? undefined : new Set([text.toLowerCase()]);
}

/**
 * Two different rule fields that an AND tests together (one selection, or selections joined by `and`) with exact
 * values no one value satisfies both, which the pipeline maps onto the same single target field (issue 13, cause 7:
 * `azure_guest_to_member` tests `OperationName: 'Update user'` and a `properties.message` fragment, both
 * `operationName` in Splunk). The rule means two facts about the event; the target query would ask one field to
 * equal two different values, which never fires. rulec refuses (RC420) rather than guess which of the two the data
 * holds elsewhere. Tests one value can satisfy together (wildcards, a shared value) are kept: for them the
 * pipeline's reading of the two names as one field may well be right.
 */
function sharedTargetFields(
  detection: IrNode,
  targetsOf: (field: string) => readonly string[] | undefined,
): SharedTarget[] {
  const out: SharedTarget[] = [];
  const seen = new Set<string>();
  for (const node of walk(detection)) {
    if (node.kind !== 'and') continue;
    const byTarget = new Map<string, { field: string; values: ReadonlySet<string> }[]>();
    for (const child of node.children) {
      const field = singleField(child);
      const values = exactValues(child);
      if (field === undefined || values === undefined) continue;
      const targets = targetsOf(field);
      if (targets?.length !== 1) continue;
      const target = targets[0]!;
      const earlier = byTarget.get(target) ?? [];
      for (const e of earlier) {
        const key = `${e.field}\0${field}`;
        if (e.field === field || seen.has(key) || [...values].some((v) => e.values.has(v))) continue;
        seen.add(key);
        out.push({ first: e.field, second: field, target, node: child.kind === 'or' ? child.children[0]! : child });
      }
      byTarget.set(target, [...earlier, { field, values }]);
    }
  }
  return out;
}

/** Whether any value of a detection holds a placeholder: asked once per rule, whatever the number of targets. */
const hasPlaceholders = lastOnly((detection: IrNode): boolean => {
  for (const node of walk(detection))
    if ((node.kind === 'stringMatch' || node.kind === 'keyword') && placeholdersIn(node.pattern).length > 0)
      return true;
  return false;
});

/** Most values a placeholder may expand to in one test (the product of its placeholders' value counts). */
const MAX_EXPANSION = 10_000;

/**
 * `%name%` placeholders replaced by the values this target's configuration gives (each value a Sigma string, like
 * the rule's own values, so it goes through the same escaping), or by an `inList` node when the configuration names
 * a list the target keeps (a whole value `field|expand: '%name%'` only), or the rule refused naming the missing one.
 */
function resolvePlaceholders(detection: IrNode, pipeline: Pipeline, report: Reporter): IrNode {
  if (!hasPlaceholders(detection)) return detection;
  const reported = new Set<string>();
  return mapLeaves(detection, (leaf) => {
    if (leaf.kind !== 'stringMatch' && leaf.kind !== 'keyword') return leaf;
    const found = placeholdersIn(leaf.pattern);
    if (found.length === 0) return leaf;
    const names = [...new Set(found)];
    const lists: (readonly string[])[] = [];
    for (const name of names) {
      const setting = pipeline.placeholders?.[name];
      if (setting && 'reference' in setting && leaf.kind === 'stringMatch' && wholePlaceholder(leaf.pattern) === name)
        return b.inList(leaf.field, name, setting.reference, setting.values, leaf.cased, leaf.origin);
      if (setting?.values !== undefined) {
        lists.push(setting.values);
        continue;
      }
      if (reported.has(name)) continue;
      reported.add(name);
      if (setting && 'reference' in setting)
        report.refuse(
          'RC614',
          `placeholder %${name}% is the ${pipeline.target} ${setting.reference.kind} '${setting.reference.name}', which holds whole values, but here it is ${leaf.kind === 'keyword' ? 'a keyword' : 'part of a larger value'}: give its values too (values: or file:) to expand them`,
          leaf,
        );
      else
        report.refuse(
          'RC209',
          `placeholder %${name}% has no value for ${pipeline.target}: set placeholders.${name} in rulec.config.yml`,
          leaf,
        );
    }
    if (lists.length < names.length) return leaf;
    if (lists.reduce((n, l) => n * l.length, 1) > MAX_EXPANSION) {
      report.refuse(
        'RC209',
        `placeholders ${names.map((n) => `%${n}%`).join(', ')} expand to more than ${MAX_EXPANSION} values`,
        leaf,
      );
      return leaf;
    }
    let combos: Record<string, string>[] = [{}];
    names.forEach((name, i) => {
      combos = combos.flatMap((c) => lists[i]!.map((v) => ({ ...c, [name]: v })));
    });
    const patterns: Pattern[] = combos.map((c) => substitutePlaceholders(leaf.pattern, (n) => parseSigmaString(c[n]!)));
    return b.or(
      patterns.map((p) =>
        leaf.kind === 'keyword'
          ? b.keyword(p, leaf.cased, leaf.origin)
          : b.stringMatch(leaf.field, p, leaf.cased, leaf.origin),
      ),
      leaf.origin,
    );
  });
}
