/**
 * Flattened evtx events keep V8's fast properties. Building the flat object one computed key at a time left most
 * of them in dictionary mode, which made every field read of every rule slower (docs/matching.md); the check runs
 * in a child process, since it needs V8's `--allow-natives-syntax`.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const url = (path: string): string => pathToFileURL(resolve(root, path)).href;

describe('flattenEvtx', () => {
  it('returns objects with fast properties for every generated Windows record', () => {
    const script = `
      import { flattenEvtx } from ${JSON.stringify(url('src/match/formats.ts'))};
      import { generateEvents } from ${JSON.stringify(url('scripts/gen-events.ts'))};
      const fast = new Function('o', 'return %HasFastProperties(o)');
      let windows = 0, slow = 0;
      for (const record of generateEvents(3000, 5)) {
        if (!record.Event) continue;
        windows++;
        if (!fast(flattenEvtx(JSON.parse(JSON.stringify(record))))) slow++;
      }
      console.log(JSON.stringify({ windows, slow }));`;
    const out = execFileSync(
      process.execPath,
      ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root, encoding: 'utf8' },
    );
    const { windows, slow } = JSON.parse(out) as { windows: number; slow: number };
    expect(windows).toBeGreaterThan(2000);
    expect(slow).toBe(0);
  }, 60_000);
});
