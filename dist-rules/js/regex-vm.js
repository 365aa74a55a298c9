// rulec linear-time regular expressions: a Thompson NFA run as a Pike VM (state sets, no backtracking), so a
// search costs O(program size × input length) whatever the pattern. The VM's steps are memoised as a lazy DFA
// (at most MAX_STATES cached state sets per pattern), so repeated (state, character) pairs cost O(1). Plain ES2022,
// no dependencies; the rule runtime re-exports `compileRegexVm`. Only match / no-match is computed (no captures),
// which is all `test` needs; lazy quantifiers therefore behave as greedy ones.
//
// Supported: the JavaScript syntax of literals, `.`, classes `[...]` / `[^...]`, `\d \D \w \W \s \S` (and `\p{…}`
// with `u`), escapes, anchors `^ $` (per line with `m`), `\b \B`, groups `(...)` `(?:...)` `(?<name>...)` (all
// non-capturing here), alternation, greedy and lazy quantifiers `* + ? {n} {n,} {n,m}`; flags `i m s u`.
// Unsupported (a RegexVmError at compile time): backreferences and look-around, which are not regular.
//
// Every single-character atom (a literal, a class, an escape, `.`) is parsed here but its membership test is
// delegated to a one-character V8 RegExp `^(?:atom)$` with the pattern's `i`/`s`/`u` flags, memoised per
// character: a one-character test cannot backtrack, and it gives exactly JavaScript's semantics for classes,
// `\w` under `iu`, Unicode case folding and the legacy non-`u` syntax.

/** Largest program (instructions after expanding bounded repetitions) compiled. */
export const MAX_PROGRAM = 20_000;

/** A pattern the linear-time engine cannot run (look-around, backreferences, too large, unknown flags). */
export class RegexVmError extends Error {
  constructor(message) {
    super(message);
    this.name = 'RegexVmError';
  }
}

// Instructions.
const ATOM = 0; // a = matcher index; next = pc + 1
const SPLIT = 1; // a, b
const JMP = 2; // a
const ASSERT = 3; // a = assertion kind
const MATCH = 4;

// Assertion kinds.
const BOL = 0;
const EOL = 1;
const WORD_BOUNDARY = 2;
const NOT_WORD_BOUNDARY = 3;

const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;
const HEX2 = /^[0-9A-Fa-f]{2}/;
const HEX4 = /^[0-9A-Fa-f]{4}/;
const BRACED_HEX = /^\{[0-9A-Fa-f]+\}/;
const OCTAL = /^[0-7]{1,2}/;
const PROPERTY = /^\{[^}]*\}/;

const isLead = (c) => c >= 0xd800 && c <= 0xdbff;
const isTrail = (c) => c >= 0xdc00 && c <= 0xdfff;

/** Parses a pattern (already validated by V8) into a tree whose leaves are atom sources and assertions. */
class Parser {
  constructor(source, unicode) {
    this.src = source;
    this.unicode = unicode;
    this.i = 0;
    // Without `u`, `\k` is a backreference only when the pattern has a named group.
    this.namedGroups = /\(\?<[^=!]/.test(source);
  }

  parse() {
    const node = this.disjunction();
    if (this.i < this.src.length) throw new RegexVmError(`unexpected '${this.src[this.i]}' at offset ${this.i}`);
    return node;
  }

  disjunction() {
    const branches = [this.alternative()];
    while (this.src[this.i] === '|') {
      this.i++;
      branches.push(this.alternative());
    }
    return branches.length === 1 ? branches[0] : { t: 'alt', branches };
  }

  alternative() {
    const items = [];
    for (let c = this.src[this.i]; c !== undefined && c !== '|' && c !== ')'; c = this.src[this.i]) {
      items.push(this.quantified(this.term()));
    }
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  quantified(node) {
    for (;;) {
      const c = this.src[this.i];
      let min;
      let max;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = QUANTIFIER.exec(this.src.slice(this.i));
        if (m === null) return node; // a literal `{` (legacy syntax): the next term reads it
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        this.i += m[0].length - 1;
      } else return node;
      this.i++;
      if (this.src[this.i] === '?') this.i++; // lazy: the same strings match
      node = { t: 'rep', body: node, min, max };
    }
  }

  term() {
    const start = this.i;
    const c = this.src[this.i++];
    switch (c) {
      case '^':
        return { t: 'assert', kind: BOL };
      case '$':
        return { t: 'assert', kind: EOL };
      case '(':
        return this.group();
      case '[':
        this.skipClass();
        return this.atom(start);
      case '\\':
        return this.escape(start);
      default:
        if (this.unicode && isLead(c.charCodeAt(0)) && isTrail(this.src.charCodeAt(this.i))) this.i++;
        return this.atom(start);
    }
  }

  atom(start) {
    return { t: 'atom', source: this.src.slice(start, this.i) };
  }

  group() {
    const s = this.src;
    if (s.startsWith('?=', this.i) || s.startsWith('?!', this.i))
      throw new RegexVmError('look-ahead is not supported by the linear-time regex engine');
    if (s.startsWith('?<=', this.i) || s.startsWith('?<!', this.i))
      throw new RegexVmError('look-behind is not supported by the linear-time regex engine');
    if (s.startsWith('?:', this.i)) this.i += 2;
    else if (s.startsWith('?<', this.i)) {
      const end = s.indexOf('>', this.i);
      if (end < 0) throw new RegexVmError('unterminated group name');
      this.i = end + 1;
    } else if (s[this.i] === '?')
      throw new RegexVmError(`the group '(?${s[this.i + 1] ?? ''}' is not supported by the linear-time regex engine`);
    const body = this.disjunction();
    if (s[this.i++] !== ')') throw new RegexVmError('unterminated group');
    return body;
  }

  /** Moves past a class body (after `[`); classes do not nest without the `v` flag. */
  skipClass() {
    const s = this.src;
    for (;;) {
      const c = s[this.i++];
      if (c === undefined) throw new RegexVmError('unterminated character class');
      if (c === ']') return;
      if (c === '\\') this.i++;
    }
  }

  escape(start) {
    const s = this.src;
    const c = s[this.i++];
    if (c === undefined) throw new RegexVmError('trailing backslash');
    if (c === 'b') return { t: 'assert', kind: WORD_BOUNDARY };
    if (c === 'B') return { t: 'assert', kind: NOT_WORD_BOUNDARY };
    if (c >= '1' && c <= '9')
      throw new RegexVmError('backreferences are not supported by the linear-time regex engine');
    if (c === 'k' && s[this.i] === '<' && (this.unicode || this.namedGroups))
      throw new RegexVmError('backreferences are not supported by the linear-time regex engine');
    const rest = s.slice(this.i);
    let m = null;
    switch (c) {
      case 'x':
        m = HEX2.exec(rest);
        break;
      case 'u':
        m = HEX4.exec(rest) ?? (this.unicode ? BRACED_HEX.exec(rest) : null);
        if (m !== null && this.unicode && m[0].length === 4 && isLead(parseInt(m[0], 16))) {
          // `\uD83D\uDE00` is one code point with `u`.
          const trail = /^\\u([0-9A-Fa-f]{4})/.exec(rest.slice(4));
          if (trail !== null && isTrail(parseInt(trail[1], 16))) this.i += 6;
        }
        break;
      case 'p':
      case 'P':
        if (this.unicode) m = PROPERTY.exec(rest);
        break;
      case 'c':
        if (!/^[A-Za-z]/.test(rest))
          throw new RegexVmError("'\\c' without a control letter is not supported by the linear-time regex engine");
        this.i++;
        break;
      case '0':
        if (!this.unicode) m = OCTAL.exec(rest);
        break;
      default:
        // An identity escape; without `u` it may escape a lead surrogate, which then stands alone.
        break;
    }
    if (m !== null) this.i += m[0].length;
    return this.atom(start);
  }
}

/** A single-character test memoised per code: ASCII in a table, the rest in a bounded map. */
function atomMatcher(source, flags) {
  const re = new RegExp(`^(?:${source})$`, flags);
  const ascii = new Int8Array(128); // 0 unknown, 1 match, 2 no match
  const other = new Map();
  return (code) => {
    if (code < 128) {
      const known = ascii[code];
      if (known !== 0) return known === 1;
      const result = re.test(String.fromCharCode(code));
      ascii[code] = result ? 1 : 2;
      return result;
    }
    let result = other.get(code);
    if (result === undefined) {
      result = re.test(String.fromCodePoint(code));
      if (other.size < 4096) other.set(code, result);
    }
    return result;
  };
}

/** Program size of a node, growing past `limit` stops early (returns Infinity). */
function sizeOf(node, limit) {
  switch (node.t) {
    case 'atom':
    case 'assert':
      return 1;
    case 'seq': {
      let total = 0;
      for (const item of node.items) {
        total += sizeOf(item, limit);
        if (total > limit) return Infinity;
      }
      return total;
    }
    case 'alt': {
      let total = 3 * (node.branches.length - 1);
      for (const branch of node.branches) {
        total += sizeOf(branch, limit);
        if (total > limit) return Infinity;
      }
      return total;
    }
    case 'rep': {
      const body = sizeOf(node.body, limit);
      const copies = node.max === Infinity ? Math.max(node.min, 1) : node.max;
      const total = copies * (body + 1) + 2;
      return total > limit ? Infinity : total;
    }
  }
}

class Compiler {
  constructor(flags) {
    this.op = [];
    this.a = [];
    this.b = [];
    this.matchers = [];
    this.matcherIndex = new Map();
    this.atomFlags = flags.replace(/m/g, '');
  }

  emit(op, a = 0, b = 0) {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  node(n) {
    switch (n.t) {
      case 'atom': {
        let index = this.matcherIndex.get(n.source);
        if (index === undefined) {
          index = this.matchers.length;
          this.matchers.push(atomMatcher(n.source, this.atomFlags));
          this.matcherIndex.set(n.source, index);
        }
        this.emit(ATOM, index);
        return;
      }
      case 'assert':
        this.emit(ASSERT, n.kind);
        return;
      case 'seq':
        for (const item of n.items) this.node(item);
        return;
      case 'alt': {
        const jumps = [];
        n.branches.forEach((branch, k) => {
          if (k === n.branches.length - 1) {
            this.node(branch);
            return;
          }
          const split = this.emit(SPLIT, this.op.length + 1, 0);
          this.node(branch);
          jumps.push(this.emit(JMP));
          this.b[split] = this.op.length;
        });
        for (const j of jumps) this.a[j] = this.op.length;
        return;
      }
      case 'rep': {
        const { body, min, max } = n;
        if (max === Infinity) {
          for (let k = 1; k < min; k++) this.node(body);
          if (min > 0) {
            // body+ : L: body; SPLIT L, out
            const loop = this.op.length;
            this.node(body);
            this.emit(SPLIT, loop, this.op.length + 1);
          } else {
            // body* : L: SPLIT body, out; body; JMP L
            const loop = this.emit(SPLIT, this.op.length + 1, 0);
            this.node(body);
            this.emit(JMP, loop);
            this.b[loop] = this.op.length;
          }
          return;
        }
        for (let k = 0; k < min; k++) this.node(body);
        // Optional copies all skip to the common end: body{0,k} = (body(body(…)?)?)?.
        const splits = [];
        for (let k = min; k < max; k++) {
          splits.push(this.emit(SPLIT, this.op.length + 1, 0));
          this.node(body);
        }
        for (const s of splits) this.b[s] = this.op.length;
        return;
      }
    }
  }
}

/** Whether every alternative of the pattern starts with `^` (without `m`: a match can only start at 0). */
function anchoredAtStart(node) {
  if (node.t === 'assert') return node.kind === BOL;
  if (node.t === 'seq') return node.items.length > 0 && anchoredAtStart(node.items[0]);
  if (node.t === 'alt') return node.branches.every(anchoredAtStart);
  return false;
}

const isLineTerminator = (c) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * Compiles `source` with `flags` (any of `imsu`) into a matcher whose `test(text)` searches like
 * `new RegExp(source, flags).test(text)`, in time linear in the text. Throws a SyntaxError for an invalid pattern
 * and a RegexVmError for one this engine cannot run.
 */
export function compileRegexVm(source, flags = '') {
  if (!/^[imsu]*$/.test(flags) || new Set(flags).size !== flags.length)
    throw new RegexVmError(`unsupported regular expression flags '${flags}' (the linear-time engine takes i, m, s, u)`);
  new RegExp(source, flags); // V8's syntax check, the reference for what is a valid pattern
  const unicode = flags.includes('u');
  const multiline = flags.includes('m');
  const tree = new Parser(source, unicode).parse();
  const size = sizeOf(tree, MAX_PROGRAM);
  if (size > MAX_PROGRAM)
    throw new RegexVmError(
      `the regular expression expands to more than ${MAX_PROGRAM} instructions (bounded repetitions are expanded)`,
    );
  const compiler = new Compiler(flags);
  compiler.node(tree);
  compiler.emit(MATCH);
  const op = Int32Array.from(compiler.op);
  const argA = Int32Array.from(compiler.a);
  const argB = Int32Array.from(compiler.b);
  const anchored = !multiline && anchoredAtStart(tree);
  // `$`, `\b` and `\B` look at the next character: it then becomes part of the DFA transition key.
  const contextual = compiler.op.some((o, pc) => o === ASSERT && compiler.a[pc] !== BOL);
  return new Matcher(source, flags, op, argA, argB, compiler.matchers, anchored, multiline, unicode, contextual);
}

/** Cached DFA states (sets of NFA positions) per matcher; past this many, the cache is emptied and rebuilt. */
const MAX_STATES = 1_000;

/** One lazily built DFA state: the ATOM instructions alive at a position, or a match. */
class DState {
  constructor(pcs, matched, dead, contexts) {
    this.pcs = pcs;
    this.matched = matched;
    /** A match, or no thread left and no new start (anchored): the answer is known. */
    this.final = matched || dead;
    /** Next state by ASCII code × context. */
    this.ascii = new Array(128 * contexts);
    /** Next state by other code × context. */
    this.other = new Map();
  }
}

/**
 * The search: a Pike VM (NFA state sets) whose transitions are memoised as a lazy DFA, so each text character
 * costs O(program) the first time a (state set, character) pair is met and O(1) afterwards. Assertions are decided
 * from the previous character (part of the transition) and a context of the next one (end, line terminator, word
 * character), part of the transition key when the program has `$`, `\b` or `\B`.
 */
class Matcher {
  constructor(source, flags, op, argA, argB, matchers, anchored, multiline, unicode, contextual) {
    this.source = source;
    this.flags = flags;
    this.size = op.length;
    this.op = op;
    this.argA = argA;
    this.argB = argB;
    this.matchers = matchers;
    this.anchored = anchored;
    this.multiline = multiline;
    this.unicode = unicode;
    this.contexts = contextual ? 8 : 1;
    this.isWordChar = atomMatcher('\\w', flags.replace(/m/g, ''));
    const length = op.length;
    this.list = new Int32Array(length);
    this.count = 0;
    this.mark = new Uint32Array(length);
    this.generation = 0;
    this.stack = new Int32Array(length * 2 + 2);
    this.matched = false;
    this.states = new Map();
    this.initial = new Array(this.contexts);
    this.test = this.test.bind(this);
  }

  /** Context bits of the next code (-1 at the end): 1 end, 2 line terminator, 4 word character. */
  context(cur) {
    if (this.contexts === 1) return 0;
    if (cur === -1) return 1;
    return (isLineTerminator(cur) ? 2 : 0) | (this.isWordChar(cur) ? 4 : 0);
  }

  /** Adds the ε-closure of `pc` to the list, deciding assertions between `prev` and `cur` (-1: none). */
  add(pc, prev, cur) {
    const { op, argA, argB, stack, mark, generation, list } = this;
    let top = 0;
    stack[top++] = pc;
    while (top > 0) {
      const p = stack[--top];
      if (mark[p] === generation) continue;
      mark[p] = generation;
      switch (op[p]) {
        case ATOM:
          list[this.count++] = p;
          break;
        case SPLIT:
          stack[top++] = argB[p];
          stack[top++] = argA[p];
          break;
        case JMP:
          stack[top++] = argA[p];
          break;
        case ASSERT: {
          let holds;
          switch (argA[p]) {
            case BOL:
              holds = prev === -1 || (this.multiline && isLineTerminator(prev));
              break;
            case EOL:
              holds = cur === -1 || (this.multiline && isLineTerminator(cur));
              break;
            default: {
              const boundary = (prev !== -1 && this.isWordChar(prev)) !== (cur !== -1 && this.isWordChar(cur));
              holds = argA[p] === WORD_BOUNDARY ? boundary : !boundary;
            }
          }
          if (holds) stack[top++] = p + 1;
          break;
        }
        case MATCH:
          this.matched = true;
          return;
      }
    }
  }

  begin() {
    if (this.generation === 0xffffffff) {
      this.mark.fill(0);
      this.generation = 0;
    }
    this.generation++;
    this.count = 0;
    this.matched = false;
  }

  /** The cached state for the current list. */
  intern() {
    if (this.matched) return MATCHED;
    const pcs = this.list.slice(0, this.count).sort();
    const key = pcs.join(',');
    let state = this.states.get(key);
    if (state === undefined) {
      if (this.states.size >= MAX_STATES) {
        this.states.clear();
        this.initial.fill(undefined);
      }
      state = new DState(pcs, false, pcs.length === 0 && this.anchored, this.contexts);
      this.states.set(key, state);
    }
    return state;
  }

  start(cur) {
    const ctx = this.context(cur);
    let state = this.initial[ctx];
    if (state === undefined) {
      this.begin();
      this.add(0, -1, cur);
      state = this.initial[ctx] = this.intern();
    }
    return state;
  }

  /** The state after consuming `c` from `state`, with `cur` the next code. */
  step(state, c, cur) {
    this.begin();
    const { argA, matchers } = this;
    const pcs = state.pcs;
    for (let k = 0; k < pcs.length; k++) {
      const p = pcs[k];
      if (matchers[argA[p]](c)) {
        this.add(p + 1, c, cur);
        if (this.matched) return MATCHED;
      }
    }
    if (!this.anchored) this.add(0, c, cur);
    return this.intern();
  }

  test(text) {
    if (typeof text !== 'string') text = String(text);
    const end = text.length;
    const unicode = this.unicode;
    const contexts = this.contexts;
    let i = 0;
    let cur = end === 0 ? -1 : codePointAt(text, 0, unicode);
    let state = this.start(cur);
    for (;;) {
      if (state.final) return state.matched;
      if (cur === -1) return false;
      const c = cur;
      i += c > 0xffff ? 2 : 1;
      cur = i >= end ? -1 : codePointAt(text, i, unicode);
      const k = c * contexts + (contexts === 1 ? 0 : this.context(cur));
      let next;
      if (c < 128) {
        next = state.ascii[k];
        if (next === undefined) next = state.ascii[k] = this.step(state, c, cur);
      } else {
        next = state.other.get(k);
        if (next === undefined) {
          next = this.step(state, c, cur);
          if (state.other.size < 1024) state.other.set(k, next);
        }
      }
      state = next;
    }
  }
}

/** The code point (with `u`) or code unit at `i < text.length`. */
function codePointAt(text, i, unicode) {
  const c = text.charCodeAt(i);
  if (unicode && c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

const MATCHED = new DState(new Int32Array(0), true, false, 1);
