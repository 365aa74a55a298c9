/**
 * How many events a raw-line prefilter could skip before JSON.parse (issue 15, goal 5): per logsource bucket, the
 * literal needles one of which every rule the bucket admits requires (the longest fragment of a string or keyword
 * pattern that JSON cannot escape; `or` needs one per branch, `and` the smallest set of any child; an `EventID`
 * number is decided by the bucket itself). A bucket with a rule that requires no needle (a number, a regex, a
 * negation only) cannot be prefiltered; in the others, an event whose lower-cased text holds no needle could be
 * skipped. Prints, per kind of generated event, the rules that block its bucket and the events that could be skipped.
 *
 *   npx tsx scripts/prefilter-coverage.ts [--events 20000] [--rules ../shared/data/sigma/rules]
 */
import { resolve } from 'node:path';
import type { IrNode } from '../src/ir/nodes.js';
import type { PatternPart } from '../src/ir/pattern.js';
import { makeNormalizer } from '../src/match/formats.js';
import { loadRules } from '../src/match/load-rules.js';
import { eventLogsource, logsourceAdmits } from '../src/match/logsource.js';
import { generateEvents } from './gen-events.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
const EVENTS = Number(option('--events', '20000'));
const RULES = option('--rules', resolve(import.meta.dirname, '../../shared/data/sigma/rules'));

/** Text a number can be written as in JSON: such a needle may be absent from the raw text of a matching event. */
const NUMBERISH = /^[0-9.eE+-]*$/;
/** Characters JSON may escape (so the raw text may not hold them as they are). */
const ESCAPABLE = /[\\"/\u0000-\u001f\u007f-\uffff]/;

function needle(parts: readonly PatternPart[]): string | undefined {
  let best = '';
  for (const part of parts) {
    if (part.kind !== 'literal') continue;
    for (const fragment of part.text.toLowerCase().split(ESCAPABLE)) if (fragment.length > best.length) best = fragment;
  }
  return best.length >= 3 && !NUMBERISH.test(best) ? best : undefined;
}

/** The needles one of which the node requires; undefined: none required; empty: cannot match in this bucket. */
function required(node: IrNode, eventId: unknown): Set<string> | undefined {
  switch (node.kind) {
    case 'stringMatch':
    case 'keyword': {
      const found = needle(node.pattern.parts);
      return found === undefined ? undefined : new Set([found]);
    }
    case 'numberMatch':
      if (node.field !== 'EventID' || typeof eventId !== 'number') return undefined;
      return node.value === eventId ? undefined : new Set();
    case 'const':
      return node.value ? undefined : new Set();
    case 'or': {
      const all = new Set<string>();
      for (const child of node.children) {
        const r = required(child, eventId);
        if (r === undefined) return undefined;
        for (const x of r) all.add(x);
      }
      return all;
    }
    case 'and': {
      let best: Set<string> | undefined;
      for (const child of node.children) {
        const r = required(child, eventId);
        if (r !== undefined && (best === undefined || r.size < best.size)) best = r;
      }
      return best;
    }
    default:
      return undefined;
  }
}

const rules = loadRules([RULES]).rules;
const normalize = makeNormalizer('auto');
const buckets = new Map<string, Set<string> | undefined>();
const counts = new Map<string, { events: number; skippable: number }>();
for (const record of generateEvents(EVENTS, 5)) {
  const raw = record as Record<string, unknown>;
  const system = (raw['Event'] as { System?: Record<string, unknown> } | undefined)?.System;
  const kind = system ? `${String(system['Channel'])}/${String(system['EventID'])}` : `o365/${String(raw['Workload'])}`;
  const event = normalize(raw);
  if (!buckets.has(kind)) {
    const source = eventLogsource(event);
    const needles = new Set<string>();
    const blockers: string[] = [];
    for (const rule of rules) {
      if (source !== undefined && !logsourceAdmits(rule.logsource, source)) continue;
      const r = required(rule.detection, event['EventID']);
      if (r === undefined) blockers.push(rule.title);
      else for (const x of r) needles.add(x);
    }
    console.log(
      blockers.length > 0
        ? `${kind}: blocked by ${blockers.length} rules (${blockers.slice(0, 3).join('; ')}…)`
        : `${kind}: ${needles.size} needles`,
    );
    buckets.set(kind, blockers.length > 0 ? undefined : needles);
  }
  const needles = buckets.get(kind);
  const text = JSON.stringify(raw).toLowerCase();
  const skippable = needles !== undefined && ![...needles].some((x) => text.includes(x));
  const count = counts.get(kind) ?? { events: 0, skippable: 0 };
  count.events++;
  if (skippable) count.skippable++;
  counts.set(kind, count);
}
let total = 0;
for (const [kind, { events, skippable }] of counts) {
  total += skippable;
  console.log(`${kind}: ${skippable} of ${events} events skippable`);
}
console.log(`skippable: ${total} of ${EVENTS} events (${((total / EVENTS) * 100).toFixed(1)} %)`);
