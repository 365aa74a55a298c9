/**
 * The correlator's memory does not grow with the stream (issue 14, "Done when" bullet 3): 10⁶ events over 100 000
 * groups, of which 5 000 are active at a time, through one correlation of each kind of state (a sliding window,
 * windows judged when they close, ordered chains). Two measures, neither timed:
 * - the correlator's live state (groups and the events its windows hold), counted by the correlator itself, has
 *   the same peak after 2·10⁵ events as after 10⁶;
 * - the heap after a full garbage collection, with every event object referenced only by the correlator (as in
 *   `rulec match` without --pointer), grows by far less between 2·10⁵ and 10⁶ events than the 8·10⁵ events it
 *   read in between would take if kept. Measured: peak state 72 001 / 74 001 (event_count), 52 001 / 54 001
 *   (value_percentile), 16 668 / 16 668 (temporal_ordered), heap change under 1 MB; with eviction turned off the
 *   late peak is 5x the early one and the heap grows by 37 to 130 MB, and this test fails.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../src/correlation/correlator.js';
import { resolveReferences } from '../../src/correlation/resolve.js';
import { readRuleFile } from '../../src/frontend.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const RULES = `title: A
name: rule_a
logsource: {product: windows, service: security}
detection: {selection: {EventID: 4625}, condition: selection}
---
title: B
name: rule_b
logsource: {product: windows, service: security}
detection: {selection: {EventID: 4624}, condition: selection}
`;

const CORRELATIONS: Record<string, string> = {
  // Never met: every window stays open until it slides away.
  event_count: 'type: event_count\n  rules: [rule_a, rule_b]\n  condition: {gte: 100000}',
  value_percentile: 'type: value_percentile\n  rules: [rule_a, rule_b]\n  condition: {field: Ip, lte: 1}',
  temporal_ordered: 'type: temporal_ordered\n  rules: [rule_a, rule_b]',
};

const TOTAL = 1_000_000;
const CHECKPOINT = 200_000;
/** Active groups at a time; a new set every GENERATION events (10 000 s, far past the 5 m window). */
const ACTIVE = 5_000;
const GENERATION = 50_000;
const STEP_MS = 10;

describe.each(Object.keys(CORRELATIONS))('%s over 10⁶ events and 10⁵ groups', (type) => {
  it('keeps its live state and heap flat from 2·10⁵ to 10⁶ events', () => {
    const text = `${RULES}---\ntitle: C\ncorrelation:\n  ${CORRELATIONS[type]}\n  group-by: [User]\n  timespan: 5m\n`;
    const read = readRuleFile('c.yml', text);
    expect(read.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const resolution = resolveReferences(read.rules, read.correlations, read.filters);
    const correlator = new Correlator(resolution.correlations);
    const start = Date.UTC(2024, 0, 1);
    let peakEarly = 0;
    let peakLate = 0;
    let heapEarly = 0;
    let alerts = 0;
    for (let i = 0; i < TOTAL; i++) {
      const rule = i % 3 === 2 ? 1 : 0;
      const event = {
        EventID: rule === 0 ? 4625 : 4624,
        User: `u${i % ACTIVE}-${Math.floor(i / GENERATION)}`,
        Ip: `10.0.${i % 7}.${i % 251}`,
      };
      alerts += correlator.push(read.rules[rule], start + i * STEP_MS, event, event).length;
      if (i % 1000 === 0) {
        const state = correlator.groupCount + correlator.entryCount;
        if (i < CHECKPOINT) peakEarly = Math.max(peakEarly, state);
        else peakLate = Math.max(peakLate, state);
      }
      if (i === CHECKPOINT) {
        gc();
        heapEarly = process.memoryUsage().heapUsed;
      }
    }
    gc();
    const heapLate = process.memoryUsage().heapUsed;
    alerts += correlator.finish().length;
    // 5 000 groups of a few events each are alive at a time; 10⁵ groups went through.
    expect(peakEarly).toBeGreaterThan(ACTIVE);
    expect(peakLate).toBeLessThanOrEqual(peakEarly * 1.05);
    expect(heapLate - heapEarly).toBeLessThan(24 * 1024 * 1024);
    if (type === 'temporal_ordered') expect(alerts).toBeGreaterThan(0);
    expect(correlator.groupCount).toBe(0);
  }, 120_000);
});
