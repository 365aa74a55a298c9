// rulec JS predicate runtime: the support code every generated rule module imports as `./runtime.js`.
// Plain ES2022, no dependencies. Semantics (rulec docs, docs/reference/matching.md section 1):
// - a field holding an array matches when any element matches; dotted paths distribute over arrays of objects;
// - string tests see strings, numbers (as their decimal text) and booleans ("true"/"false"); null never matches;
// - a string test on an object (or an array of objects) matches any string leaf inside it, at any depth;
// - keywords match any string value anywhere in the event;
// - nesting deeper than MAX_DEPTH is not searched (keeps adversarial events from overflowing the stack).

import { literalAlternation, textSet } from './text-set.js';

// Needle sets (text-set.js) and CIDR networks (cidr.js) live in their own files, shipped beside this one.
export { textSet };
export { cidr } from './cidr.js';

const hasOwn = Object.hasOwn;
const isArray = Array.isArray;
const MAX_DEPTH = 64;

/** An own property, so keys such as `constructor` or `__proto__` never read Object.prototype. */
export function own(object, key) {
  return hasOwn(object, key) ? object[key] : undefined;
}

/**
 * A compiled dotted-path reader. The flat key (`"a.b"` as one key) wins; otherwise, at every level, the longest
 * run of remaining segments that is a key is taken. Arrays on the way distribute: the result is then the array of
 * every value found (undefined when none, the value itself when exactly one).
 */
export function path(dotted) {
  const segments = dotted.split('.');
  const keys = [];
  for (let i = 0; i < segments.length; i++) {
    const row = [];
    for (let j = segments.length; j > i; j--) row.push([segments.slice(i, j).join('.'), j]);
    keys.push(row);
  }
  const last = segments.length;
  const collect = (object, i, out, depth) => {
    for (const [key, next] of keys[i]) {
      if (!hasOwn(object, key)) continue;
      const value = object[key];
      if (next === last) {
        if (value !== undefined) out.push(value);
      } else descend(value, next, out, depth + 1);
      return;
    }
  };
  const descend = (value, i, out, depth) => {
    if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return;
    if (isArray(value)) for (const item of value) descend(item, i, out, depth + 1);
    else collect(value, i, out, depth);
  };
  return (event) => {
    if (hasOwn(event, dotted)) return event[dotted];
    const out = [];
    collect(event, 0, out, 0);
    return out.length === 0 ? undefined : out.length === 1 ? out[0] : out;
  };
}

// Lower-casing is the main per-event cost when many rules test the same field (hundreds of process-creation rules
// read one CommandLine). The strings of one event are the same objects for every rule, so a small direct-mapped
// cache keyed by the string itself (identity compares first) folds each of them once per event.
const CACHE_SIZE = 512;
const cacheKeys = new Array(CACHE_SIZE).fill(undefined);
const cacheValues = new Array(CACHE_SIZE).fill('');

function folded(value) {
  const n = value.length;
  const slot = (n === 0 ? 0 : n * 31 + value.charCodeAt(0) * 7 + value.charCodeAt(n - 1)) & (CACHE_SIZE - 1);
  if (cacheKeys[slot] === value) return cacheValues[slot];
  const out = value.toLowerCase();
  cacheKeys[slot] = value;
  cacheValues[slot] = out;
  return out;
}

/** The lower-cased string, or null when the value is not a string (the caller then takes the general path). */
export function lower(value) {
  return typeof value === 'string' ? folded(value) : null;
}

/** General string test: `test` receives each candidate text, lower-cased when `fold`. */
export function someText(value, test, fold) {
  switch (typeof value) {
    case 'string':
      return test(fold ? folded(value) : value);
    case 'number':
      return Number.isFinite(value) && test(String(value));
    case 'boolean':
      return test(value ? 'true' : 'false');
    case 'object':
      if (value === null) return false;
      if (isArray(value)) {
        for (const item of value) if (someText(item, test, fold)) return true;
        return false;
      }
      return someString(value, test, fold, 0);
    default:
      return false;
  }
}

/** Any string anywhere inside `value` (objects and arrays, at any depth up to MAX_DEPTH). */
function someString(value, test, fold, depth) {
  if (typeof value === 'string') return test(fold ? folded(value) : value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return false;
  if (isArray(value)) {
    for (const item of value) if (someString(item, test, fold, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (hasOwn(value, key) && someString(value[key], test, fold, depth + 1)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// Keyword search: a test on any string value anywhere in the event (the generator passes `*keyword*`: a keyword is
// searched inside the values, as the Sigma specification applies it "to the full log message"). Literal keywords are searched in one text per
// event, the event's strings joined with NUL around each: a needle without NUL occurs in it exactly when it occurs
// in one of the strings (an occurrence cannot span a NUL), and when no string holds a NUL itself, NUL + needle + NUL
// occurs exactly when a string equals the needle (NUL + needle: starts with it; needle + NUL: ends with it). A
// caller evaluating many rules on one event passes a memo (a fresh object per event): the text is built once.

const SEP = '\u0000';

/**
 * Appends every string of `value`, depth-first in key order (as `someString` visits them), each followed by NUL.
 * Concatenation builds a rope that V8 flattens once, when the text is first searched: measured 40 % cheaper than
 * collecting an array and joining it.
 */
function appendStrings(value, depth, join) {
  if (typeof value === 'string') {
    join.text += value + SEP;
    join.count++;
    if (join.clean && value.indexOf(SEP) >= 0) join.clean = false;
    return;
  }
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) appendStrings(value[i], depth + 1, join);
    return;
  }
  for (const key in value) if (hasOwn(value, key)) appendStrings(value[key], depth + 1, join);
}

/**
 * The joined text (NUL, then each string followed by NUL; just NUL without strings), the string count, and whether
 * no string holds a NUL of its own (`clean`).
 */
function joinStrings(event) {
  const join = { text: SEP, count: 0, clean: true, folded: undefined };
  appendStrings(event, 0, join);
  return join;
}

/**
 * Lower-casing the joined text equals joining the lower-cased strings: the only context-dependent mapping (Greek
 * final sigma) looks at neighbouring letters, and NUL is neither a letter nor case-ignorable, so it ends the
 * context as the end of a string does.
 */
function textOf(join, fold) {
  return fold ? (join.folded ??= join.text.toLowerCase()) : join.text;
}

function joinOf(event, memo) {
  return memo === undefined || memo === null ? joinStrings(event) : (memo.keywordJoin ??= joinStrings(event));
}

/** Keyword search with a general test (wildcards): any string of the event passes `test`. */
export function keyword(event, test, fold) {
  return someString(event, test, fold, 0);
}

/**
 * Keyword search for literal needles of one kind (exact, prefix, suffix, contains; already folded when `fold`):
 * compiles to `(event, memo) => boolean`, true when some string of the event passes some needle's test.
 */
export function keywordSet(needles, kind, fold) {
  const unique = [...new Set(needles)];
  const test = textSet(unique, kind);
  const walk = (event) => someString(event, test, fold, 0);
  if (unique.some((n) => n.indexOf(SEP) >= 0)) return walk;
  const framed = unique.map((n) =>
    kind === 'exact' ? SEP + n + SEP : kind === 'prefix' ? SEP + n : kind === 'suffix' ? n + SEP : n,
  );
  // One native search of the joined text: `includes` for one needle, else one alternation of the literal needles,
  // which V8 compiles to native code that reads the text once (measured 4× faster than an `includes` per needle
  // for 20 needles, 20× for 200). A literal alternation backtracks at most a needle's length per position.
  // Past V8's regex size limit (text-set.js), a needle set's contains test on the same text.
  const one = framed.length === 1 ? framed[0] : undefined;
  const alternation = one === undefined ? literalAlternation(framed) : undefined;
  const scan = one === undefined && alternation === undefined ? textSet(framed, 'contains') : undefined;
  const framedOnly = kind !== 'contains';
  return (event, memo) => {
    const join = joinOf(event, memo);
    if (join.count === 0) return false;
    // Framed needles need strings without NUL of their own; otherwise test each string.
    if (framedOnly && !join.clean) return walk(event);
    const text = textOf(join, fold);
    if (one !== undefined) return text.includes(one);
    return alternation !== undefined ? alternation.test(text) : scan(text);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Wildcards. Tokens: a string is literal text, 0 is `*` (any run, newlines included), 1 is `?` (one code point).
// Matching splits the pattern at `*` into segments and places them greedily left to right (leftmost occurrence),
// the last one anchored at the end: the classic glob algorithm, polynomial in the worst case and never exponential,
// unlike a backtracking regex with several `.*`.

const ANY = 0;
const ONE = 1;

/** Length in code units of one code point at `i`. */
function stepAt(s, i) {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 2;
  }
  return 1;
}

/** End of `segment` matched at `i`, or -1. */
function segmentAt(s, i, segment) {
  for (const item of segment) {
    if (item === ONE) {
      if (i >= s.length) return -1;
      i += stepAt(s, i);
    } else {
      if (!s.startsWith(item, i)) return -1;
      i += item.length;
    }
  }
  return i;
}

/** Leftmost position >= from (and <= limit) where `segment` matches; returns its end, or -1. */
function findSegment(s, from, limit, segment) {
  const head = segment[0];
  let i = from;
  while (i <= limit) {
    if (typeof head === 'string') {
      i = s.indexOf(head, i);
      if (i < 0 || i > limit) return -1;
    }
    const end = segmentAt(s, i, segment);
    if (end >= 0) return end;
    if (i >= s.length) return -1;
    i += stepAt(s, i);
  }
  return -1;
}

/** Compiles wildcard tokens into a matcher `(text) => boolean`. */
export function glob(tokens) {
  const segments = [[]];
  for (const token of tokens) {
    if (token === ANY) segments.push([]);
    else segments[segments.length - 1].push(token);
  }
  if (segments.length === 1) {
    const only = segments[0];
    return (s) => segmentAt(s, 0, only) === s.length;
  }
  const first = segments[0];
  const last = segments[segments.length - 1];
  const middle = segments.slice(1, -1).filter((seg) => seg.length > 0);
  let lastMin = 0;
  let lastOnes = 0;
  for (const item of last) {
    if (item === ONE) lastOnes++;
    else lastMin += item.length;
  }
  lastMin += lastOnes;
  return (s) => {
    const start = segmentAt(s, 0, first);
    if (start < 0) return false;
    // The last segment ends at the end of the text; `?` may cover one or two code units, so try each start.
    for (let tailStart = s.length - lastMin; tailStart >= s.length - lastMin - lastOnes; tailStart--) {
      if (tailStart < start) break;
      if (segmentAt(s, tailStart, last) !== s.length) continue;
      let i = start;
      for (const seg of middle) {
        i = findSegment(s, i, tailStart, seg);
        if (i < 0 || i > tailStart) break;
      }
      if (i >= 0 && i <= tailStart) return true;
    }
    return false;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers and booleans.

/** Strict decimal text: no blanks, no hex, no `Infinity`, no empty string (`Number('')` is 0). */
const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The number a value stands for: a number, or a string in strict decimal form; else undefined. */
function numeric(value) {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string' && DECIMAL.test(value)) return Number(value);
  return undefined;
}

function someNumber(value, test) {
  if (isArray(value)) {
    for (const item of value) if (someNumber(item, test)) return true;
    return false;
  }
  const n = numeric(value);
  return n !== undefined && test(n);
}

export function eqNum(value, n) {
  return someNumber(value, (x) => x === n);
}
export function lt(value, n) {
  return someNumber(value, (x) => x < n);
}
export function lte(value, n) {
  return someNumber(value, (x) => x <= n);
}
export function gt(value, n) {
  return someNumber(value, (x) => x > n);
}
export function gte(value, n) {
  return someNumber(value, (x) => x >= n);
}

/** A JSON boolean, or the text "true"/"false" in any case. */
export function eqBool(value, b) {
  if (typeof value === 'boolean') return value === b;
  if (typeof value === 'string') return value.toLowerCase() === (b ? 'true' : 'false');
  if (isArray(value)) {
    for (const item of value) if (eqBool(item, b)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------------------------
// fieldref: two fields hold equal scalar values (numbers numerically, text case-insensitively unless cased).

function scalarText(value) {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return undefined;
}

export function fieldEq(a, b, fold) {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  if (isArray(a)) {
    for (const item of a) if (fieldEq(item, b, fold)) return true;
    return false;
  }
  if (isArray(b)) {
    for (const item of b) if (fieldEq(a, item, fold)) return true;
    return false;
  }
  if (typeof a === 'number' || typeof b === 'number') {
    const x = numeric(a);
    const y = numeric(b);
    if (x !== undefined && y !== undefined) return x === y;
  }
  const x = scalarText(a);
  const y = scalarText(b);
  if (x === undefined || y === undefined) return false;
  return fold ? x.toLowerCase() === y.toLowerCase() : x === y;
}

// ---------------------------------------------------------------------------------------------------------------
// Date parts. Only ISO 8601 text is read (`2024-05-01`, `2024-05-01T13:45:00Z`, `2024-05-01 13:45:00.123+02:00`);
// a missing offset means UTC. Numbers are not read as dates: seconds and milliseconds since the epoch are both
// common, and guessing would be silent.

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(?:([Zz])|([+-])(\d{2}):?(\d{2})?)?$/;

function parseIso(text) {
  const m = ISO.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60) return undefined;
  const local = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (local.getUTCDate() !== day && second !== 60) return undefined;
  if (m[9] === undefined) return local;
  const offset = (Number(m[10]) * 60 + Number(m[11] ?? 0)) * (m[9] === '-' ? -1 : 1);
  return new Date(local.getTime() - offset * 60000);
}

/** ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday). */
function isoWeek(date) {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  return Math.ceil(((d.getTime() - yearStart) / 86400000 + 1) / 7);
}

const PARTS = {
  minute: (d) => d.getUTCMinutes(),
  hour: (d) => d.getUTCHours(),
  day: (d) => d.getUTCDate(),
  week: isoWeek,
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

export function timePart(value, part, n) {
  if (isArray(value)) {
    for (const item of value) if (timePart(item, part, n)) return true;
    return false;
  }
  if (typeof value !== 'string') return false;
  const date = parseIso(value);
  return date !== undefined && PARTS[part](date) === n;
}

// ---------------------------------------------------------------------------------------------------------------
// CIDR, IPv4 and IPv6 (RFC 4291 text forms, embedded IPv4, zone ids ignored). An IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) matches IPv4 networks.

/** Whether a field value (a string, or any element of an array) lies in the network. */
export function inCidr(value, within) {
  if (typeof value === 'string') return within(value);
  if (isArray(value)) {
    for (const item of value) if (inCidr(item, within)) return true;
  }
  return false;
}

// Regular expressions that V8's backtracking engine could run in super-linear time are compiled to a linear-time
// NFA (regex-vm.js, shipped beside this file).
export { compileRegexVm } from './regex-vm.js';
