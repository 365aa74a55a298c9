/**
 * Witnesses: for a rule, field/key pairs of which any matching event must hold at least one. Found from the
 * IR: an exact string or number match is its own witness; an AND needs only one child's witness (the most
 * selective); an OR needs one from every child, whatever their fields (`Image|endswith '\\x.exe'` OR
 * `OriginalFileName: x.exe` is indexed under both fields). A rule without a witness is evaluated on every event.
 *
 * Values are compared as index keys (`valueKeys`): lower-cased text, plus the canonical decimal form of numeric
 * text, so the index never excludes an event the predicate would match (case-insensitive equality, number/string
 * equality of docs/reference/matching.md §2 and §7).
 */
import type { IrNode } from '../ir/nodes.js';
import { patternShape } from '../ir/pattern.js';

/**
 * How an event value becomes keys:
 * - `exact`: the whole value;
 * - `basename`: the part after the last backslash, for `endswith '…\\name'` tests on Windows paths (a value ends
 *   with `…\\name`, `name` free of backslashes, only when its last backslash-separated segment is `name`);
 * - `gram`: every run of n consecutive UTF-16 units of the lower-cased value, for each n of GRAM_LENGTHS, and every
 *   single non-ASCII unit of it, for `contains`, `startswith`, `endswith` and wildcard tests: a value holding a
 *   needle holds each of the needle's grams and units, so one of them (the rarest-looking) is a witness. Long grams
 *   are the most selective (a needle's 8 units rarely occur by chance), short ones let short needles (`^^`, `-nop`,
 *   ` /c`) be indexed rather than evaluated on every event; single non-ASCII units index an emoji, a Cyrillic
 *   homoglyph or U+202E: such characters are rare in logs.
 *
 * The event side always lower-cases a whole string with `toLowerCase()` first, exactly as the predicate does, so a
 * key taken from the predicate's own lower-cased needle is found whenever the predicate can match.
 */
export type KeyKind = 'exact' | 'basename' | 'gram';

/**
 * Gram lengths in UTF-16 code units, longest first: needles shorter than the last give no gram witness. At most 8
 * (`gramCode` packs the low bytes of 8 units into two 32-bit words).
 */
export const GRAM_LENGTHS: readonly number[] = [8, 4, 3, 2];

export interface WitnessTerm {
  readonly field: string;
  readonly kind: KeyKind;
  readonly keys: readonly string[];
}

/** A disjunction: a matching event holds one of the keys in one of the fields. */
export type Witness = readonly WitnessTerm[];

/**
 * Fields whose values are shared by many events (routing fields, outcomes): a witness on them excludes little, so
 * another conjunct is preferred when there is one.
 */
const BROAD_FIELDS: ReadonlySet<string> = new Set([
  'EventID',
  'Channel',
  'Provider_Name',
  'EventType',
  'Level',
  'Task',
  'Opcode',
  'Workload',
  'RecordType',
  'ResultStatus',
  'UserType',
  'LogonType',
  'Initiated',
  'Protocol',
  'DestinationPort',
  'State',
]);

const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * The canonical decimal key `textKeys` adds for numeric text, or undefined (not numeric, or equal to `lower`, the
 * lower-cased text). A cheap first-character test skips the regular expression for most values.
 */
export function numericKey(text: string, lower: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  const c = trimmed.charCodeAt(0);
  if (c !== 0x2d && (c < 0x30 || c > 0x39)) return undefined;
  if (!DECIMAL.test(trimmed)) return undefined;
  const canonical = String(Number(trimmed));
  return canonical === lower ? undefined : canonical;
}

/** Index keys of a rule's exact text. */
export function textKeys(text: string): string[] {
  const lower = text.toLowerCase();
  const trimmed = text.trim();
  if (DECIMAL.test(trimmed)) {
    const canonical = String(Number(trimmed));
    if (canonical !== lower) return [lower, canonical];
  }
  return [lower];
}

export function findWitness(node: IrNode): Witness | undefined {
  switch (node.kind) {
    case 'stringMatch':
      return stringWitness(node.field, node.pattern, node.cased);
    case 'regexMatch': {
      const key = bestKey(regexLiterals(node.source, node.flags.ignoreCase, true), true);
      return key === undefined ? undefined : [{ field: node.field, kind: 'gram', keys: [key] }];
    }
    case 'numberMatch':
      return Number.isFinite(node.value)
        ? [{ field: node.field, kind: 'exact', keys: [String(node.value)] }]
        : undefined;
    case 'const':
      // Never true: an empty disjunction, no event is a candidate.
      return node.value ? undefined : [];
    case 'and': {
      let best: Witness | undefined;
      let bestCost = Infinity;
      for (const child of node.children) {
        const w = findWitness(child);
        if (w === undefined) continue;
        const c = cost(w);
        if (c < bestCost) {
          best = w;
          bestCost = c;
        }
      }
      return best;
    }
    case 'or': {
      const terms: WitnessTerm[] = [];
      for (const child of node.children) {
        const w = findWitness(child);
        if (w === undefined) return undefined;
        terms.push(...w);
      }
      return mergeTerms(terms);
    }
    default:
      return undefined;
  }
}

/** Most clauses `findClauses` gives a rule (the router keeps which ones an event holds in a byte per rule). */
export const MAX_CLAUSES = 4;

/**
 * Witnesses of several conjuncts of the rule, a conjunction of disjunctions: a matching event satisfies every
 * conjunct, so it holds a key of every clause, and the router evaluates a rule only for events that hold a key of
 * each (`Image|endswith '\\regsvr32.exe'` and a command-line gram, not either). The first clause is
 * `findWitness(node)`, the rule's sharpest; the others follow cheapest first, up to MAX_CLAUSES, and only exact and
 * basename ones: one lookup per field value finds their keys, where a further gram clause would add grams every
 * position of a command line is looked up for. Undefined: no witness (the rule is evaluated on every event); a
 * clause `[]`: never true.
 */
export function findClauses(node: IrNode): Witness[] | undefined {
  const found: { witness: Witness; cost: number }[] = [];
  for (const conjunct of conjuncts(node)) {
    const witness = findWitness(conjunct);
    if (witness !== undefined) found.push({ witness, cost: cost(witness) });
  }
  if (found.length === 0) return undefined;
  // Stable: among equal costs the first conjunct wins, as in findWitness's AND.
  found.sort((x, y) => x.cost - y.cost);
  const clauses = [found[0]!.witness];
  for (let k = 1; k < found.length && clauses.length < MAX_CLAUSES; k++) {
    const { witness, cost } = found[k]!;
    if (cost < SHARP_COST && witness.every((term) => term.kind !== 'gram')) clauses.push(witness);
  }
  return clauses;
}

/** A further clause this costly (a broad field, a common value) excludes too little for its longer lists. */
const SHARP_COST = 1000;

/** The children of nested ANDs, depth first; any other node is its own one conjunct. */
function conjuncts(node: IrNode): IrNode[] {
  return node.kind === 'and' ? node.children.flatMap(conjuncts) : [node];
}

/** Printable ASCII: case-sensitive needles give gram and basename keys only from such text (see below). */
const ASCII = /^[\x20-\x7e]*$/;

function stringWitness(
  field: string,
  pattern: Parameters<typeof patternShape>[0],
  cased: boolean,
): Witness | undefined {
  const shape = patternShape(pattern);
  if (shape.kind === 'exact') return [{ field, kind: 'exact', keys: textKeys(shape.text) }];
  if (shape.kind === 'any') return undefined;
  // The predicate compares `toLowerCase(value)` with the lower-cased needle (case-insensitive tests), or the raw
  // value with the raw needle (cased ones). Lower-casing maps ASCII characters one to one whatever surrounds
  // them, so for a cased test an ASCII run of the needle, lower-cased, is also in the lower-cased value.
  if (shape.kind === 'suffix') {
    const cut = shape.text.lastIndexOf('\\');
    const folded = shape.text.toLowerCase();
    const name = folded.slice(folded.lastIndexOf('\\') + 1);
    if (cut >= 0 && name.length > 0 && (!cased || ASCII.test(shape.text))) {
      return [{ field, kind: 'basename', keys: [name] }];
    }
  }
  const texts = pattern.parts.flatMap((part) => (part.kind === 'literal' ? [part.text] : []));
  const best = bestKey(texts, cased);
  return best === undefined ? undefined : [{ field, kind: 'gram', keys: [best] }];
}

/**
 * The cheapest gram (or non-ASCII unit) key of texts a matching value must contain: folded texts (the predicate
 * lower-cases value and needle) give any of theirs; cased texts only ASCII grams (see stringWitness).
 */
function bestKey(texts: readonly string[], cased: boolean): string | undefined {
  let best: string | undefined;
  let bestCost = Infinity;
  for (const raw of texts) {
    const text = cased ? raw : raw.toLowerCase();
    // A non-ASCII unit of a cased needle need not survive lower-casing of the value: only folded needles.
    if (!cased) {
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) >= 0x80 && UNIT_COST < bestCost) {
          best = text[i];
          bestCost = UNIT_COST;
        }
      }
    }
    const counts = asciiCounts(text);
    for (const length of GRAM_LENGTHS) {
      const [base, perFrequent] = GRAM_COSTS[length] ?? [4, 1];
      for (let i = 0; i + length <= text.length; i++) {
        // An ASCII gram costs its frequent characters' price or COMMON_COST (gramCost), so one that cannot beat
        // the best so far is skipped without slicing it and looking it up: the same choice, found faster (the
        // needle lists of the corpus have tens of thousands of grams).
        if (counts.nonAscii[i + length] === counts.nonAscii[i]) {
          const plain = base + perFrequent * (counts.frequent[i + length]! - counts.frequent[i]!);
          if (Math.min(plain, COMMON_COST) >= bestCost) continue;
        }
        const gram = text.slice(i, i + length);
        if (cased && !ASCII.test(gram)) continue;
        const key = gram.toLowerCase();
        const c = gramCost(key);
        if (c < bestCost) {
          best = key;
          bestCost = c;
        }
      }
    }
  }
  return best;
}

/** Running counts over a text: units of 0x80 and above, and ASCII units frequent once lower-cased (FREQUENT_CHARS). */
function asciiCounts(text: string): { nonAscii: Int32Array; frequent: Int32Array } {
  const nonAscii = new Int32Array(text.length + 1);
  const frequent = new Int32Array(text.length + 1);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    nonAscii[i + 1] = nonAscii[i]! + (c >= 0x80 ? 1 : 0);
    frequent[i + 1] = frequent[i]! + (c < 0x80 && FREQUENT_CODES[c | (c >= 0x41 && c <= 0x5a ? 0x20 : 0)] ? 1 : 0);
  }
  return { nonAscii, frequent };
}

/**
 * Literal runs every match of a regular expression contains, as case-sensitive ASCII text (to be keyed with
 * `bestKey(…, cased = true)`). Deliberately narrow: nothing when the pattern has a top-level `|`; groups,
 * classes, escapes of letters and digits, `.`, anchors and braces end a run; an atom followed by `?`, `*` or
 * `{0` is dropped, one followed by `+` or `{n` ends the run after it. With `ignoreCase` a letter matches both
 * ASCII cases (lower-casing the value then gives the lower-case letter) except `k` and `s`, which also match
 * U+212A and U+017F under the unicode flag: those end a run too. Non-ASCII characters end a run. With `folded` the
 * runs are for the lower-cased value (the index's keys): a class of one letter in both cases (`[Rr]`) then counts
 * as that letter.
 */
export function regexLiterals(source: string, ignoreCase: boolean, folded = false): string[] {
  const runs: string[] = [];
  let run = '';
  const flush = (): void => {
    if (run.length > 0) runs.push(run);
    run = '';
  };
  const skipBracketed = (i: number, open: string, close: string): number => {
    // Index after the matching close, nested for groups, escapes and classes inside skipped.
    let depth = 0;
    for (let j = i; j < source.length; j++) {
      const c = source[j]!;
      if (c === '\\') j++;
      else if (open === '(' && c === '[') j = skipBracketed(j, '[', ']') - 1;
      else if (c === open && (open === '(' || j === i)) depth++;
      else if (c === close && --depth === 0) return j + 1;
    }
    return -1;
  };
  // Top-level alternation: a match need not contain any one branch's text.
  for (let i = 0, depth = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') i++;
    else if (c === '[') {
      const end = skipBracketed(i, '[', ']');
      if (end < 0) return [];
      i = end - 1;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) return [];
  }
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let atom: string | undefined;
    let next = i + 1;
    if (c === '\\') {
      const e = source[i + 1];
      if (e === undefined) return [];
      next = i + 2;
      if (!/[A-Za-z0-9]/.test(e)) atom = e;
    } else if (c === '(' || c === '[') {
      next = skipBracketed(i, c, c === '(' ? ')' : ']');
      if (next < 0) return [];
      if (c === '[' && folded) atom = caseClass(source.slice(i + 1, next - 1));
    } else if (!'.^$|{}()[]*+?'.includes(c)) {
      atom = c;
    }
    // A quantifier after the atom (or group): optional atoms drop out, repeated ones end the run.
    const q = source[next];
    let optional = false;
    let repeated = false;
    if (q === '?' || q === '*') optional = true;
    else if (q === '+') repeated = true;
    else if (q === '{') {
      if (/^\{0*[,}]|^\{0+,/.test(source.slice(next)) || /^\{0+\}/.test(source.slice(next))) optional = true;
      else repeated = true;
    }
    const usable =
      atom !== undefined &&
      !optional &&
      atom.charCodeAt(0) >= 0x20 &&
      atom.charCodeAt(0) < 0x7f &&
      !(ignoreCase && /[ks]/i.test(atom));
    if (usable) run += atom;
    else flush();
    if (repeated) flush();
    // Past the quantifier and its lazy mark.
    if (q === '?' || q === '*' || q === '+') next++;
    else if (q === '{') {
      const close = source.indexOf('}', next);
      if (close < 0) return [];
      next = close + 1;
    }
    if ((optional || repeated) && source[next] === '?') next++;
    i = next;
  }
  flush();
  return runs;
}

/**
 * The letter a class of one ASCII letter in both cases stands for (`[Rr]`, `[eE]`), lower-cased: whichever case the
 * value holds, its lower-cased text holds the lower-case letter. Anything else: undefined (the class ends a run).
 */
function caseClass(body: string): string | undefined {
  if (!/^[A-Za-z]{2}$/.test(body)) return undefined;
  const lower = body.toLowerCase();
  return lower[0] === lower[1] && body[0] !== body[1] ? lower[0] : undefined;
}

/**
 * Text common in Windows events: grams of it let many events through, so a needle's other grams are preferred.
 * Only a heuristic for selectivity; soundness never depends on it.
 */
const COMMON_TEXT = [
  'c:\\windows\\system32\\',
  'c:\\windows\\syswow64\\',
  'c:\\program files (x86)\\',
  'c:\\programdata\\',
  'c:\\users\\public\\',
  '\\appdata\\local\\temp\\',
  '\\appdata\\roaming\\',
  'hklm\\software\\microsoft\\windows\\currentversion\\',
  'hkcu\\software\\classes\\',
  'hklm\\system\\currentcontrolset\\services\\',
  '\\registry\\machine\\',
  'microsoft corporation',
  'windows powershell',
  'powershell.exe -command ',
  'cmd.exe /c ',
  'rundll32.exe',
  'svchost.exe -k ',
  '.exe" ',
  '.dll,',
  'http://',
  'https://',
  'administrator',
  'sha256=',
  'sha1=',
  'md5=',
  'imphash=',
  ',sha',
  '.exe',
  '.dll',
  'system32',
];
const COMMON_GRAMS: ReadonlySet<string> = new Set(
  COMMON_TEXT.flatMap((t) =>
    GRAM_LENGTHS.flatMap((n) => Array.from({ length: Math.max(0, t.length - n + 1) }, (_, i) => t.slice(i, i + n))),
  ),
);
const FREQUENT_CHARS = new Set(' etaoinsrlcdhm.\\/-:"_');
/** FREQUENT_CHARS by code unit. */
const FREQUENT_CODES = new Uint8Array(0x80);
for (const ch of FREQUENT_CHARS) FREQUENT_CODES[ch.charCodeAt(0)] = 1;
/** What a gram of COMMON_TEXT costs. */
const COMMON_COST = 40;

/** A single non-ASCII unit: rare in logs, but one key covers every needle holding it. */
const UNIT_COST = 6;

const gramCosts = new Map<string, number>();

export function gramCost(gram: string): number {
  let c = gramCosts.get(gram);
  if (c === undefined) gramCosts.set(gram, (c = computeGramCost(gram)));
  return c;
}

/**
 * By gram length: the cost of a gram of rare characters, and what each frequent character adds. A longer gram
 * occurs by chance far less often, so its frequent characters weigh less; an 8-gram made only of frequent
 * characters still beats most 4-grams, a 2-gram is the last resort before no witness.
 */
const GRAM_COSTS: Readonly<Record<number, readonly [base: number, perFrequent: number]>> = {
  8: [1, 0.25],
  4: [4, 1],
  3: [8, 2],
  2: [24, 4],
};

function computeGramCost(gram: string): number {
  if (gram.length === 1) return UNIT_COST;
  if (COMMON_GRAMS.has(gram)) return COMMON_COST;
  const [base, perFrequent] = GRAM_COSTS[gram.length] ?? [4, 1];
  let c = base;
  for (const ch of gram) if (FREQUENT_CHARS.has(ch)) c += perFrequent;
  return c;
}

/**
 * Program names that start a large share of all processes on Windows hosts (shells, script hosts, service and
 * browser processes, the commonest admin tools): a rule keyed on one of them is a candidate for a large share of
 * process events, so a conjunct keyed on anything else (a command-line gram) is preferred. A heuristic like
 * COMMON_TEXT; soundness never depends on it.
 */
const COMMON_IMAGES: ReadonlySet<string> = new Set([
  'cmd.exe',
  'powershell.exe',
  'pwsh.exe',
  'powershell_ise.exe',
  'conhost.exe',
  'svchost.exe',
  'rundll32.exe',
  'regsvr32.exe',
  'msiexec.exe',
  'explorer.exe',
  'dllhost.exe',
  'wmiprvse.exe',
  'taskhostw.exe',
  'wscript.exe',
  'cscript.exe',
  'mshta.exe',
  'reg.exe',
  'net.exe',
  'net1.exe',
  'sc.exe',
  'schtasks.exe',
  'wmic.exe',
  'chrome.exe',
  'msedge.exe',
  'firefox.exe',
  'winword.exe',
  'excel.exe',
  'outlook.exe',
  'werfault.exe',
  'services.exe',
  'lsass.exe',
]);

/**
 * Values a large share of events hold in some field (integrity levels, `true`, the commonest vendor): an exact key
 * on one of them excludes as little as a broad field. A heuristic like COMMON_TEXT.
 */
const COMMON_VALUES: ReadonlySet<string> = new Set([
  'true',
  'false',
  'low',
  'medium',
  'high',
  'system',
  's-1-16-4096',
  's-1-16-8192',
  's-1-16-12288',
  's-1-16-16384',
  'microsoft corporation',
  'microsoft windows',
]);

/** Cost of an exact or basename key: a common program name lets as many events through as a common gram. */
function keyCost(key: string): number {
  return COMMON_VALUES.has(key) ? 1000 : COMMON_IMAGES.has(key) ? 40 : 1;
}

/**
 * Ports most connections go to (web, DNS, SMB, RDP, Kerberos, LDAP, WinRM, SSH): a rule's key on one of them lets
 * through as much as a broad field. Other ports (the malware callback lists, 8080, SMTP) are rare, so a list of
 * them is sharper than `Initiated: 'true'`, which every outbound connection holds. A heuristic like COMMON_TEXT.
 */
const COMMON_PORTS: ReadonlySet<string> = new Set(
  '20 21 22 23 53 80 88 123 135 137 138 139 389 443 445 636 1433 3268 3389 5985 5986 8443'.split(' '),
);

function portCost(key: string): number {
  return COMMON_PORTS.has(key) ? 1000 : 1;
}

/** Rough count of candidates a witness lets through: broad fields count as many keys, grams as several. */
function cost(w: Witness): number {
  let total = 0;
  for (const term of w) {
    if (term.kind === 'gram') for (const key of term.keys) total += gramCost(key);
    else if (term.field === 'DestinationPort') for (const key of term.keys) total += portCost(key);
    else if (BROAD_FIELDS.has(term.field)) total += 1000 + term.keys.length;
    else for (const key of term.keys) total += keyCost(key);
  }
  return total;
}

/** One term per field and key kind, keys deduplicated, in first-seen order. */
function mergeTerms(terms: readonly WitnessTerm[]): Witness {
  const merged = new Map<string, { field: string; kind: KeyKind; keys: Set<string> }>();
  for (const term of terms) {
    const id = `${term.kind}\u0000${term.field}`;
    let entry = merged.get(id);
    if (!entry) merged.set(id, (entry = { field: term.field, kind: term.kind, keys: new Set() }));
    for (const key of term.keys) entry.keys.add(key);
  }
  return [...merged.values()].map(({ field, kind, keys }) => ({ field, kind, keys: [...keys] }));
}

/** What an event's field value means for the index. */
export type FieldKeys =
  /** The value's keys (empty: missing, null, or nothing indexable). */
  | readonly string[]
  /** Objects and nested lists: the predicate may look inside, so every rule indexed on the field is a candidate. */
  | 'unknown';

/** Index keys of an event value for an exact or basename key kind (gram keys: `gramTexts`). */
export function eventKeys(value: unknown, kind: KeyKind): FieldKeys {
  return kind === 'exact' ? valueKeys(value) : kind === 'basename' ? basenameKeys(value) : gramTexts(value);
}

/**
 * The lower-cased segment after the last backslash of each string; nothing for values without one. The whole
 * string is lower-cased first, as the predicate does, then cut.
 */
export function basenameKeys(value: unknown): FieldKeys {
  if (typeof value === 'string') {
    if (value.lastIndexOf('\\') < 0) return [];
    const folded = value.toLowerCase();
    return [folded.slice(folded.lastIndexOf('\\') + 1)];
  }
  if (typeof value !== 'object' || value === null) return [];
  if (!Array.isArray(value)) return 'unknown';
  const keys: string[] = [];
  for (const item of value) {
    if (typeof item === 'object' && item !== null) return 'unknown';
    const k = basenameKeys(item);
    if (k === 'unknown') return k;
    keys.push(...k);
  }
  return keys;
}

/**
 * The texts a string test sees in a value, as the predicate sees them: strings lower-cased, finite numbers as
 * their decimal text, booleans as `true`/`false`, any element of a list; objects are 'unknown' (the predicate
 * searches every string inside them).
 */
export function gramTexts(value: unknown): FieldKeys {
  switch (typeof value) {
    case 'string':
      return value.length === 0 ? [] : [value.toLowerCase()];
    case 'number':
      return Number.isFinite(value) ? [String(value)] : [];
    case 'boolean':
      return [value ? 'true' : 'false'];
    case 'object': {
      if (value === null) return [];
      if (!Array.isArray(value)) return 'unknown';
      const texts: string[] = [];
      for (const item of value) {
        if (typeof item === 'object' && item !== null) return 'unknown';
        const t = gramTexts(item);
        if (t === 'unknown') return t;
        texts.push(...t);
      }
      return texts;
    }
    default:
      return [];
  }
}

/**
 * A gram as a 32-bit number: the low byte of each of its code units, the first ones mixed in for grams longer than 4.
 * Equal grams give equal codes; distinct grams may collide, which only adds candidates. The router rolls the same
 * code along a text (`gramCodeOf`).
 */
export function gramCode(gram: string): number {
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < gram.length; i++) {
    hi = (hi << 8) | (lo >>> 24);
    lo = (lo << 8) | (gram.charCodeAt(i) & 0xff);
  }
  return gramCodeOf(hi, lo, gram.length) >>> 0;
}

/**
 * The code of the gram of `length` units ending where `lo` holds the low bytes of the last 4 units and `hi` those of
 * the 4 before them (as `gramCode` and the router roll them along a text), as a signed 32-bit number.
 */
export function gramCodeOf(hi: number, lo: number, length: number): number {
  if (length >= 4) return length === 4 ? lo | 0 : (Math.imul(hi & GRAM_MASKS[length - 4]!, 0x9e3779b1) ^ lo) | 0;
  return lo & GRAM_MASKS[length]!;
}

/** The low `n` bytes of a 32-bit word, by n (0 to 4). */
const GRAM_MASKS = [0, 0xff, 0xffff, 0xffffff, -1];

/** Index keys of an event value, mirroring `textKeys` so equal values meet. Arrays: any element. */
export function valueKeys(value: unknown): FieldKeys {
  switch (typeof value) {
    case 'string':
      return textKeys(value);
    case 'number':
      return [String(value)];
    case 'boolean':
    case 'bigint':
      return [String(value)];
    case 'object': {
      if (value === null) return [];
      if (!Array.isArray(value)) return 'unknown';
      const keys: string[] = [];
      for (const item of value) {
        if (typeof item === 'object' && item !== null) return 'unknown';
        const k = valueKeys(item);
        if (k === 'unknown') return k;
        keys.push(...k);
      }
      return keys;
    }
    default:
      return [];
  }
}

/**
 * The event's value for a rule field: the flat key first, then a dotted path through nested objects
 * (docs/reference/matching.md §8). A path crossing a list is `'unknown'`: the predicate distributes over its elements.
 */
export function fieldValue(event: Record<string, unknown>, field: string, segments: readonly string[]): unknown {
  const flat = event[field];
  if (flat !== undefined || segments.length < 2) return flat;
  return pathValue(event, segments, 0);
}

/** The nested path's value from `value`, read from segment `from` on (see `fieldValue`). */
export function pathValue(value: unknown, segments: readonly string[], from: number): unknown {
  for (let k = from; k < segments.length; k++) {
    const segment = segments[k]!;
    if (typeof value !== 'object' || value === null) return undefined;
    if (Array.isArray(value)) return UNKNOWN_VALUE;
    // The predicate's path reader prefers the longest dotted key at each level (`{"b.c": …}` for `a.b.c`): when
    // a level has such keys, leave the judgement to the predicate.
    for (const key in value) if (key.includes('.')) return UNKNOWN_VALUE;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** Stands for a value the index cannot judge; `valueKeys` maps it to 'unknown'. */
export const UNKNOWN_VALUE: unknown = Object.freeze({});
