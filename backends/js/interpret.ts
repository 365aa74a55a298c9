/**
 * The JS target's predicate for running rules in this process (`rulec match`, `rulec test`): the detection turned
 * into a tree of closures over the runtime, with the generated module's semantics test for test (./generate.ts is
 * the reference: same fast paths, same runtime calls in the same order, same refusals).
 *
 * Why not the generated code itself: a corpus run reaches a few hundred predicates, each a function of its own
 * that V8 optimises only after thousands of calls, so most of them run in the bytecode interpreter (one SigmaHQ
 * rule measured alone: 2-6 µs per call over its first 18,000 calls, 0.3 µs after 150,000). Here every rule runs
 * the same few closure bodies (one per node kind below), whose feedback is shared by all the rules, so they are
 * optimised within the first events. Rule values stay data: they are captured as strings, numbers, sets and
 * regular expressions the runtime builds, never turned into code.
 */
import type { EventMemo, EventPredicate, Reporter } from '../../src/backend/types.js';
import type { IrNode, NodeOf } from '../../src/ir/nodes.js';
import { inlineValues } from '../../src/ir/in-list.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { patternShape, searchPattern } from '../../src/ir/pattern.js';
import type { Visitor } from '../../src/ir/visit.js';
import { visit } from '../../src/ir/visit.js';
import type { NeedleGroup } from './generate.js';
import { finiteNumber, needleSetOf, orParts, refuseList, regexPlan, validCidr } from './generate.js';
import * as rt from './runtime/runtime.js';

type Event = Record<string, unknown>;
/** A node of the tree: the event (an object) and the caller's per-event memo. */
type Test = (event: Event, memo: EventMemo | undefined) => boolean;
/** A test of one text (the runtime's `someText` and keyword walks call it). */
type TextTest = (text: string) => boolean;
/** Reads a field that a plain `event[key]` cannot (a dotted path, or a key Object.prototype also has). */
type Read = (event: Event) => unknown;

// Pattern kinds of the string leaf, as small integers: one closure body tests them all with a switch.
const EXACT = 0;
const PREFIX = 1;
const SUFFIX = 2;
const CONTAINS = 3;
const ANY = 4;
const GLOB = 5;

const TRUE: Test = () => true;
const FALSE: Test = () => false;

/** The reader for a field (./generate.ts `read`), or undefined when `event[field]` is the read. */
function reader(field: string): Read | undefined {
  if (field.includes('.')) return rt.path(field) as Read;
  return field in Object.prototype ? (event) => rt.own(event, field) : undefined;
}

/** A text test for a pattern (./generate.ts `patternTest`), on text already folded when `fold`. */
function textTest(pattern: Pattern, fold: boolean): TextTest {
  const { kind, needle, glob } = patternForm(pattern, fold);
  return (s) => testText(kind, needle, glob, s);
}

interface PatternForm {
  readonly kind: number;
  readonly needle: string;
  readonly glob: TextTest | undefined;
}

function patternForm(pattern: Pattern, fold: boolean): PatternForm {
  const shape = patternShape(pattern);
  const needle = (text: string): string => (fold ? text.toLowerCase() : text);
  switch (shape.kind) {
    case 'exact':
      return { kind: EXACT, needle: needle(shape.text), glob: undefined };
    case 'prefix':
      return { kind: PREFIX, needle: needle(shape.text), glob: undefined };
    case 'suffix':
      return { kind: SUFFIX, needle: needle(shape.text), glob: undefined };
    case 'contains':
      return { kind: CONTAINS, needle: needle(shape.text), glob: undefined };
    case 'any':
      return { kind: ANY, needle: '', glob: undefined };
    case 'complex': {
      const tokens = pattern.parts.map((p) => (p.kind === 'literal' ? needle(p.text) : p.kind === 'anyChars' ? 0 : 1));
      return { kind: GLOB, needle: '', glob: rt.glob(tokens) as TextTest };
    }
  }
}

function testText(kind: number, needle: string, glob: TextTest | undefined, s: string): boolean {
  switch (kind) {
    case EXACT:
      return s === needle;
    case PREFIX:
      return s.startsWith(needle);
    case SUFFIX:
      return s.endsWith(needle);
    case CONTAINS:
      return s.includes(needle);
    case ANY:
      return true;
    default:
      return glob!(s);
  }
}

/** The runtime's functions with the types the closures call them with. */
const lower = rt.lower as (value: unknown) => string | null;
const someText = rt.someText as (value: unknown, test: TextTest, fold: boolean) => boolean;

class Interpreter implements Visitor<Test> {
  constructor(private readonly report: Reporter) {}

  and(node: NodeOf<'and'>): Test {
    const parts = node.children.map((c) => visit(c, this));
    if (parts.length === 2) {
      const [a, b] = parts as [Test, Test];
      return (event, memo) => a(event, memo) && b(event, memo);
    }
    return (event, memo) => {
      for (let i = 0; i < parts.length; i++) if (!parts[i]!(event, memo)) return false;
      return true;
    };
  }

  /** As ./generate.ts `or`: large groups of one kind of literal test on one field become one needle set. */
  or(node: NodeOf<'or'>): Test {
    const parts = orParts(node.children, (child) => visit(child, this), needleSet);
    if (parts.length === 2) {
      const [a, b] = parts as [Test, Test];
      return (event, memo) => a(event, memo) || b(event, memo);
    }
    return (event, memo) => {
      for (let i = 0; i < parts.length; i++) if (parts[i]!(event, memo)) return true;
      return false;
    };
  }

  not(node: NodeOf<'not'>): Test {
    const inner = visit(node.child, this);
    return (event, memo) => !inner(event, memo);
  }

  const(node: NodeOf<'const'>): Test {
    return node.value ? TRUE : FALSE;
  }

  stringMatch(node: NodeOf<'stringMatch'>): Test {
    const fold = !node.cased;
    const { kind, needle, glob } = patternForm(node.pattern, fold);
    const fallback = textTest(node.pattern, fold);
    const field = node.field;
    const read = reader(field);
    if (fold) {
      return (event) => {
        const value = read === undefined ? event[field] : read(event);
        const text = lower(value);
        return text !== null ? testText(kind, needle, glob, text) : someText(value, fallback, true);
      };
    }
    return (event) => {
      const value = read === undefined ? event[field] : read(event);
      return typeof value === 'string' ? testText(kind, needle, glob, value) : someText(value, fallback, false);
    };
  }

  numberMatch(node: NodeOf<'numberMatch'>): Test {
    if (!finiteNumber(node.value, node, this.report)) return FALSE;
    const { field, value: n } = node;
    const read = reader(field);
    return (event) => {
      const value = read === undefined ? event[field] : read(event);
      return typeof value === 'number' ? value === n : rt.eqNum(value, n);
    };
  }

  boolMatch(node: NodeOf<'boolMatch'>): Test {
    const { field, value: b } = node;
    const read = reader(field);
    return (event) => {
      const value = read === undefined ? event[field] : read(event);
      return typeof value === 'boolean' ? value === b : rt.eqBool(value, b);
    };
  }

  nullMatch(node: NodeOf<'nullMatch'>): Test {
    const field = node.field;
    const read = reader(field);
    return (event) => (read === undefined ? event[field] : read(event)) == null;
  }

  exists(node: NodeOf<'exists'>): Test {
    const field = node.field;
    const read = reader(field);
    return (event) => (read === undefined ? event[field] : read(event)) != null;
  }

  regexMatch(node: NodeOf<'regexMatch'>): Test {
    const plan = regexPlan(node, this.report);
    if (plan === undefined) return FALSE;
    const regex = (
      plan.engine === 'v8' ? new RegExp(plan.source, plan.letters) : rt.compileRegexVm(plan.source, plan.letters)
    ) as { test(s: string): boolean };
    const fallback: TextTest = (s) => regex.test(s);
    const pre = plan.prefilter;
    const field = node.field;
    const read = reader(field);
    return (event) => {
      const value = read === undefined ? event[field] : read(event);
      if (typeof value !== 'string') return someText(value, fallback, false);
      if (pre !== undefined && !(pre.lower ? lower(value)! : value).includes(pre.text)) return false;
      return regex.test(value);
    };
  }

  cidrMatch(node: NodeOf<'cidrMatch'>): Test {
    if (!validCidr(node, this.report)) return FALSE;
    const network = rt.cidr(node.network, node.prefixLength, node.family);
    const field = node.field;
    const read = reader(field);
    return (event) => rt.inCidr(read === undefined ? event[field] : read(event), network);
  }

  compare(node: NodeOf<'compare'>): Test {
    if (!finiteNumber(node.value, node, this.report)) return FALSE;
    const { field, value: n, op } = node;
    const read = reader(field);
    const slow = rt[op];
    return (event) => {
      const value = read === undefined ? event[field] : read(event);
      if (typeof value !== 'number') return slow(value, n);
      switch (op) {
        case 'lt':
          return value < n;
        case 'lte':
          return value <= n;
        case 'gt':
          return value > n;
        default:
          return value >= n;
      }
    };
  }

  fieldRef(node: NodeOf<'fieldRef'>): Test {
    const { field, otherField: other } = node;
    const fold = !node.cased;
    const read = reader(field);
    const readOther = reader(other);
    return (event) =>
      rt.fieldEq(
        read === undefined ? event[field] : read(event),
        readOther === undefined ? event[other] : readOther(event),
        fold,
      );
  }

  timePart(node: NodeOf<'timePart'>): Test {
    const { field, part, value: n } = node;
    const read = reader(field);
    return (event) => rt.timePart(read === undefined ? event[field] : read(event), part, n);
  }

  inList(node: NodeOf<'inList'>): Test {
    const inline = inlineValues(node);
    if (inline !== undefined) return visit(inline, this);
    refuseList(node, this.report);
    return FALSE;
  }

  keyword(node: NodeOf<'keyword'>): Test {
    const fold = !node.cased;
    const searched = searchPattern(node.pattern);
    const shape = patternShape(searched);
    if (shape.kind !== 'complex' && shape.kind !== 'any') {
      const needle = fold ? shape.text.toLowerCase() : shape.text;
      return rt.keywordSet([needle], shape.kind, fold) as Test;
    }
    const test = textTest(searched, fold);
    return (event) => rt.keyword(event, test, fold);
  }
}

/** One needle set for an OR's group of literal tests (./generate.ts `needleSet`). */
function needleSet(group: NeedleGroup): Test {
  const { first, fold, kind, needles } = needleSetOf(group);
  if (first.kind === 'keyword') return rt.keywordSet(needles, kind, fold) as Test;
  const set = rt.textSet(needles, kind) as TextTest;
  const field = first.field;
  const read = reader(field);
  if (fold) {
    return (event) => {
      const value = read === undefined ? event[field] : read(event);
      const text = lower(value);
      return text !== null ? set(text) : someText(value, set, true);
    };
  }
  return (event) => {
    const value = read === undefined ? event[field] : read(event);
    return typeof value === 'string' ? set(value) : someText(value, set, false);
  };
}

/** The predicate of a (pipeline-mapped) detection tree; refusals and warnings go to `report`, as generating does. */
export function interpretPredicate(detection: IrNode, report: Reporter): EventPredicate {
  const root = visit(detection, new Interpreter(report));
  return (event, memo) => event !== null && typeof event === 'object' && root(event as Event, memo);
}
