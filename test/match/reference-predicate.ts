/**
 * A plain reference predicate over the IR, for testing the matching engine until the JS backend lands: the IR is
 * turned into nested closures once per rule. Semantics follow docs in docs/reference/matching.md §1: lower-cased
 * comparisons, `*` spans newlines, numbers equal as numbers or canonical text, null = missing or JSON null, arrays
 * any element, dotted paths through nested objects (distributing over lists), string tests on objects look at any
 * leaf string. Kinds it does not implement (timePart, IPv6 cidr) make the factory return undefined.
 */
import type { IrNode } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { patternShape, patternToRegexSource } from '../../src/ir/pattern.js';
import type { PredicateFactory } from '../../src/match/types.js';

type Obj = Record<string, unknown>;
type Test = (event: Obj) => boolean;

class Unsupported extends Error {}

export const referenceFactory: PredicateFactory = (rule) => {
  try {
    const test = compile(rule.detection);
    return (event) => typeof event === 'object' && event !== null && test(event as Obj);
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
};

const DECIMAL = /^\s*-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$/;

function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && DECIMAL.test(v)) return Number(v);
  return undefined;
}

/** Values of a field: the flat key first, then a dotted path; lists give their elements. */
function valuesOf(event: Obj, field: string): unknown[] {
  const flat = event[field];
  if (flat !== undefined) return Array.isArray(flat) ? flat : [flat];
  if (!field.includes('.')) return [];
  let current: unknown[] = [event];
  for (const segment of field.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (Array.isArray(value)) {
        for (const item of value) if (isObj(item) && item[segment] !== undefined) next.push(item[segment]);
      } else if (isObj(value) && value[segment] !== undefined) next.push(value[segment]);
    }
    current = next;
  }
  return current.flatMap((v) => (Array.isArray(v) ? v : [v]));
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every string a value holds: itself, numbers and booleans as text, leaves of objects and lists. */
function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (typeof value === 'number' || typeof value === 'boolean') yield String(value);
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (isObj(value)) for (const item of Object.values(value)) yield* strings(item);
}

/** Lower-cases with a one-entry memo: rules test the same value against many needles in a row. */
let lastIn = '';
let lastOut = '';
function lower(s: string): string {
  if (s !== lastIn) {
    lastIn = s;
    lastOut = s.toLowerCase();
  }
  return lastOut;
}

function stringTest(p: Pattern, cased: boolean): (s: string) => boolean {
  const shape = patternShape(p);
  const fold = cased ? (s: string) => s : lower;
  switch (shape.kind) {
    case 'exact': {
      const needle = fold(shape.text);
      return (s) => fold(s) === needle;
    }
    case 'prefix': {
      const needle = fold(shape.text);
      return (s) => fold(s).startsWith(needle);
    }
    case 'suffix': {
      const needle = fold(shape.text);
      return (s) => fold(s).endsWith(needle);
    }
    case 'contains': {
      const needle = fold(shape.text);
      return (s) => fold(s).includes(needle);
    }
    case 'any':
      return () => true;
    case 'complex': {
      const re = new RegExp(patternToRegexSource(p), cased ? 'su' : 'isu');
      return (s) => re.test(s);
    }
  }
}

function anyString(event: Obj, field: string, test: (s: string) => boolean): boolean {
  const flat = event[field];
  // The common case first: a flat string field, no allocation.
  if (typeof flat === 'string') return test(flat);
  if (flat === undefined && !field.includes('.')) return false;
  for (const value of valuesOf(event, field)) for (const s of strings(value)) if (test(s)) return true;
  return false;
}

function compile(node: IrNode): Test {
  switch (node.kind) {
    case 'and': {
      const children = node.children.map(compile);
      return (e) => {
        for (const c of children) if (!c(e)) return false;
        return true;
      };
    }
    case 'or': {
      const children = node.children.map(compile);
      return (e) => {
        for (const c of children) if (c(e)) return true;
        return false;
      };
    }
    case 'not': {
      const child = compile(node.child);
      return (e) => !child(e);
    }
    case 'const':
      return () => node.value;
    case 'stringMatch': {
      const test = stringTest(node.pattern, node.cased);
      return (e) => anyString(e, node.field, test);
    }
    case 'keyword': {
      const test = stringTest(node.pattern, node.cased);
      return (e) => {
        for (const s of strings(e)) if (test(s)) return true;
        return false;
      };
    }
    case 'numberMatch':
      return (e) =>
        valuesOf(e, node.field).some((v) => {
          const n = toNumber(v);
          return n !== undefined ? n === node.value : typeof v === 'string' && v === String(node.value);
        });
    case 'boolMatch':
      return (e) =>
        valuesOf(e, node.field).some(
          (v) => v === node.value || (typeof v === 'string' && v.toLowerCase() === String(node.value)),
        );
    case 'nullMatch':
      return (e) => {
        const values = valuesOf(e, node.field);
        return values.length === 0 || values.some((v) => v === null);
      };
    case 'exists':
      return (e) => valuesOf(e, node.field).some((v) => v !== null && v !== undefined);
    case 'regexMatch': {
      const flags = `${node.flags.ignoreCase ? 'i' : ''}${node.flags.multiline ? 'm' : ''}${node.flags.dotAll ? 's' : ''}`;
      let re: RegExp;
      try {
        re = new RegExp(node.source, `${flags}u`);
      } catch {
        re = new RegExp(node.source, flags);
      }
      return (e) => anyString(e, node.field, (s) => re.test(s));
    }
    case 'compare': {
      const { op, value } = node;
      const cmp =
        op === 'lt'
          ? (n: number) => n < value
          : op === 'lte'
            ? (n: number) => n <= value
            : op === 'gt'
              ? (n: number) => n > value
              : (n: number) => n >= value;
      return (e) =>
        valuesOf(e, node.field).some((v) => {
          const n = toNumber(v);
          return n !== undefined && cmp(n);
        });
    }
    case 'fieldRef':
      return (e) => {
        const fold = node.cased ? (s: string) => s : (s: string) => s.toLowerCase();
        const others = new Set([...valuesOf(e, node.otherField)].flatMap((v) => [...strings(v)]).map(fold));
        return anyString(e, node.field, (s) => others.has(fold(s)));
      };
    case 'cidrMatch': {
      if (node.family !== 4) throw new Unsupported('IPv6 cidr');
      const net = ipv4(node.network);
      if (net === undefined) throw new Unsupported('bad network');
      const mask = node.prefixLength === 0 ? 0 : (~0 << (32 - node.prefixLength)) >>> 0;
      return (e) =>
        anyString(e, node.field, (s) => {
          const ip = ipv4(s);
          return ip !== undefined && (ip & mask) >>> 0 === (net & mask) >>> 0;
        });
    }
    case 'timePart':
      throw new Unsupported('timePart');
    case 'inList':
      throw new Unsupported('inList');
  }
}

function ipv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  let out = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) return undefined;
    out = out * 256 + part;
  }
  return out >>> 0;
}
