/**
 * Events for a given rule, in the rule's own field names, built the way the differential fuzz builds them: values
 * derived from the rule's patterns (case flips, wildcard fillers, near misses), numbers around the compared value,
 * addresses inside and outside each CIDR, samples of each regex, and missing or null fields. Half the events are
 * "solved": a walk of the detection picks values meant to make it true (or false), so rules with many ANDed terms
 * are hit too. Whether an event hits is the JS predicate's call, never this module's.
 */
import type { IrNode } from '../../src/ir/nodes.js';
import type { Pattern } from '../../src/ir/pattern.js';
import { prng } from '../helpers/prng.js';
export { prng };

export type RuleEvent = Record<string, unknown>;

export function leaves(node: IrNode): IrNode[] {
  if (node.kind === 'and' || node.kind === 'or') return node.children.flatMap(leaves);
  if (node.kind === 'not') return leaves(node.child);
  return [node];
}

export function flipCase(text: string): string {
  return [...text].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Characters used as wildcard fillers and near-miss padding: letters of both cases, separators, specials. */
const FILLERS = ['a', 'Z', 'é', '1', ' ', '\\', '"', "'", '*', '?', '.', '-', ':', '|', '/', '_', 'x'];

/** Values any field may get: empty, a plain word, a number, a DOMAIN\\name form (Windows account fields). */
const FILLER_VALUES: readonly unknown[] = ['', 'zz', 7, 'DOM\\zz'];

type Rnd = () => number;
const pick = <T>(rnd: Rnd, items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

/** A text the pattern matches, with case flips and wildcard fillers; `nearMiss` adds a character at an end. */
export function instantiate(p: Pattern, rnd: Rnd, nearMiss = rnd() < 0.15): string {
  let text = '';
  for (const part of p.parts) {
    if (part.kind === 'literal') text += rnd() < 0.3 ? flipCase(part.text) : part.text;
    else if (part.kind === 'anyChars')
      text += rnd() < 0.4 ? '' : pick(rnd, FILLERS) + (rnd() < 0.5 ? pick(rnd, FILLERS) : '');
    else text += pick(rnd, FILLERS);
  }
  if (!nearMiss) return text;
  return rnd() < 0.6 ? text + pick(rnd, FILLERS) : pick(rnd, FILLERS) + text;
}

/**
 * A text a (simple) regular expression probably matches: literals, escapes, `.`, classes (a member), groups with
 * alternation (one branch), quantifiers (a count in range); anchors and inline flags dropped. Best effort: the
 * events are judged by the JS predicate, a sample that misses is just another miss.
 */
export function regexSample(source: string, rnd: Rnd): string {
  let i = 0;
  const src = source.replace(/^\(\?[a-z]+\)/, '');
  const atom = (): string | undefined => {
    const c = src[i]!;
    if (c === '^' || c === '$') {
      i++;
      return '';
    }
    if (c === '\\') {
      const n = src[i + 1] ?? '';
      i += 2;
      if (n === 'd') return String(Math.floor(rnd() * 10));
      if (n === 'w') return pick(rnd, ['a', 'Q', '7', '_']);
      if (n === 's') return ' ';
      return n;
    }
    if (c === '.') {
      i++;
      return pick(rnd, ['-', 'a', 'Z']);
    }
    if (c === '[') {
      const end = src.indexOf(']', i + 2);
      const body = src.slice(i + 1, end < 0 ? src.length : end);
      i = end < 0 ? src.length : end + 1;
      if (body.startsWith('^')) return '#';
      const chars: string[] = [];
      for (let k = 0; k < body.length; k++) {
        if (body[k + 1] === '-' && body[k + 2] !== undefined) {
          const from = body.charCodeAt(k);
          const to = body.charCodeAt(k + 2);
          chars.push(String.fromCharCode(from + Math.floor(rnd() * (to - from + 1))));
          k += 2;
        } else chars.push(body[k] === '\\' ? (body[++k] ?? '') : body[k]!);
      }
      return pick(rnd, chars);
    }
    if (c === '(') {
      i++;
      if (src.startsWith('?:', i)) i += 2;
      const branches: string[] = [];
      let current = '';
      while (i < src.length && src[i] !== ')') {
        if (src[i] === '|') {
          branches.push(current);
          current = '';
          i++;
          continue;
        }
        current += piece();
      }
      i++;
      branches.push(current);
      return pick(rnd, branches);
    }
    i++;
    return c;
  };
  const piece = (): string => {
    const text = atom() ?? '';
    const q = src[i];
    let min = 1;
    let max = 1;
    if (q === '?' || q === '*' || q === '+') {
      i++;
      min = q === '+' ? 1 : 0;
      max = q === '?' ? 1 : 3;
    } else if (q === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(i));
      if (m) {
        i += m[0].length;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] ? Number(m[3]) : min + 2;
      }
    }
    if (src[i] === '?') i++; // lazy
    const n = min + Math.floor(rnd() * (max - min + 1));
    return text.repeat(n);
  };
  let out = '';
  while (i < src.length) out += piece();
  return out;
}

/** An address inside and one outside a CIDR range (same family). */
export function cidrSamples(network: string, prefix: number, family: 4 | 6): { inside: string; outside: string } {
  if (family === 4) {
    const n = network.split('.').reduce((a, o) => a * 256 + Number(o), 0);
    const host = prefix >= 32 ? n : n + 1;
    const out = prefix === 0 ? n : (n ^ (2 ** (32 - prefix))) >>> 0;
    const text = (x: number) => [24, 16, 8, 0].map((s) => Math.floor(x / 2 ** s) % 256).join('.');
    return { inside: text(host), outside: text(prefix === 0 ? n : out) };
  }
  const groups = expand6(network);
  const n = groups.reduce((a, g) => (a << 16n) | BigInt(g), 0n);
  const host = prefix >= 128 ? n : n + 1n;
  const out = prefix === 0 ? n : n ^ (1n << BigInt(128 - prefix));
  const text = (x: bigint) =>
    Array.from({ length: 8 }, (_, k) => ((x >> BigInt(16 * (7 - k))) & 0xffffn).toString(16)).join(':');
  return { inside: text(host), outside: text(out) };
}

function expand6(text: string): number[] {
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':').map((g) => parseInt(g, 16)) : [];
  const t = tail ? tail.split(':').map((g) => parseInt(g, 16)) : [];
  return tail === undefined ? h : [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
}

function fieldsOf(tree: IrNode): string[] {
  const out = new Set<string>();
  for (const leaf of leaves(tree)) {
    if ('field' in leaf && typeof leaf.field === 'string') out.add(leaf.field);
    if (leaf.kind === 'fieldRef') out.add(leaf.otherField);
  }
  return [...out].sort();
}

/** Values for a leaf: meant to make it true (`want`) or false, often with a twist. */
function valueFor(leaf: IrNode, want: boolean, rnd: Rnd): unknown {
  switch (leaf.kind) {
    case 'stringMatch':
      return want ? instantiate(leaf.pattern, rnd, false) : instantiate(leaf.pattern, rnd, true);
    case 'numberMatch':
      return want ? pick(rnd, [leaf.value, String(leaf.value)]) : leaf.value + 1;
    case 'compare': {
      const inside = { lt: leaf.value - 1, lte: leaf.value, gt: leaf.value + 1, gte: leaf.value }[leaf.op];
      const outside = { lt: leaf.value, lte: leaf.value + 1, gt: leaf.value, gte: leaf.value - 1 }[leaf.op];
      const v = want ? inside : outside;
      return rnd() < 0.3 ? String(v) : v;
    }
    case 'regexMatch': {
      const s = regexSample(leaf.source, rnd);
      if (want) return rnd() < 0.3 ? flipCase(s) : s;
      return rnd() < 0.5 ? s.slice(0, -1) : `${s}#`;
    }
    case 'cidrMatch': {
      const c = cidrSamples(leaf.network, leaf.prefixLength, leaf.family);
      return want ? (rnd() < 0.2 && leaf.family === 4 ? `${c.inside}:443` : c.inside) : c.outside;
    }
    case 'boolMatch':
      return want ? leaf.value : !leaf.value;
    default:
      return 'zz';
  }
}

/**
 * Sets fields of `event` so that `node` is (meant to be) `want`. A field already set is left alone: the first
 * leaf that needs a field decides its value, and the JS predicate judges the result.
 */
function solve(node: IrNode, want: boolean, event: RuleEvent, rnd: Rnd, keywordField: string): void {
  const set = (f: string, v: unknown): void => {
    if (!Object.hasOwn(event, f)) event[f] = v;
  };
  switch (node.kind) {
    case 'and':
    case 'or':
      if ((node.kind === 'and') === want) for (const c of node.children) solve(c, want, event, rnd, keywordField);
      else solve(pick(rnd, node.children), want, event, rnd, keywordField);
      return;
    case 'not':
      solve(node.child, !want, event, rnd, keywordField);
      return;
    case 'const':
      return;
    case 'exists':
      if (want) set(node.field, pick(rnd, ['zz', 'DOM\\zz']));
      else if (rnd() < 0.5) set(node.field, null);
      return;
    case 'nullMatch':
      if (want) set(node.field, rnd() < 0.5 ? null : undefined);
      else set(node.field, pick(rnd, ['zz', '']));
      return;
    case 'keyword':
      if (want) set(keywordField, instantiate(node.pattern, rnd, false));
      return;
    case 'stringMatch': {
      // Several contains/startswith/endswith tests on one field (`|all`, ANDed selections): join the texts.
      const existing = event[node.field];
      const parts = node.pattern.parts;
      if (want && typeof existing === 'string' && parts.length > 1) {
        const text = instantiate(node.pattern, rnd, false);
        if (parts[0]!.kind === 'anyChars') event[node.field] = existing + text;
        else if (parts[parts.length - 1]!.kind === 'anyChars') event[node.field] = text + existing;
        return;
      }
      if (!want && rnd() < 0.3) set(node.field, rnd() < 0.5 ? null : undefined);
      else set(node.field, valueFor(node, want, rnd));
      return;
    }
    default:
      if ('field' in node && typeof node.field === 'string') {
        if (!want && rnd() < 0.3) set(node.field, rnd() < 0.5 ? null : undefined);
        else set(node.field, valueFor(node, want, rnd));
      }
  }
}

/**
 * `count` events for a detection: even seeds solved towards true, odd ones random (each field: missing, null,
 * '' / 'zz' / 7, or a value from any leaf on it, hit or near miss). `keywordField` holds keyword values (a field
 * the target has, e.g. a message column); undefined fields are removed.
 */
export function eventsFor(tree: IrNode, count: number, seed: number, keywordField: string): RuleEvent[] {
  const fields = fieldsOf(tree);
  const hasKeywords = leaves(tree).some((l) => l.kind === 'keyword');
  const all = hasKeywords && !fields.includes(keywordField) ? [...fields, keywordField] : fields;
  const events: RuleEvent[] = [];
  for (let k = 0; k < count; k++) {
    const rnd = prng(seed + k * 7919);
    const event: RuleEvent = {};
    if (k % 2 === 0) {
      solve(tree, rnd() < 0.8, event, rnd, keywordField);
      for (const f of all) if (!Object.hasOwn(event, f) && rnd() < 0.5) event[f] = pick(rnd, FILLER_VALUES);
    } else {
      for (const f of all) {
        const pool: unknown[] = [...FILLER_VALUES];
        for (const leaf of leaves(tree)) {
          if ('field' in leaf && leaf.field === f) pool.push(valueFor(leaf, true, rnd), valueFor(leaf, false, rnd));
          if (leaf.kind === 'keyword' && f === keywordField) pool.push(instantiate(leaf.pattern, rnd));
        }
        const r = rnd();
        if (r < 0.15) continue;
        event[f] = r < 0.2 ? null : pick(rnd, pool);
      }
    }
    for (const f of Object.keys(event)) if (event[f] === undefined) delete event[f];
    events.push(event);
  }
  return events;
}
