/**
 * Chooses the engine that runs a rule's regular expression in the generated module, so that no pattern can hang
 * the predicate.
 *
 * - V8's RegExp (fastest) only when backtracking is bounded by construction: every quantifier is bounded, except an
 *   unbounded repetition of one character (`\d+`, `.*`) as the very last item of a top-level alternative (once
 *   reached it succeeds, never backtracks), and the number of ways to split the text between bounded quantifiers
 *   and alternations (`paths`), times the longest match, is at most V8_BUDGET. The work per start position is then
 *   bounded by a constant, so the search is linear.
 * - Otherwise the runtime's linear-time engine (runtime/regex-vm.js, a Thompson NFA run as a Pike VM): `a.*b`,
 *   `(a+)+$`, `(.*a){20}` run in O(pattern × text) there, where V8 takes quadratic or exponential time.
 * - Refused (JS001) only when that engine cannot run the pattern: backreferences, look-around, or a program larger
 *   than MAX_PROGRAM instructions after expanding bounded repetitions.
 * A leading `.*` is redundant under search semantics and is removed first (`searchForm`), so `.*\\foo` runs on V8.
 */
import { compileRegexVm, RegexVmError } from './runtime/regex-vm.js';

/** Characters an atom can match: ASCII exactly (as a 128-bit set), everything else as one "other" bucket. */
interface CharSet {
  readonly ascii: bigint;
  readonly other: boolean;
}

const ALL_ASCII = (1n << 128n) - 1n;
const ALL: CharSet = { ascii: ALL_ASCII, other: true };
const NONE: CharSet = { ascii: 0n, other: false };

function union(a: CharSet, b: CharSet): CharSet {
  return { ascii: a.ascii | b.ascii, other: a.other || b.other };
}
function range(from: number, to: number): CharSet {
  let ascii = 0n;
  for (let c = from; c <= Math.min(to, 127); c++) ascii |= 1n << BigInt(c);
  return { ascii, other: to > 127 };
}
function chars(text: string): CharSet {
  let set = NONE;
  for (const ch of text) set = union(set, range(ch.codePointAt(0)!, ch.codePointAt(0)!));
  return set;
}
function complement(set: CharSet): CharSet {
  return { ascii: ALL_ASCII & ~set.ascii, other: true };
}
/** Adds the other case of ASCII letters (for the `i` flag). */
function caseFold(set: CharSet): CharSet {
  const upper = (set.ascii >> 65n) & ((1n << 26n) - 1n);
  const lowerBits = (set.ascii >> 97n) & ((1n << 26n) - 1n);
  // Non-ASCII letters fold onto ASCII (Kelvin sign, long s) under `iu`: an "other" set may then meet k and s.
  const extra = set.other ? chars('ksKS').ascii : 0n;
  return { ascii: set.ascii | (upper << 97n) | (lowerBits << 65n) | extra, other: set.other };
}

const DIGIT = range(48, 57);
const WORD = union(union(union(range(65, 90), range(97, 122)), DIGIT), chars('_'));
// \s includes non-ASCII spaces.
const SPACE = { ...chars(' \t\n\r\v\f'), other: true };

type Node =
  | { readonly t: 'char'; readonly set: CharSet }
  | { readonly t: 'assert' }
  | { readonly t: 'seq'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly branches: readonly Node[] }
  | { readonly t: 'repeat'; readonly body: Node; readonly min: number; readonly max: number };

export type RegexEngine = 'v8' | 'vm';

export type RegexVerdict =
  { readonly safe: true; readonly engine: RegexEngine } | { readonly safe: false; readonly reason: string };

export interface RegexFlags {
  readonly ignoreCase: boolean;
  readonly multiline?: boolean;
  readonly dotAll?: boolean;
  /** Whether the module compiles the pattern with `u` (default true). */
  readonly unicode?: boolean;
}

class Unsafe extends Error {}

/** Largest backtracking work per start position (paths × longest match) left to V8. */
export const V8_BUDGET = 10_000;

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.i < this.src.length) throw new Unsafe(`unexpected '${this.src[this.i]}' at ${this.i}`);
    return node;
  }

  private peek(): string | undefined {
    return this.src[this.i];
  }

  private alternation(): Node {
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.i++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { t: 'alt', branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (let c = this.peek(); c !== undefined && c !== '|' && c !== ')'; c = this.peek()) {
      items.push(this.quantified(this.atom()));
    }
    return items.length === 1 ? items[0]! : { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    let min: number;
    let max: number;
    const c = this.peek();
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (m === null) return atom; // a literal `{` (legacy syntax); the atom parser reads it next
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      this.i += m[0].length - 1;
    } else return atom;
    this.i++;
    if (this.peek() === '?') this.i++; // lazy: same ambiguity, same verdict
    if (atom.t === 'assert') return atom;
    return this.quantified({ t: 'repeat', body: atom, min, max });
  }

  private atom(): Node {
    const c = this.src[this.i++]!;
    switch (c) {
      case '^':
      case '$':
        return { t: 'assert' };
      case '.':
        return { t: 'char', set: ALL };
      case '[':
        return { t: 'char', set: this.fold(this.charClass()) };
      case '(':
        return this.group();
      case '\\':
        return this.escape();
      default:
        return { t: 'char', set: this.fold(chars(c + (/[\ud800-\udbff]/.test(c) ? (this.src[this.i++] ?? '') : ''))) };
    }
  }

  private fold(set: CharSet): CharSet {
    return this.ignoreCase ? caseFold(set) : set;
  }

  private group(): Node {
    if (this.src.startsWith('?=', this.i) || this.src.startsWith('?!', this.i))
      throw new Unsafe('look-ahead is not in the safe subset');
    if (this.src.startsWith('?<=', this.i) || this.src.startsWith('?<!', this.i))
      throw new Unsafe('look-behind is not in the safe subset');
    if (this.src.startsWith('?:', this.i)) this.i += 2;
    else if (this.src.startsWith('?<', this.i)) {
      const end = this.src.indexOf('>', this.i);
      if (end < 0) throw new Unsafe('unterminated group name');
      this.i = end + 1;
    } else if (this.peek() === '?') throw new Unsafe(`unsupported group '(?${this.src[this.i + 1] ?? ''}'`);
    const body = this.alternation();
    if (this.src[this.i++] !== ')') throw new Unsafe('unterminated group');
    return body;
  }

  private escape(): Node {
    const c = this.src[this.i++];
    if (c === undefined) throw new Unsafe('trailing backslash');
    if (/[1-9]/.test(c) || (c === 'k' && this.peek() === '<'))
      throw new Unsafe('backreferences are not in the safe subset');
    if (c === 'b' || c === 'B') return { t: 'assert' };
    return { t: 'char', set: this.fold(this.escapeSet(c)) };
  }

  /** The set of one escape (outside or inside a class), after the backslash and its letter were consumed. */
  private escapeSet(c: string): CharSet {
    switch (c) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      case 'n':
        return chars('\n');
      case 'r':
        return chars('\r');
      case 't':
        return chars('\t');
      case 'v':
        return chars('\v');
      case 'f':
        return chars('\f');
      case '0':
        return chars('\0');
      case 'p':
      case 'P': {
        const m = /^\{[^}]*\}/.exec(this.src.slice(this.i));
        if (m) this.i += m[0].length;
        return ALL;
      }
      case 'c': {
        const letter = this.src[this.i];
        if (letter !== undefined && /[A-Za-z]/.test(letter)) {
          this.i++;
          return range(letter.charCodeAt(0) % 32, letter.charCodeAt(0) % 32);
        }
        return chars('\\c');
      }
      case 'x': {
        const m = /^[0-9A-Fa-f]{2}/.exec(this.src.slice(this.i));
        if (!m) return chars('x');
        this.i += 2;
        const code = parseInt(m[0], 16);
        return range(code, code);
      }
      case 'u': {
        const m = /^(?:[0-9A-Fa-f]{4}|\{[0-9A-Fa-f]+\})/.exec(this.src.slice(this.i));
        if (!m) return chars('u');
        this.i += m[0].length;
        const code = parseInt(m[0].replace(/[{}]/g, ''), 16);
        return range(code, code);
      }
      default:
        return chars(c);
    }
  }

  private charClass(): CharSet {
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.i++;
    }
    let set = NONE;
    let first = true;
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) throw new Unsafe('unterminated character class');
      if (c === ']' && !first) break;
      first = false;
      const low = this.classAtom();
      if (this.peek() === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        this.i++;
        const high = this.classAtom();
        const from = lowestCode(low);
        const to = highestCode(high);
        set = union(set, from !== undefined && to !== undefined && from <= to ? range(from, to) : union(low, high));
      } else set = union(set, low);
    }
    this.i++;
    return negated ? complement(set) : set;
  }

  private classAtom(): CharSet {
    const c = this.src[this.i++]!;
    if (c !== '\\') return chars(c);
    const e = this.src[this.i++];
    if (e === undefined) throw new Unsafe('trailing backslash');
    if (e === 'b') return chars('\b');
    return this.escapeSet(e);
  }
}

/** Code point of a one-character set (for class ranges), else undefined. */
function lowestCode(set: CharSet): number | undefined {
  for (let c = 0; c < 128; c++) if ((set.ascii >> BigInt(c)) & 1n) return c;
  return set.other ? 0x10ffff : undefined;
}
function highestCode(set: CharSet): number | undefined {
  if (set.other) return 0x10ffff;
  for (let c = 127; c >= 0; c--) if ((set.ascii >> BigInt(c)) & 1n) return c;
  return undefined;
}

interface Info {
  readonly minLen: number;
  readonly maxLen: number;
  /** Every character the node can consume. */
  readonly chars: CharSet;
  /** Characters that can start a non-empty match. */
  readonly first: CharSet;
}

function info(node: Node): Info {
  switch (node.t) {
    case 'char':
      return { minLen: 1, maxLen: 1, chars: node.set, first: node.set };
    case 'assert':
      return { minLen: 0, maxLen: 0, chars: NONE, first: NONE };
    case 'seq': {
      let minLen = 0;
      let maxLen = 0;
      let all = NONE;
      let first = NONE;
      let open = true;
      for (const item of node.items) {
        const i = info(item);
        minLen += i.minLen;
        maxLen += i.maxLen;
        all = union(all, i.chars);
        if (open) first = union(first, i.first);
        if (i.minLen > 0) open = false;
      }
      return { minLen, maxLen, chars: all, first };
    }
    case 'alt': {
      const infos = node.branches.map(info);
      return {
        // reduce, not Math.min(...): a regex can hold more alternatives than a call can take arguments.
        minLen: infos.reduce((m, i) => Math.min(m, i.minLen), Infinity),
        maxLen: infos.reduce((m, i) => Math.max(m, i.maxLen), -Infinity),
        chars: infos.reduce((s, i) => union(s, i.chars), NONE),
        first: infos.reduce((s, i) => union(s, i.first), NONE),
      };
    }
    case 'repeat': {
      const i = info(node.body);
      return { minLen: i.minLen * node.min, maxLen: i.maxLen * node.max, chars: i.chars, first: i.first };
    }
  }
}

const LEADING_ANY_RUN = /^(?:\.\*\??)+/;

/**
 * The pattern with a leading `.*` (or `.*?`) removed when that keeps its meaning: `test` searches, and `.*` may
 * match the empty string, so `/.*x/` and `/x/` accept the same texts. Not done when the top level is an alternation
 * (the `.*` belongs to the first branch only) or when the rest starts with a quantifier.
 */
export function searchForm(source: string): string {
  const m = LEADING_ANY_RUN.exec(source);
  if (m === null) return source;
  const rest = source.slice(m[0].length);
  if (/^[*+?{]/.test(rest)) return source;
  try {
    if (new Parser(source, false).parse().t === 'alt') return source;
  } catch {
    return source;
  }
  return rest;
}

/** The flag letters of the generated module for these flags. */
export function flagLetters(flags: RegexFlags): string {
  const letters = `${flags.ignoreCase ? 'i' : ''}${flags.multiline ? 'm' : ''}${flags.dotAll ? 's' : ''}`;
  return flags.unicode === false ? letters : `${letters}u`;
}

/** Flattens nested sequences (groups are not nodes of the tree). */
function items(node: Node): Node[] {
  return node.t === 'seq' ? node.items.flatMap(items) : [node];
}

/** Number of ways a backtracking matcher can try `node` at one position (Infinity when input-dependent). */
function paths(node: Node): number {
  switch (node.t) {
    case 'char':
    case 'assert':
      return 1;
    case 'seq':
      return node.items.reduce((p, item) => p * paths(item), 1);
    case 'alt':
      return node.branches.reduce((p, branch) => p + paths(branch), 0);
    case 'repeat':
      if (node.max === Infinity) return Infinity;
      return paths(node.body) ** node.max * (node.max - node.min + 1);
  }
}

const isTrailingRun = (node: Node | undefined): boolean =>
  node !== undefined && node.t === 'repeat' && node.max === Infinity && node.body.t === 'char';

/**
 * Whether V8's backtracking search is linear by construction (see the module comment): bounded quantifiers only,
 * but for a one-character run ending a top-level alternative, within V8_BUDGET.
 */
export function linearOnV8(source: string): boolean {
  let tree: Node;
  try {
    tree = new Parser(source, false).parse();
  } catch {
    return false;
  }
  const branches = tree.t === 'alt' ? tree.branches : [tree];
  let total = 0;
  for (const branch of branches) {
    const list = items(branch);
    if (isTrailingRun(list[list.length - 1])) list.pop();
    const seq: Node = { t: 'seq', items: list };
    total += paths(seq) * Math.max(1, info(seq).maxLen + 1);
    if (!(total <= V8_BUDGET)) return false;
  }
  return true;
}

/**
 * The engine for a pattern (source without delimiters): V8 when linear there, else the linear-time engine, else a
 * refusal with the reason. The module runs `searchForm(source)`, the form judged here.
 */
export function regexSafety(source: string, flags: RegexFlags): RegexVerdict {
  const form = searchForm(source);
  if (linearOnV8(form)) return { safe: true, engine: 'v8' };
  try {
    compileRegexVm(form, flagLetters(flags));
    return { safe: true, engine: 'vm' };
  } catch (error) {
    if (error instanceof RegexVmError) return { safe: false, reason: error.message };
    // Not a valid pattern: neither engine can run it.
    return { safe: false, reason: (error as Error).message };
  }
}
