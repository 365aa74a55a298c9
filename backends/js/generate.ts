/**
 * IR → JavaScript predicate. Each leaf becomes one short-circuiting expression with a typed fast path inlined
 * (a string field compared with a compile-time lower-cased needle) and a call into the runtime for everything else
 * (arrays, objects, numbers as text). Field values are read only when a leaf is reached, and a field's lower-cased
 * text is computed at most once per event. Constants (regexes, wildcard matchers, path readers, CIDR networks,
 * fallback predicates) are hoisted to module level, so they are built once when the module loads.
 */
import type { Reporter } from '../../src/backend/types.js';
import type { IrNode, NodeOf } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { patternShape, searchPattern } from '../../src/ir/pattern.js';
import type { Visitor } from '../../src/ir/visit.js';
import { inlineValues } from '../../src/ir/in-list.js';
import { visit } from '../../src/ir/visit.js';
import { _, type Code, indent, join, type Name, NameScope } from './codegen.js';
import { JS_CODES as C } from './codes.js';
import { regexLiterals } from '../../src/match/witness.js';
import { flagLetters, regexSafety, searchForm } from './regex-safety.js';
import { cidr } from './runtime/runtime.js';

export interface GeneratedPredicate {
  /** Module-level `const` declarations, in creation order. */
  readonly constants: Code;
  /** The body of `match(event)`. */
  readonly body: Code;
}

const RT = _`rt`;
const EVENT = _`event`;
/** The optional per-event memo a caller evaluating many rules passes (see the runtime's keyword search). */
const MEMO = _`memo`;
const TEXT = _`s`;

/** Keys that `event[key]` would find on Object.prototype when the event lacks them. */
function isPrototypeKey(key: string): boolean {
  return key in Object.prototype;
}

function hasUnsafeInteger(n: number): boolean {
  return Number.isInteger(n) && !Number.isSafeInteger(n);
}

class Generator implements Visitor<Code> {
  private readonly names = new NameScope();
  private readonly constants: Code[] = [];
  private readonly locals: Name[] = [];
  private readonly lowered = new Map<string, Name>();
  private readonly temp: Name;

  constructor(private readonly report: Reporter) {
    this.temp = this.names.fresh('t');
    this.locals.push(this.temp);
  }

  finish(root: IrNode): GeneratedPredicate {
    const expression = visit(root, this);
    const locals = _`let ${join(this.locals, _`, `)};`;
    const body = _`if (event === null || typeof event !== "object") return false;\n${locals}\nreturn ${expression};`;
    return { constants: join(this.constants, _`\n`), body };
  }

  private readonly hoisted = new Map<string, Name>();

  /** A module constant; identical definitions share one name (a pattern used twice is compiled once). */
  private hoist(prefix: string, value: Code): Name {
    const key = `${prefix}:${value.text}`;
    const existing = this.hoisted.get(key);
    if (existing !== undefined) return existing;
    const name = this.names.fresh(prefix);
    this.hoisted.set(key, name);
    this.constants.push(_`const ${name} = ${value};`);
    return name;
  }

  /** The code reading a field's raw value: a quoted own-key read, or a hoisted dotted-path reader. */
  private read(field: string): Code {
    if (field.includes('.')) return _`${this.hoist('f', _`${RT}.path(${field})`)}(${EVENT})`;
    // Plain `event[key]` is fastest; keys Object.prototype also has need an own-property check.
    return isPrototypeKey(field) ? _`${RT}.own(${EVENT}, ${field})` : _`${EVENT}[${field}]`;
  }

  /** A local holding the field's lower-cased text (null when not a string), computed on first use. */
  private lowerOf(field: string): Code {
    let local = this.lowered.get(field);
    if (local === undefined) {
      local = this.names.fresh('l');
      this.locals.push(local);
      this.lowered.set(field, local);
    }
    return _`(${local} === undefined ? (${local} = ${RT}.lower(${this.read(field)})) : ${local})`;
  }

  /** A test of one (already folded) text against a pattern, as an expression over `subject`. */
  private patternTest(pattern: Pattern, fold: boolean, subject: Code): Code {
    const shape = patternShape(pattern);
    const needle = (text: string): string => (fold ? text.toLowerCase() : text);
    switch (shape.kind) {
      case 'exact':
        return _`${subject} === ${needle(shape.text)}`;
      case 'prefix':
        return _`${subject}.startsWith(${needle(shape.text)})`;
      case 'suffix':
        return _`${subject}.endsWith(${needle(shape.text)})`;
      case 'contains':
        return _`${subject}.includes(${needle(shape.text)})`;
      case 'any':
        return _`true`;
      case 'complex': {
        const tokens = pattern.parts.map((p) =>
          p.kind === 'literal' ? needle(p.text) : p.kind === 'anyChars' ? 0 : 1,
        );
        const matcher = this.hoist('g', _`${RT}.glob(${tokens})`);
        return _`${matcher}(${subject})`;
      }
    }
  }

  /** A hoisted `(s) => test(s)` for values the fast path does not cover. */
  private predicate(test: Code): Name {
    return this.hoist('p', _`(${TEXT}) => ${test}`);
  }

  private combine(children: readonly IrNode[], operator: Code): Code {
    return this.combineCode(
      children.map((c) => visit(c, this)),
      operator,
    );
  }

  private combineCode(parts: readonly Code[], operator: Code): Code {
    return _`(\n  ${indent(join(parts, _` ${operator}\n`), 2)}\n)`;
  }

  and(node: NodeOf<'and'>): Code {
    return this.combine(node.children, _`&&`);
  }

  /**
   * An OR with NEEDLE_SET or more literal tests of one kind (exact, prefix, suffix, contains) on one field with the
   * same case handling, or KEYWORD_SET or more keyword tests of one kind, tests them with one runtime needle set
   * (`rt.textSet`, or `rt.keywordSet` for keywords) in place of the first of them: the same texts are tested (the
   * field's lower-cased value, or every string of the event), and the set is true exactly when one of its needles
   * passes, so the OR means the same. Needles are data: they enter the module as one JSON array literal.
   */
  or(node: NodeOf<'or'>): Code {
    const parts = orParts(
      node.children,
      (child) => visit(child, this),
      (group) => this.needleSet(group),
    );
    return this.combineCode(parts, _`||`);
  }

  private needleSet(group: NeedleGroup): Code {
    const { first, fold, kind, needles } = needleSetOf(group);
    if (first.kind === 'keyword') {
      const search = this.hoist('k', _`${RT}.keywordSet(${needles}, ${kind}, ${fold})`);
      return _`${search}(${EVENT}, ${MEMO})`;
    }
    const set = this.hoist('n', _`${RT}.textSet(${needles}, ${kind})`);
    const field = first.field;
    if (fold) {
      const text = this.lowerOf(field);
      const local = this.lowered.get(field)!;
      return _`(${text} !== null ? ${set}(${local}) : ${RT}.someText(${this.read(field)}, ${set}, true))`;
    }
    const t = this.temp;
    return _`(typeof (${t} = ${this.read(field)}) === "string" ? ${set}(${t}) : ${RT}.someText(${t}, ${set}, false))`;
  }
  not(node: NodeOf<'not'>): Code {
    // Two-valued: a missing field makes the inner test false, so its negation true.
    return _`!${visit(node.child, this)}`;
  }
  const(node: NodeOf<'const'>): Code {
    return node.value ? _`true` : _`false`;
  }

  stringMatch(node: NodeOf<'stringMatch'>): Code {
    const fold = !node.cased;
    const fallback = this.predicate(this.patternTest(node.pattern, fold, TEXT));
    if (fold) {
      const text = this.lowerOf(node.field);
      const local = this.lowered.get(node.field)!;
      return _`(${text} !== null ? ${this.patternTest(node.pattern, true, local)} : ${RT}.someText(${this.read(node.field)}, ${fallback}, true))`;
    }
    const t = this.temp;
    return _`(typeof (${t} = ${this.read(node.field)}) === "string" ? ${this.patternTest(node.pattern, false, t)} : ${RT}.someText(${t}, ${fallback}, false))`;
  }

  numberMatch(node: NodeOf<'numberMatch'>): Code {
    if (!this.finite(node.value, node)) return _`false`;
    const t = this.temp;
    return _`(typeof (${t} = ${this.read(node.field)}) === "number" ? ${t} === ${node.value} : ${RT}.eqNum(${t}, ${node.value}))`;
  }

  boolMatch(node: NodeOf<'boolMatch'>): Code {
    const t = this.temp;
    return _`(typeof (${t} = ${this.read(node.field)}) === "boolean" ? ${t} === ${node.value} : ${RT}.eqBool(${t}, ${node.value}))`;
  }

  nullMatch(node: NodeOf<'nullMatch'>): Code {
    // `== null` is true for undefined (missing) and null only.
    return _`(${this.read(node.field)} == null)`;
  }

  exists(node: NodeOf<'exists'>): Code {
    return _`(${this.read(node.field)} != null)`;
  }

  regexMatch(node: NodeOf<'regexMatch'>): Code {
    const plan = regexPlan(node, this.report);
    if (plan === undefined) return _`false`;
    // Patterns V8 could backtrack on run on the runtime's linear-time engine, which has the same `test`.
    const regex =
      plan.engine === 'v8'
        ? this.hoist('r', _`new RegExp(${plan.source}, ${plan.letters})`)
        : this.hoist('r', _`${RT}.compileRegexVm(${plan.source}, ${plan.letters})`);
    const fallback = this.predicate(_`${regex}.test(${TEXT})`);
    const t = this.temp;
    return _`(typeof (${t} = ${this.read(node.field)}) === "string" ? ${this.regexPrefilter(plan, t)}${regex}.test(${t}) : ${RT}.someText(${t}, ${fallback}, false))`;
  }

  /** The prefilter of `plan` (see `RegexPlan.prefilter`) before running it on `subject`. */
  private regexPrefilter(plan: RegexPlan, subject: Code): Code {
    const pre = plan.prefilter;
    if (pre === undefined) return _``;
    return pre.lower ? _`${RT}.lower(${subject}).includes(${pre.text}) && ` : _`${subject}.includes(${pre.text}) && `;
  }

  cidrMatch(node: NodeOf<'cidrMatch'>): Code {
    if (!validCidr(node, this.report)) return _`false`;
    const network = this.hoist('c', _`${RT}.cidr(${node.network}, ${node.prefixLength}, ${node.family})`);
    return _`${RT}.inCidr(${this.read(node.field)}, ${network})`;
  }

  compare(node: NodeOf<'compare'>): Code {
    if (!this.finite(node.value, node)) return _`false`;
    const t = this.temp;
    const op = { lt: _`<`, lte: _`<=`, gt: _`>`, gte: _`>=` }[node.op];
    const slow = { lt: _`lt`, lte: _`lte`, gt: _`gt`, gte: _`gte` }[node.op];
    return _`(typeof (${t} = ${this.read(node.field)}) === "number" ? ${t} ${op} ${node.value} : ${RT}.${slow}(${t}, ${node.value}))`;
  }

  fieldRef(node: NodeOf<'fieldRef'>): Code {
    return _`${RT}.fieldEq(${this.read(node.field)}, ${this.read(node.otherField)}, ${!node.cased})`;
  }

  timePart(node: NodeOf<'timePart'>): Code {
    return _`${RT}.timePart(${this.read(node.field)}, ${node.part}, ${node.value})`;
  }

  /**
   * A predicate runs in this process, where no watchlist, lookup or value list exists: a placeholder is its
   * configured values (the configuration refuses references for this target, RC607, so only values reach here).
   */
  inList(node: NodeOf<'inList'>): Code {
    const inline = inlineValues(node);
    if (inline !== undefined) return visit(inline, this);
    refuseList(node, this.report);
    return _`false`;
  }

  /** A substring search of the event's strings: each string is tested against `*keyword*`. */
  keyword(node: NodeOf<'keyword'>): Code {
    const fold = !node.cased;
    const searched = searchPattern(node.pattern);
    const shape = patternShape(searched);
    if (shape.kind !== 'complex' && shape.kind !== 'any') {
      const needle = fold ? shape.text.toLowerCase() : shape.text;
      const search = this.hoist('k', _`${RT}.keywordSet(${[needle]}, ${shape.kind}, ${fold})`);
      return _`${search}(${EVENT}, ${MEMO})`;
    }
    const test = this.predicate(this.patternTest(searched, fold, TEXT));
    return _`${RT}.keyword(${EVENT}, ${test}, ${fold})`;
  }

  private finite(value: number, node: IrNode): boolean {
    return finiteNumber(value, node, this.report);
  }
}

/** Smallest OR group tested through one needle set (rsigma finds Aho-Corasick pays off from about 8 needles). */
const NEEDLE_SET = 8;
/** Keywords each walk the whole event: two already share one walk. */
const KEYWORD_SET = 2;

/** The whole-value pattern each tested text must match: a keyword is searched inside the text. */
function testedPattern(node: NodeOf<'stringMatch'> | NodeOf<'keyword'>): Pattern {
  return node.kind === 'keyword' ? searchPattern(node.pattern) : node.pattern;
}

/** Children of an OR that may share a needle set have equal keys; undefined for any other node. */
function needleGroupKey(node: IrNode): string | undefined {
  if (node.kind !== 'stringMatch' && node.kind !== 'keyword') return undefined;
  const shape = patternShape(testedPattern(node)).kind;
  if (shape !== 'exact' && shape !== 'prefix' && shape !== 'suffix' && shape !== 'contains') return undefined;
  const field = node.kind === 'stringMatch' ? `f${node.field}` : 'k';
  return JSON.stringify([field, node.cased, shape]);
}

/** Literal tests of one kind on one field (or keywords) an OR tests with one needle set. */
export type NeedleGroup = readonly (NodeOf<'stringMatch'> | NodeOf<'keyword'>)[];

/**
 * The parts of an OR, in the order its children come (shared by the generated module and ./interpret.ts): each
 * child made by `part`, except that a group of NEEDLE_SET or more literal tests of one kind on one field (or
 * KEYWORD_SET or more keywords) is made once by `set`, where its first member stands.
 */
export function orParts<T>(
  children: readonly IrNode[],
  part: (child: IrNode) => T,
  set: (group: NeedleGroup) => T,
): T[] {
  const groups = new Map<string, IrNode[]>();
  const keys = children.map((child) => {
    const key = needleGroupKey(child);
    if (key !== undefined) {
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [child]);
      else group.push(child);
    }
    return key;
  });
  const parts: T[] = [];
  const done = new Set<string>();
  children.forEach((child, i) => {
    const key = keys[i];
    const group = key === undefined ? undefined : groups.get(key)!;
    const least = child.kind === 'keyword' ? KEYWORD_SET : NEEDLE_SET;
    if (group === undefined || group.length < least) {
      parts.push(part(child));
      return;
    }
    if (done.has(key!)) return;
    done.add(key!);
    parts.push(set(group as NeedleGroup));
  });
  return parts;
}

/** A needle group's set: its first member, case handling, kind, and needles (lower-cased when folding). */
export function needleSetOf(group: NeedleGroup): {
  readonly first: NeedleGroup[number];
  readonly fold: boolean;
  readonly kind: 'exact' | 'prefix' | 'suffix' | 'contains';
  readonly needles: string[];
} {
  const first = group[0]!;
  const fold = !first.cased;
  // Groups hold literal tests only (`needleGroupKey`).
  const kind = patternShape(testedPattern(first)).kind as 'exact' | 'prefix' | 'suffix' | 'contains';
  const needles = group.map((n) => {
    const shape = patternShape(testedPattern(n));
    const text = shape.kind === 'any' || shape.kind === 'complex' ? '' : shape.text;
    return fold ? text.toLowerCase() : text;
  });
  return { first, fold, kind, needles };
}

/** Generates the predicate for a (pipeline-mapped) detection tree. */
export function generatePredicate(detection: IrNode, report: Reporter): GeneratedPredicate {
  return new Generator(report).finish(detection);
}

/** How a rule's regular expression runs (shared by the generated module and the interpreter, ./interpret.ts). */
export interface RegexPlan {
  /** The search-equivalent form (no leading `.*`), the one the safety verdict is about. */
  readonly source: string;
  readonly letters: string;
  /** V8's engine, or the runtime's linear-time engine for patterns V8 could backtrack on. */
  readonly engine: 'v8' | 'vm';
  /**
   * For a pattern on the linear-time engine (slower per character than V8's), a cheap `includes` of the longest
   * literal text every match contains (../../src/match/witness.ts `regexLiterals`, the index's own analysis)
   * before running it: most values lack it. One character is enough to be worth it (a native `includes` of one
   * character costs little next to the engine: a pattern holding a backtick first looks for one).
   * Case-insensitive patterns test the runtime's lower-cased text (cached per event), `text` lower-cased.
   */
  readonly prefilter?: { readonly text: string; readonly lower: boolean };
}

/** The plan of a regular expression, or undefined when it is refused (JS001, JS002: reported). */
export function regexPlan(node: NodeOf<'regexMatch'>, report: Reporter): RegexPlan | undefined {
  const { flags } = node;
  const source = searchForm(node.source);
  let letters = flagLetters({ ...flags, unicode: false });
  try {
    new RegExp(source, `${letters}u`);
    letters += 'u';
  } catch {
    try {
      new RegExp(source, letters);
    } catch (error) {
      report.refuse(C.JS002.code, `regular expression /${source}/ does not compile: ${(error as Error).message}`, node);
      return undefined;
    }
    report.warn(
      C.JS003.code,
      `regular expression /${source}/ compiled without the unicode flag: '.' matches one UTF-16 unit and case folding is ASCII-only`,
      node,
    );
  }
  const verdict = regexSafety(node.source, { ...flags, unicode: letters.endsWith('u') });
  if (!verdict.safe) {
    report.refuse(C.JS001.code, `regular expression /${source}/ refused: ${verdict.reason}`, node);
    return undefined;
  }
  if (verdict.engine !== 'vm') return { source, letters, engine: 'v8' };
  const ignoreCase = flags.ignoreCase;
  let best = '';
  for (const run of regexLiterals(node.source, ignoreCase)) if (run.length > best.length) best = run;
  if (best.length === 0) return { source, letters, engine: 'vm' };
  const prefilter = ignoreCase ? { text: best.toLowerCase(), lower: true } : { text: best, lower: false };
  return { source, letters, engine: 'vm', prefilter };
}

/** Whether the runtime's own parser accepts the network (so the module can load it); JS006 when not. */
export function validCidr(node: NodeOf<'cidrMatch'>, report: Reporter): boolean {
  try {
    cidr(node.network, node.prefixLength, node.family);
    return true;
  } catch {
    report.refuse(
      C.JS006.code,
      `network ${node.network}/${node.prefixLength} is not a valid IPv${node.family} CIDR`,
      node,
    );
    return false;
  }
}

/**
 * A predicate runs in this process, where no watchlist, lookup or value list exists: a placeholder without
 * configured values is refused (RC615).
 */
export function refuseList(node: NodeOf<'inList'>, report: Reporter): void {
  report.refuse(
    'RC615',
    `placeholder %${node.placeholder}% is the ${node.list.kind} '${node.list.name}', which a JS predicate cannot look up: give its values in rulec.config.yml`,
    node,
  );
}

/** Non-finite numbers cannot be written (JS005); integers beyond 2^53 compare imprecisely (JS004, a warning). */
export function finiteNumber(value: number, node: IrNode, report: Reporter): boolean {
  if (!Number.isFinite(value)) {
    report.refuse(C.JS005.code, `the number ${String(value)} cannot be compared in JavaScript`, node);
    return false;
  }
  if (hasUnsafeInteger(value))
    report.warn(C.JS004.code, `${value} is beyond 2^53: JavaScript compares it with rounding`, node);
  return true;
}
