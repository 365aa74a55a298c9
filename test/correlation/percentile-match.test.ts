/** `rulec match` runs value_percentile (it was refused with RC720): one NDJSON line per rare value. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runRulec } from '../helpers/run-rulec.js';

const RULES = `title: Process creation
name: process_creation
logsource: {product: windows, category: process_creation}
detection: {selection: {Image|endswith: '.exe'}, condition: selection}
---
title: A process name seen in at most 1% of a computer's process creations
correlation:
  type: value_percentile
  rules: [process_creation]
  group-by: [Computer]
  timespan: 24h
  condition: {field: Image, lte: 1}
`;

describe('rulec match with value_percentile (binary)', () => {
  it("alerts once per value whose share of the group's events meets the condition, value = share in percent", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rulec-pct-'));
    writeFileSync(join(dir, 'rules.yml'), RULES);
    const events = Array.from({ length: 200 }, (_, k) => ({
      '@timestamp': new Date(Date.UTC(2024, 0, 1) + k * 60_000).toISOString(),
      Computer: 'ws1',
      Image: k === 7 || k === 8 ? 'C:\\rare.exe' : k === 9 ? 'C:\\twice.exe' : 'C:\\common.exe',
    }));
    events.push({ ...events[0]!, '@timestamp': events[10]!['@timestamp'], Image: 'C:\\twice.exe' });
    writeFileSync(join(dir, 'events.ndjson'), `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const r = runRulec(['match', '-r', join(dir, 'rules.yml'), join(dir, 'events.ndjson'), '--pointer']);
    expect(r.stderr).not.toContain('error');
    expect(r.status).toBe(0);
    const alerts = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => 'correlation' in l);
    // 201 events: rare.exe 2 (0.995 %), twice.exe 2 (0.995 %), common.exe 197.
    expect(
      alerts.map((a) => [a['group'], (a['value'] as number).toFixed(3), (a['events'] as unknown[]).length]),
    ).toEqual([
      [{ Computer: 'ws1', Image: 'C:\\rare.exe' }, '0.995', 2],
      [{ Computer: 'ws1', Image: 'C:\\twice.exe' }, '0.995', 2],
    ]);
  });
});
