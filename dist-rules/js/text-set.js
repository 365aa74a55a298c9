// Needle sets: one test for an OR of many same-kind literal tests on one text (`contains` lists of dozens of
// emoji, hashes, tool names; `endswith` lists of hundreds of `\x.exe`). `kind` is exact, prefix, suffix or contains;
// needles arrive already lower-cased when the test folds. The result is true exactly when one needle passes its own
// test (`===`, `startsWith`, `endsWith`, `includes`, all by UTF-16 code units).
//
// Needles of two or more units are grouped by their key pair (the first two units; the last two for suffix). Real
// sets share long affixes inside a group (`md5=` + hex, `\` + name + `.exe`), so a group also keeps its common affix
// and indexes its needles by a hash of up to WINDOW units after it: a candidate position costs one affix compare,
// one short hash and, on a hash hit, the verification of the needles with that hash only, whatever the group size.
// A group where one needle is the common affix itself needs no index: finding the affix is a match.
//
// Prefix and suffix tests look up the one group their text's end pair names. A contains test searches natively,
// which is several times faster per unit than any JS loop: large groups by their affix (`indexOf`) and hash, the
// other needles with one regular expression, the alternation of the literal needles, which V8 compiles to native
// code that factors common prefixes. V8 stops optimising patterns of 20 KB and more, and they can then be many times
// slower, so a longer alternation is replaced by one JS scan of the text, looking up the group of each unit pair.
// All are linear in the text apart from verifying needles whose hashed window (or prefix) genuinely occurs.

const WINDOW = 8;
/** Groups of this many needles or more are searched by affix and hash rather than in the alternation. */
const BIG = 32;
/** Longest alternation source (V8 optimises patterns under 20 KB). */
const REGEX_SOURCE = 16000;
const PAIR_BITS = 4096;
const FNV_BASIS = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const GOLDEN = 0x9e3779b1 | 0;

function pairSlot(a, b) {
  return (a * 31 + b) & (PAIR_BITS - 1);
}

/** FNV-1a of the units at `at + lo` .. `at + hi` (exclusive). */
function hashForward(s, at, lo, hi) {
  let h = FNV_BASIS;
  for (let k = at + lo, end = at + hi; k < end; k++) h = Math.imul(h ^ s.charCodeAt(k), FNV_PRIME);
  return h;
}

/** FNV-1a of the units `lo` .. `hi` (exclusive) counted back from the end of `s`. */
function hashBackward(s, lo, hi) {
  const last = s.length - 1;
  let h = FNV_BASIS;
  for (let k = lo; k < hi; k++) h = Math.imul(h ^ s.charCodeAt(last - k), FNV_PRIME);
  return h;
}

/** Length of the longest common prefix (or suffix, `fromEnd`) of the needles. */
function commonAffix(list, fromEnd) {
  const first = list[0];
  let n = first.length;
  for (const other of list) {
    if (other.length < n) n = other.length;
    for (let k = 0; k < n; k++) {
      const a = fromEnd ? first.charCodeAt(first.length - 1 - k) : first.charCodeAt(k);
      const b = fromEnd ? other.charCodeAt(other.length - 1 - k) : other.charCodeAt(k);
      if (a !== b) {
        n = k;
        break;
      }
    }
  }
  return n;
}

/**
 * One group of needles with the same key pair: `common` is their common affix (`lo` units); unless one of them is
 * `common` itself (`always`), they sit in an open hash table (CSR layout: slot `i` holds `items[starts[i]] ..
 * items[starts[i + 1] - 1]`, `keys` their full hashes) keyed by the hash of units `lo` .. `hi` from their start (from
 * their end for suffix), where `hi` is at most WINDOW units further and no longer than the shortest needle.
 */
function makeGroup(list, fromEnd) {
  const lo = commonAffix(list, fromEnd);
  let shortest = Infinity;
  for (const n of list) if (n.length < shortest) shortest = n.length;
  const first = list[0];
  const common = fromEnd ? first.slice(first.length - lo) : first.slice(0, lo);
  const group = {
    common,
    lo,
    hi: lo,
    always: shortest === lo,
    // The affix's third unit, a cheap first check before comparing the whole affix (contains scans only).
    third: lo > 2 ? common.charCodeAt(2) : -1,
    shift: 31,
    starts: new Int32Array(0),
    keys: new Int32Array(0),
    items: [],
  };
  if (group.always) return group;
  const hi = Math.min(shortest, lo + WINDOW);
  let bits = 1;
  while (1 << bits < list.length * 2) bits++;
  const shift = 32 - bits;
  const hashes = list.map((n) => (fromEnd ? hashBackward(n, lo, hi) : hashForward(n, 0, lo, hi)));
  const starts = new Int32Array((1 << bits) + 1);
  for (const h of hashes) starts[(Math.imul(h, GOLDEN) >>> shift) + 1]++;
  for (let i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
  const fill = starts.slice(0, -1);
  const keys = new Int32Array(list.length);
  const items = new Array(list.length);
  list.forEach((n, i) => {
    const at = fill[Math.imul(hashes[i], GOLDEN) >>> shift]++;
    keys[at] = hashes[i];
    items[at] = n;
  });
  Object.assign(group, { hi, shift, starts, keys, items });
  return group;
}

/** Whether a needle of an indexed group starts at `i` (the group's affix is known or checked to be there). */
function hitAt(g, s, i) {
  const h = hashForward(s, i, g.lo, g.hi);
  const slot = Math.imul(h, GOLDEN) >>> g.shift;
  const { keys, items } = g;
  for (let j = g.starts[slot], end = g.starts[slot + 1]; j < end; j++) {
    if (keys[j] === h && s.startsWith(items[j], i)) return true;
  }
  return false;
}

/** Whether a needle of an indexed group ends `s`. */
function hitEnd(g, s) {
  const h = hashBackward(s, g.lo, g.hi);
  const slot = Math.imul(h, GOLDEN) >>> g.shift;
  const { keys, items } = g;
  for (let j = g.starts[slot], end = g.starts[slot + 1]; j < end; j++) {
    if (keys[j] === h && s.endsWith(items[j])) return true;
  }
  return false;
}

/** Compiles needles into a matcher `(text) => boolean`. */
export function textSet(needles, kind) {
  const unique = [...new Set(needles)];
  if (kind === 'exact') {
    const set = new Set(unique);
    return (s) => set.has(s);
  }
  const fromEnd = kind === 'suffix';
  // Needles shorter than a pair: the empty needle passes every test, one-unit needles are tested alone.
  const short = unique.filter((n) => n.length < 2);
  if (short.includes('')) return () => true;
  const lists = new Map();
  for (const n of unique) {
    if (n.length < 2) continue;
    const at = fromEnd ? n.length - 2 : 0;
    const key = n.charCodeAt(at) * 65536 + n.charCodeAt(at + 1);
    const list = lists.get(key);
    if (list === undefined) lists.set(key, [n]);
    else list.push(n);
  }
  const byPair = new Map();
  for (const [key, list] of lists) byPair.set(key, makeGroup(list, fromEnd));
  if (kind === 'prefix') {
    return (s) => {
      for (const n of short) if (s.startsWith(n)) return true;
      if (s.length < 2) return false;
      const g = byPair.get(s.charCodeAt(0) * 65536 + s.charCodeAt(1));
      if (g === undefined || (g.lo > 2 && !s.startsWith(g.common))) return false;
      return g.always || (s.length >= g.hi && hitAt(g, s, 0));
    };
  }
  if (kind === 'suffix') {
    return (s) => {
      for (const n of short) if (s.endsWith(n)) return true;
      const n = s.length;
      if (n < 2) return false;
      const g = byPair.get(s.charCodeAt(n - 2) * 65536 + s.charCodeAt(n - 1));
      if (g === undefined || (g.lo > 2 && !s.endsWith(g.common))) return false;
      return g.always || (n >= g.hi && hitEnd(g, s));
    };
  }
  return containsTest(short, [...byPair.values()], byPair);
}

/** A regular expression matching any of the texts literally, or undefined when its source would be too long. */
export function literalAlternation(texts) {
  // Sorted, so that needles with a common prefix are consecutive alternatives, which V8 factors into one prefix.
  const source = [...texts]
    .sort()
    .map((text) => text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'))
    .join('|');
  return source.length > REGEX_SOURCE ? undefined : new RegExp(source);
}

/** Contains: large groups by affix and hash, the other needles by one alternation (or one JS scan for everything). */
function containsTest(short, groups, byPair) {
  const indexed = groups.filter((g) => !g.always && g.items.length >= BIG);
  const rest = [...short];
  for (const g of groups) {
    if (g.always) rest.push(g.common);
    else if (!indexed.includes(g)) rest.push(...g.items);
  }
  const one = rest.length === 1 ? rest[0] : undefined;
  const alternation = rest.length > 1 ? literalAlternation(rest) : undefined;
  if (rest.length > 1 && alternation === undefined) return containsScan(short, byPair);
  return (s) => {
    if (one !== undefined ? s.includes(one) : alternation !== undefined && alternation.test(s)) return true;
    for (const g of indexed) {
      const last = s.length - g.hi;
      for (let i = s.indexOf(g.common); i >= 0 && i <= last; i = s.indexOf(g.common, i + 1)) {
        if (hitAt(g, s, i)) return true;
      }
    }
    return false;
  };
}

/** Many groups: one JS pass over the text, looking up the groups of each unit pair in a table by pair slot. */
function containsScan(short, byPair) {
  // Groups by pair slot, chained through `next` when two pairs share a slot; `pair` tells them apart.
  const bySlot = new Array(PAIR_BITS).fill(undefined);
  for (const [key, g] of byPair) {
    const slot = pairSlot(Math.floor(key / 65536), key % 65536);
    bySlot[slot] = { pair: key, group: g, next: bySlot[slot] };
  }
  // Many one-unit needles would be many native searches: test each unit of the text against a table instead.
  let units = null;
  if (short.length > 4) {
    units = new Uint32Array(2048);
    for (const n of short) units[n.charCodeAt(0) >>> 5] |= 1 << (n.charCodeAt(0) & 31);
  }
  return (s) => {
    if (units === null) {
      for (const n of short) if (s.includes(n)) return true;
    } else {
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if ((units[c >>> 5] & (1 << (c & 31))) !== 0) return true;
      }
    }
    const n = s.length;
    const end = n - 1;
    let b = end >= 0 ? s.charCodeAt(0) : 0;
    for (let i = 0; i < end; i++) {
      const a = b;
      b = s.charCodeAt(i + 1);
      for (let e = bySlot[pairSlot(a, b)]; e !== undefined; e = e.next) {
        if (e.pair !== a * 65536 + b) continue;
        const g = e.group;
        if (g.lo > 2 && (i + g.lo > n || s.charCodeAt(i + 2) !== g.third || !s.startsWith(g.common, i))) break;
        if (g.always || (i + g.hi <= n && hitAt(g, s, i))) return true;
        break;
      }
    }
    return false;
  };
}
