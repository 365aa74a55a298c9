/**
 * One detection item, `Field|mod1|mod2: value(s)` (or a keyword item, field-less), → IR. Modifiers are checked
 * once against the chain (unknown, misplaced, wrong input kind), then applied to every value left to right.
 * Alternatives a modifier produces (base64offset, windash) are OR-ed per value; the values are OR-ed, or AND-ed
 * with `all`; `neq` negates the whole item.
 */
import { DETECTION_CODES as C } from '../diagnostics/detection-codes.js';
import * as b from '../ir/build.js';
import type { IrNode, Origin } from '../ir/nodes.js';
import type { DocPath } from '../source/locator.js';
import { MODIFIERS } from './modifiers/index.js';
import type { ApplyContext, ItemFlags, ModifierDef } from './modifiers/index.js';
import type { Reporter } from './reporter.js';
import { parseSigmaString } from './sigma-string.js';
import { suggest } from './suggest.js';
import { KIND_WORDS, describeScalar } from './value.js';
import type { Scalar, Value, ValueKind } from './value.js';

interface ModifierRef {
  readonly name: string;
  /** Offsets of the name inside the key. */
  readonly from: number;
  readonly to: number;
}

/** A value and where it sits in the document. */
export interface LocatedValue {
  readonly value: unknown;
  readonly path: DocPath;
}

function splitKey(key: string): { field: string; modifiers: ModifierRef[] } {
  const pieces = key.split('|');
  const modifiers: ModifierRef[] = [];
  let at = pieces[0]!.length + 1;
  for (let i = 1; i < pieces.length; i++) {
    const name = pieces[i]!;
    modifiers.push({ name, from: at, to: at + name.length });
    at += name.length + 1;
  }
  return { field: pieces[0]!, modifiers };
}

interface Chain {
  readonly transforms: readonly ModifierDef[];
  readonly flags: ItemFlags;
  readonly names: readonly string[];
}

/** Validates the modifier chain of a key; undefined after reporting errors. */
function checkChain(
  modifiers: readonly ModifierRef[],
  keyword: boolean,
  keyPath: DocPath,
  reporter: Reporter,
): Chain | undefined {
  let ok = true;
  let kind: ValueKind | undefined = 'raw';
  let previous: string | undefined;
  const seen = new Set<string>();
  const transforms: ModifierDef[] = [];
  const flagDefs: [ModifierDef, ModifierRef][] = [];
  const error = (ref: ModifierRef, message: string, label?: string): void => {
    ok = false;
    reporter.atKeyPart(C.RC202, message, keyPath, ref.from, ref.to, label === undefined ? {} : { label });
  };
  modifiers.forEach((ref, index) => {
    const def = MODIFIERS.get(ref.name);
    if (def === undefined) {
      ok = false;
      kind = undefined;
      const hint = suggest(ref.name, MODIFIERS.keys());
      const message =
        ref.name === ''
          ? `empty modifier name in '${String(keyPath[keyPath.length - 1])}'`
          : `unknown modifier '${ref.name}'`;
      reporter.atKeyPart(
        C.RC201,
        message,
        keyPath,
        ref.from,
        Math.max(ref.to, ref.from + 1),
        hint === undefined || ref.name === '' ? {} : { label: `did you mean '${hint}'?` },
      );
      previous = ref.name;
      return;
    }
    if (seen.has(def.name))
      reporter.atKeyPart(C.RC212, `modifier '${def.name}' is given twice`, keyPath, ref.from, ref.to);
    seen.add(def.name);
    if (keyword && def.fieldOnly) {
      ok = false;
      reporter.atKeyPart(
        C.RC220,
        `modifier '${def.name}' needs a field; it cannot be used in a keyword search`,
        keyPath,
        ref.from,
        ref.to,
      );
    } else if (def.first === true && index > 0) {
      error(ref, `modifier '${def.name}' must be the first modifier`);
    } else if (def.follows !== undefined && (previous === undefined || !def.follows.includes(previous))) {
      error(ref, `modifier '${def.name}' must directly follow ${def.follows.map((n) => `'${n}'`).join(', ')}`);
    } else if (def.setFlag === undefined && kind !== undefined && !def.accepts.includes(kind)) {
      error(ref, `modifier '${def.name}' cannot be applied to ${KIND_WORDS[kind]} (after '${previous ?? ''}')`);
    }
    if (def.setFlag !== undefined) flagDefs.push([def, ref]);
    else transforms.push(def);
    if (kind !== undefined && def.output !== undefined) kind = def.output(kind);
    previous = def.name;
  });
  const flags: ItemFlags = { all: false, cased: false, neq: false };
  for (const [def, ref] of flagDefs) {
    // Flags qualify the final value, so they are checked against the kind at the end of the chain.
    if (kind !== undefined && !def.accepts.includes(kind))
      error(ref, `modifier '${def.name}' has no meaning for ${KIND_WORDS[kind]}`);
    def.setFlag!(flags);
  }
  if (seen.has('base64offset') && !seen.has('contains')) {
    reporter.atKey(
      C.RC218,
      `'base64offset' without 'contains' only matches values that are exactly the encoded fragment`,
      keyPath,
    );
  }
  return ok ? { transforms, flags, names: [...seen] } : undefined;
}

function isScalar(value: unknown): value is Scalar {
  return value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

/** The IR leaf for one final working value; undefined after reporting. */
function leaf(
  field: string | undefined,
  value: Value,
  flags: ItemFlags,
  origin: Origin,
  ctx: ApplyContext,
): IrNode | undefined {
  if (field === undefined) {
    if (value.kind === 'pattern') return b.keyword(value.pattern, flags.cased, origin);
    if (value.kind === 'raw' && (typeof value.value === 'string' || typeof value.value === 'number')) {
      return b.keyword(parseSigmaString(String(value.value)), flags.cased, origin);
    }
    if (value.kind === 'raw')
      ctx.report(C.RC203, `a keyword must be a string or a number, got ${describeScalar(value.value)}`);
    else ctx.report(C.RC220, `${KIND_WORDS[value.kind]} needs a field`);
    return undefined;
  }
  switch (value.kind) {
    case 'raw': {
      const v = value.value;
      if (typeof v === 'string') return b.stringMatch(field, parseSigmaString(v), flags.cased, origin);
      if (typeof v === 'number') return b.numberMatch(field, v, origin);
      if (typeof v === 'boolean') return b.boolMatch(field, v, origin);
      return b.nullMatch(field, origin);
    }
    case 'pattern':
      return b.stringMatch(field, value.pattern, flags.cased, origin);
    case 'regex':
      return b.regexMatch(field, value.source, value.flags, origin);
    case 'cidr':
      return b.cidrMatch(field, value.network, value.prefixLength, value.family, origin);
    case 'compare':
      return b.compare(field, value.op, value.value, origin);
    case 'timePart':
      return b.timePart(field, value.part, value.value, origin);
    case 'fieldRef':
      return b.fieldRef(field, value.field, flags.cased, origin);
    case 'exists':
      return value.value ? b.exists(field, origin) : b.not(b.exists(field, origin), origin);
  }
}

/**
 * Builds the item's tree. `keyPath` locates the key (for modifier errors); each value carries its own path.
 * `field` undefined means a keyword item. Returns undefined after reporting errors.
 */
export function buildValues(
  field: string | undefined,
  modifierRefs: readonly ModifierRef[],
  values: readonly LocatedValue[],
  keyPath: DocPath,
  reporter: Reporter,
): IrNode | undefined {
  const chain = checkChain(modifierRefs, field === undefined, keyPath, reporter);
  let ok = chain !== undefined;
  const nodes: IrNode[] = [];
  // One context for every value, reporting at the value being built (most items report nothing).
  let located: LocatedValue = values[0]!;
  const ctx: ApplyContext = {
    report: (code, message, notes) => reporter.at(code, message, located.path, notes === undefined ? {} : { notes }),
  };
  for (located of values) {
    if (!isScalar(located.value)) {
      ok = false;
      const what = Array.isArray(located.value) ? 'a nested list' : 'a map';
      ctx.report(C.RC215, `a value must be a string, number, boolean or null, not ${what}`);
      continue;
    }
    if (chain === undefined) continue;
    let current: readonly Value[] = [{ kind: 'raw', value: located.value }];
    for (const def of chain.transforms)
      current = current.length === 1 ? def.apply!(current[0]!, ctx) : current.flatMap((v) => def.apply!(v, ctx));
    if (current.length === 0) {
      ok = false;
      continue;
    }
    const origin: Origin = { path: located.path };
    if (current.length === 1) {
      // One alternative is its own OR (a leaf is never an OR or a constant for `or` to fold).
      const node = leaf(field, current[0]!, chain.flags, origin, ctx);
      if (node === undefined) ok = false;
      else nodes.push(node);
      continue;
    }
    const alternatives: IrNode[] = [];
    for (const v of current) {
      const node = leaf(field, v, chain.flags, origin, ctx);
      if (node === undefined) ok = false;
      else alternatives.push(node);
    }
    nodes.push(b.or(alternatives, origin));
  }
  if (!ok || chain === undefined) return undefined;
  if (chain.flags.all && values.length === 1 && modifierRefs.length > 0) {
    reporter.atKey(C.RC213, `modifier 'all' on a single value has no effect`, keyPath);
  }
  const linked = chain.flags.all ? b.and(nodes, { path: keyPath }) : b.or(nodes, { path: keyPath });
  return chain.flags.neq ? b.not(linked, { path: keyPath }) : linked;
}

/** `key: value` inside a map: `Field|mods`, or `|mods` for keywords (`'|all': [...]`). */
export function buildItem(key: string, value: unknown, keyPath: DocPath, reporter: Reporter): IrNode | undefined {
  const { field, modifiers } = splitKey(key);
  if (field === '' && modifiers.length === 0) {
    reporter.atKey(C.RC215, `empty field name`, keyPath);
    return undefined;
  }
  let values: LocatedValue[];
  if (Array.isArray(value)) {
    if (value.length === 0) {
      reporter.at(C.RC216, `field '${field}' has an empty list of values`, keyPath);
      return undefined;
    }
    values = value.map((v, index) => ({ value: v, path: [...keyPath, index] }));
  } else {
    values = [{ value, path: keyPath }];
  }
  return buildValues(field === '' ? undefined : field, modifiers, values, keyPath, reporter);
}
