/**
 * Rule fields whose one value Elastic's ingest splits into several fields (pipeline `destination.splitFields`):
 * a test on the original field is rewritten into tests on the parts when that keeps the rule's meaning, and refused
 * (EL310) naming the reason otherwise. The pipeline maps such a field to itself (`fields: {Hashes: Hashes}`), so
 * after the rewrite no test on it is left.
 *
 * Two kinds, described by data:
 * - `hashList`: Sysmon's `Hashes`/`Hash`, `ALGO=<hex>` entries joined by `,` in a fixed algorithm order
 *   (`algorithms`, Sysmon's: SHA1, MD5, SHA256, IMPHASH), each stored lower-cased in its own field. Hex is
 *   case-free once lower-cased, so a test on one entry becomes an exact, case-faithful test on that field.
 * - `qualifiedName`: Sysmon's `User`, `DOMAIN\name`, stored as `domain` and `name` fields (the Windows integration
 *   splits only a value with exactly one backslash, which is what Sysmon writes).
 */
import type { MappedRule, Reporter } from '../../src/backend/types.js';
import * as b from '../../src/ir/build.js';
import type { IrNode, NodeOf } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { ANY_CHARS, literalPart, literalPattern, pattern, patternShape, patternToSigma } from '../../src/ir/pattern.js';
import { inlineValues } from '../../src/ir/in-list.js';
import { mapLeaves } from '../../src/ir/visit.js';
import './codes.js';

export interface HashListSplit {
  readonly kind: 'hashList';
  /** In the source's order: entry name (upper-case, as the source writes it), target field, hex digest length. */
  readonly algorithms: readonly { readonly name: string; readonly field: string; readonly length?: number }[];
}

export interface QualifiedNameSplit {
  readonly kind: 'qualifiedName';
  /** The separator between the qualifier and the name (`\`). */
  readonly separator: string;
  readonly qualifier: string;
  readonly name: string;
}

export type FieldSplit = HashListSplit | QualifiedNameSplit;

function fail(field: string, what: string): never {
  throw new Error(`elastic pipeline: destination.splitFields.${field}: ${what}`);
}

/** The pipeline's `splitFields` data, keyed by the mapped (placeholder) field name. Malformed data throws. */
export function readSplitFields(data: Readonly<Record<string, unknown>>): ReadonlyMap<string, FieldSplit> {
  const raw = data['splitFields'];
  const out = new Map<string, FieldSplit>();
  if (raw === undefined) return out;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('elastic pipeline: destination.splitFields must be a map');
  for (const [field, spec] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof spec !== 'object' || spec === null) fail(field, 'must be a map');
    const s = spec as Record<string, unknown>;
    if (s['kind'] === 'hashList') {
      const algorithms = s['algorithms'];
      if (!Array.isArray(algorithms) || algorithms.length === 0) fail(field, 'algorithms must be a non-empty list');
      out.set(field, {
        kind: 'hashList',
        algorithms: algorithms.map((a: unknown) => {
          const e = (a ?? {}) as Record<string, unknown>;
          if (typeof e['name'] !== 'string' || typeof e['field'] !== 'string')
            fail(field, 'each algorithm needs a name and a field');
          const length = e['length'];
          if (length !== undefined && typeof length !== 'number') fail(field, 'an algorithm length must be a number');
          return { name: e['name'], field: e['field'], ...(length !== undefined ? { length } : {}) };
        }),
      });
    } else if (s['kind'] === 'qualifiedName') {
      const { separator, qualifier, name } = s;
      if (
        typeof separator !== 'string' ||
        separator === '' ||
        typeof qualifier !== 'string' ||
        typeof name !== 'string'
      )
        fail(field, 'qualifiedName needs separator, qualifier and name');
      out.set(field, { kind: 'qualifiedName', separator, qualifier, name });
    } else fail(field, 'kind must be hashList or qualifiedName');
  }
  return out;
}

/** Why a test cannot be rewritten: becomes the EL310 refusal. */
class NotSplittable extends Error {}

const HEX = /^[0-9a-f]*$/i;

function exact(field: string, text: string, cased: boolean, origin: NodeOf<'stringMatch'>['origin']): IrNode {
  return b.stringMatch(field, literalPattern(text), cased, origin);
}

function hashTest(split: HashListSplit, node: NodeOf<'stringMatch'>): IrNode {
  const shape = patternShape(node.pattern);
  const absent = (fields: readonly string[]): IrNode[] => fields.map((f) => b.nullMatch(f, node.origin));
  if (shape.kind === 'any') return b.or(split.algorithms.map((a) => b.exists(a.field, node.origin)));
  if (shape.kind === 'complex')
    throw new NotSplittable(`the pattern '${patternToSigma(node.pattern)}' is not one whole ALGO=<hex> entry`);
  const m = /^([A-Za-z0-9]+)=([^,]*)$/.exec(shape.text);
  if (!m) throw new NotSplittable(`'${shape.text}' is not one ALGO=<hex> entry`);
  const [, name, hex] = m as unknown as [string, string, string];
  const index = split.algorithms.findIndex((a) =>
    node.cased ? a.name === name : a.name.toLowerCase() === name.toLowerCase(),
  );
  if (index < 0) throw new NotSplittable(`'${name}' is not a hash algorithm of this data`);
  if (!HEX.test(hex)) throw new NotSplittable(`'${hex}' is not hexadecimal, so lower-casing it is not faithful`);
  const algo = split.algorithms[index]!;
  const value = hex.toLowerCase();
  const before = split.algorithms.slice(0, index).map((a) => a.field);
  const after = split.algorithms.slice(index + 1).map((a) => a.field);
  const full = algo.length === undefined || value.length === algo.length;
  if (shape.kind === 'contains') {
    // `MD5=` starts an entry; a partial digest is a prefix of the stored digest, an empty one its presence.
    if (value === '') return b.exists(algo.field, node.origin);
    return full
      ? exact(algo.field, value, true, node.origin)
      : b.stringMatch(algo.field, pattern([literalPart(value), ANY_CHARS]), true, node.origin);
  }
  if (shape.kind === 'prefix') {
    // The entry is the first one (no algorithm before it in the source's order) and its digest starts so.
    const test =
      value === ''
        ? b.exists(algo.field, node.origin)
        : full
          ? exact(algo.field, value, true, node.origin)
          : b.stringMatch(algo.field, pattern([literalPart(value), ANY_CHARS]), true, node.origin);
    return b.and([test, ...absent(before)]);
  }
  // suffix: the last entry, whole digest; exact: the only entry.
  const test = exact(algo.field, value, true, node.origin);
  return b.and([test, ...absent(after), ...(shape.kind === 'exact' ? absent(before) : [])]);
}

function nameTest(split: QualifiedNameSplit, node: NodeOf<'stringMatch'>): IrNode {
  const shape = patternShape(node.pattern);
  const { qualifier, name, separator } = split;
  const o = node.origin;
  const cased = node.cased;
  if (shape.kind === 'any') return b.exists(name, o);
  if (shape.kind === 'complex')
    throw new NotSplittable(`the pattern '${patternToSigma(node.pattern)}' has inner wildcards across the two parts`);
  const pieces = shape.text.split(separator);
  if (pieces.length > 2)
    throw new NotSplittable(`'${shape.text}' holds more than one '${separator}', which the split value never does`);
  const withPattern = (field: string, parts: Pattern): IrNode => b.stringMatch(field, parts, cased, o);
  const startsWith = (field: string, text: string): IrNode =>
    text === '' ? b.TRUE : withPattern(field, pattern([literalPart(text), ANY_CHARS]));
  const endsWith = (field: string, text: string): IrNode =>
    text === '' ? b.TRUE : withPattern(field, pattern([ANY_CHARS, literalPart(text)]));
  if (pieces.length === 1) {
    const text = pieces[0]!;
    if (shape.kind === 'exact')
      throw new NotSplittable(`'${text}' has no '${separator}': the split value always has a ${qualifier} part`);
    if (shape.kind === 'prefix') return startsWith(qualifier, text);
    if (shape.kind === 'suffix') return endsWith(name, text);
    // No separator in the text: it lies inside one of the two parts.
    return b.or([
      withPattern(qualifier, pattern([ANY_CHARS, literalPart(text), ANY_CHARS])),
      withPattern(name, pattern([ANY_CHARS, literalPart(text), ANY_CHARS])),
    ]);
  }
  const [q, n] = pieces as [string, string];
  switch (shape.kind) {
    case 'exact':
      return b.and([exact(qualifier, q, cased, o), exact(name, n, cased, o)]);
    case 'prefix':
      return b.and([exact(qualifier, q, cased, o), startsWith(name, n)]);
    case 'suffix':
      return b.and([endsWith(qualifier, q), exact(name, n, cased, o)]);
    default:
      return b.and([endsWith(qualifier, q), startsWith(name, n)]);
  }
}

function rewriteLeaf(split: FieldSplit, node: IrNode): IrNode {
  switch (node.kind) {
    case 'stringMatch':
      return split.kind === 'hashList' ? hashTest(split, node) : nameTest(split, node);
    case 'exists':
      return split.kind === 'hashList'
        ? b.or(split.algorithms.map((a) => b.exists(a.field, node.origin)))
        : b.exists(split.name, node.origin);
    case 'nullMatch':
      return split.kind === 'hashList'
        ? b.and(split.algorithms.map((a) => b.nullMatch(a.field, node.origin)))
        : b.nullMatch(split.name, node.origin);
    case 'inList': {
      // A value list holds whole values of one field: on the separate fields only its configured values can stand.
      const inline = inlineValues(node);
      if (inline === undefined)
        throw new NotSplittable(
          `the value list '${node.list.name}' (%${node.placeholder}%) holds whole values, which are not stored in one field: give the placeholder's values to expand them`,
        );
      return mapLeaves(inline, (leaf) => rewriteLeaf(split, leaf));
    }
    default:
      throw new NotSplittable(`a ${node.kind} test has no form on the separate fields`);
  }
}

function fieldLabel(split: FieldSplit): string {
  return split.kind === 'hashList'
    ? split.algorithms.map((a) => a.field).join(', ')
    : `${split.qualifier} + ${split.name}`;
}

/**
 * The mapped rule with every test on a split field rewritten; a test with no faithful form is refused (EL310) and
 * left as it is. Without `splitFields` the rule is returned unchanged.
 */
export function applySplitFields(mapped: MappedRule, report: Reporter): MappedRule {
  const splits = readSplitFields(mapped.destination);
  if (splits.size === 0) return mapped;
  let changed = false;
  const detection = mapLeaves(mapped.detection, (leaf) => {
    const field = 'field' in leaf ? leaf.field : undefined;
    const split = field === undefined ? undefined : splits.get(field);
    const other = leaf.kind === 'fieldRef' ? splits.get(leaf.otherField) : undefined;
    if (!split && !other) return leaf;
    try {
      if (!split || other) throw new NotSplittable('a field-to-field comparison has no form on the separate fields');
      changed = true;
      return rewriteLeaf(split, leaf);
    } catch (error) {
      if (!(error instanceof NotSplittable)) throw error;
      const name = split ? field! : (leaf as NodeOf<'fieldRef'>).otherField;
      report.refuse(
        'EL310',
        `'${name}' is split into ${fieldLabel((split ?? other)!)} in Elastic: ${error.message}`,
        leaf,
      );
      return leaf;
    }
  });
  return changed ? Object.freeze({ ...mapped, detection }) : mapped;
}
