/**
 * Decides whether a rule's regular expression is safe to run on V8's backtracking engine.
 *
 * A regex can only take exponential (or high-polynomial) time when the engine can split the same text between
 * repetitions in many ways. The safe subset accepted here rules that out by construction:
 * - no backreferences and no look-around (not regular; the spec's subset has neither);
 * - a repeated group (`(…)+`, `(…){2,}` …) whose body has variable length must start or end with a mandatory,
 *   fixed-length atom whose characters none of the body's variable parts can match (a delimiter, as in
 *   `(\d{1,3}\.){3}` or `(\w+\s)+`), and must not match the empty string: this rejects `(a+)+`, `(.*)*`, `(a*)*`,
 *   `(\w+\s?)+`, `(.*a){12}`;
 * - inside a repeated group, the branches of an alternation must start with disjoint characters: `(a|a)*`,
 *   `(a|ab)+` are rejected;
 * - two unbounded repetitions that can match the same characters must not be adjacent (`\d+\d+`, `.*\s*`), which
 *   would make every failed attempt quadratic.
 * - at most one unbounded repetition may be able to give characters back to something after it (`a.*b.*c` is
 *   cubic under search semantics: every start times every `b` times a scan).
 * What remains is at worst quadratic, as any `x.*y` is on V8 (≈0.1 s at 5,000 characters, ≈2.5 s at 30,000):
 * bounded, not a hang. Only a linear-time engine would remove that; rulec does not ship one.
 * A leading `.*` is redundant under search semantics and is removed first (`searchForm`), so `.*\\foo.*\.exe`
 * counts one repetition, not two. The analysis is conservative: some unambiguous patterns (such as `(a+b+)+`) are
 * rejected too.
 */

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
function overlaps(a: CharSet, b: CharSet): boolean {
  return (a.ascii & b.ascii) !== 0n || (a.other && b.other);
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

export type RegexVerdict = { readonly safe: true } | { readonly safe: false; readonly reason: string };

class Unsafe extends Error {}

/** Repetitions above this count are treated like unbounded ones. */
const SMALL_REPEAT = 16;

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
        minLen: Math.min(...infos.map((i) => i.minLen)),
        maxLen: Math.max(...infos.map((i) => i.maxLen)),
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

const fixed = (i: Info): boolean => i.minLen === i.maxLen;

function describe(node: Node): string {
  return node.t === 'repeat' ? 'a repeated group' : 'an alternation';
}

/** Throws Unsafe on the first construct outside the safe subset. */
function check(node: Node, underRepeat: boolean): void {
  switch (node.t) {
    case 'char':
    case 'assert':
      return;
    case 'seq':
      checkAdjacent(node.items);
      for (const item of node.items) check(item, underRepeat);
      return;
    case 'alt':
      if (underRepeat) {
        const firsts = node.branches.map((b) => info(b).first);
        for (let a = 0; a < firsts.length; a++)
          for (let b = a + 1; b < firsts.length; b++)
            if (overlaps(firsts[a]!, firsts[b]!))
              throw new Unsafe(`${describe(node)} inside a repetition has branches that can start alike`);
      }
      for (const branch of node.branches) check(branch, underRepeat);
      return;
    case 'repeat': {
      const body = info(node.body);
      if (node.max > 1 && !fixed(body)) {
        if (body.minLen === 0) throw new Unsafe('a repeated group can match the empty string');
        if (!delimited(node.body)) throw new Unsafe('nested repetition: a repeated group has a variable-length body');
      }
      check(node.body, underRepeat || node.max > 1);
      return;
    }
  }
}

/**
 * Whether a variable-length body cannot be split between repetitions in several ways: it is an alternation of
 * fixed-length branches (their first characters are checked to be disjoint), or a sequence that starts or ends
 * with a fixed atom none of its variable parts can match.
 */
function delimited(body: Node): boolean {
  if (body.t === 'alt') return body.branches.every((b) => fixed(info(b)));
  if (body.t !== 'seq') return false;
  const infos = body.items.map(info);
  let variable = NONE;
  infos.forEach((i) => {
    if (!fixed(i)) variable = union(variable, i.chars);
  });
  const isDelimiter = (i: Info | undefined): boolean =>
    i !== undefined && fixed(i) && i.minLen > 0 && !overlaps(i.chars, variable);
  return isDelimiter(infos[0]) || isDelimiter(infos[infos.length - 1]);
}

/** Two unbounded repetitions of overlapping characters with only optional items between them. */
function checkAdjacent(items: readonly Node[]): void {
  for (let a = 0; a < items.length; a++) {
    const x = items[a]!;
    if (x.t !== 'repeat' || x.max <= SMALL_REPEAT) continue;
    const xi = info(x);
    for (let b = a + 1; b < items.length; b++) {
      const y = items[b]!;
      const yi = info(y);
      if (y.t === 'repeat' && !fixed(yi) && overlaps(xi.chars, yi.chars))
        throw new Unsafe('adjacent repetitions can match the same characters');
      if (yi.minLen > 0) break;
    }
  }
}

/** Unbounded repetitions whose characters something later in the same sequence can also match. */
function countBacktrackers(node: Node): number {
  switch (node.t) {
    case 'char':
    case 'assert':
      return 0;
    case 'alt':
      return Math.max(0, ...node.branches.map(countBacktrackers));
    case 'repeat':
      return countBacktrackers(node.body);
    case 'seq': {
      let count = 0;
      const infos = node.items.map(info);
      node.items.forEach((item, i) => {
        count += countBacktrackers(item);
        if (item.t !== 'repeat' || item.max <= SMALL_REPEAT) return;
        const later = infos.slice(i + 1).reduce((set, x) => union(set, x.chars), NONE);
        if (overlaps(infos[i]!.chars, later)) count++;
      });
      return count;
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

/** The verdict for a pattern (source without delimiters, flags separate). */
export function regexSafety(source: string, flags: { readonly ignoreCase: boolean }): RegexVerdict {
  try {
    const tree = new Parser(searchForm(source), flags.ignoreCase).parse();
    check(tree, false);
    if (countBacktrackers(tree) > 1)
      throw new Unsafe('several unbounded repetitions can backtrack into what follows them (polynomial blow-up)');
    return { safe: true };
  } catch (error) {
    if (error instanceof Unsafe) return { safe: false, reason: error.message };
    throw error;
  }
}
