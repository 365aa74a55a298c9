/**
 * Applies a target's pipeline to a rule: choose the logsource mapping, AND its condition in front, rename
 * fields, map values. Pure IR → IR; unmappable fields are refusals that name the field, never dropped terms.
 */
import type { MappedRule, Reporter } from '../backend/types.js';
import '../diagnostics/pipeline-codes.js';
import * as b from '../ir/build.js';
import type { FieldNode, IrNode } from '../ir/nodes.js';
import { exactText, literalPattern } from '../ir/pattern.js';
import { mapLeaves } from '../ir/visit.js';
import type { Logsource, Rule } from '../model/rule.js';
import type { LogsourceMapping, Pipeline } from './types.js';

const selectionCache = new WeakMap<Pipeline, Map<string, LogsourceMapping | null>>();

/** The most specific mapping whose `when` keys all equal the rule's logsource (case-insensitive). */
export function selectLogsource(pipeline: Pipeline, logsource: Logsource): LogsourceMapping | undefined {
  // Thousands of rules share a few dozen logsources: remember the choice per distinct logsource.
  let cache = selectionCache.get(pipeline);
  if (!cache) selectionCache.set(pipeline, (cache = new Map()));
  const key = JSON.stringify(Object.entries(logsource).filter(([k]) => k !== 'definition'));
  const cached = cache.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const found = findLogsource(pipeline, logsource);
  cache.set(key, found ?? null);
  return found;
}

function findLogsource(pipeline: Pipeline, logsource: Logsource): LogsourceMapping | undefined {
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

function renameField(node: FieldNode, field: string): IrNode {
  return Object.freeze({ ...node, field });
}

export function applyPipeline(rule: Rule, pipeline: Pipeline, report: Reporter): MappedRule {
  const mapping = selectLogsource(pipeline, rule.logsource);
  if (!mapping) {
    const ls = Object.entries(rule.logsource)
      .filter(([k]) => k !== 'definition')
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    report.warn('RC401', `no ${pipeline.target} mapping for logsource {${ls}}: fields kept as the rule names them`);
    return Object.freeze({
      rule,
      detection: rule.detection,
      destination: pipeline.fallback,
      fieldTypes: {},
    });
  }
  const missing = new Set(mapping.missing ?? []);
  const refused = new Set<string>();
  const targetFieldsOf = (field: string, node: IrNode): readonly string[] | undefined => {
    if (missing.has(field)) {
      if (!refused.has(field)) {
        refused.add(field);
        report.refuse('RC403', `field '${field}' does not exist in ${pipeline.target} data for '${mapping.id}'`, node);
      }
      return undefined;
    }
    const target = ownEntry(mapping.fields, field) ?? ownEntry(pipeline.fields, field);
    if (target !== undefined) return typeof target === 'string' ? [target] : target;
    if (mapping.unmapped === 'refuse') {
      if (!refused.has(field)) {
        refused.add(field);
        report.refuse('RC402', `field '${field}' has no counterpart in ${pipeline.target} for '${mapping.id}'`, node);
      }
      return undefined;
    }
    return [field];
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

  const mapped = mapLeaves(rule.detection, (leaf) => {
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
      if (others && others.length === 1)
        node = b.or(targets.map((t) => Object.freeze({ ...valued, field: t, otherField: others[0]! })));
    }
    return node;
  });

  return Object.freeze({
    rule,
    detection: b.and([mappingCondition(mapping), mapped]),
    logsourceId: mapping.id,
    destination: mapping.destination,
    fieldTypes: mapping.fieldTypes ?? {},
  });
}
