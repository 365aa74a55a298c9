/**
 * `rulec match --jobs N` writes what `--jobs 1` writes, byte for byte, through the real CLI: a generated stream
 * of several blocks (the reader's 1 MiB chunks) with malformed lines, blank and CRLF lines, and pretty-printed
 * documents placed across block boundaries (the main thread then reads in sequence), with and without
 * `--pointer`. Needs the SigmaHQ rules in ../shared (skipped with a message otherwise).
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEvents } from '../../scripts/gen-events.js';
import { runRulec } from '../helpers/run-rulec.js';

const here = import.meta.dirname;
const SIGMA = resolve(here, '../../../shared/data/sigma/rules/windows/process_creation');
const SEED = resolve(here, '../../rules');
const available = existsSync(SIGMA);
if (!available) console.warn(`--jobs tests skipped: ${SIGMA} is missing (the shared reference data)`);

const BLOCK = 1 << 20;

/** NDJSON with hazards; pretty-printed documents straddle the first two block boundaries. */
function stream(): string {
  let text = '';
  let n = 0;
  const boundaries = [BLOCK, 2 * BLOCK];
  for (const event of generateEvents(3500, 7)) {
    n++;
    const next = boundaries[0];
    if (next !== undefined && Buffer.byteLength(text) > next - 4000) {
      // Pretty-printed (multi-line) documents until the boundary is well behind.
      while (Buffer.byteLength(text) < next + 2000) text += `${JSON.stringify(event, null, 2)}\n`;
      boundaries.shift();
      continue;
    }
    if (n % 500 === 0) text += '{"broken": \n';
    if (n % 700 === 0) text += 'not json at all\n';
    if (n % 900 === 0) text += '\n\n';
    if (n % 1100 === 0) text += '[1, 2]\n';
    text += JSON.stringify(event) + (n % 300 === 0 ? '\r\n' : '\n');
  }
  // A last line without a line break.
  return `${text}${JSON.stringify({ Channel: 'Security', EventID: 4688, CommandLine: 'whoami /all' })}`;
}

describe.skipIf(!available)('rulec match --jobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-jobs-'));
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, stream());
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (jobs: number, extra: string[]) =>
    runRulec(['match', '--jobs', String(jobs), '--rules', SIGMA, '--rules', SEED, ...extra, input], {
      timeoutMs: 240_000,
    });
  /** stderr without the timing of the summary line. */
  const stable = (stderr: string) => stderr.replace(/ in [\d.]+ s \(\d+ events\/s\)/, '');

  for (const extra of [[], ['--pointer']]) {
    it(`gives the same output and diagnostics on 1 and 2 threads${extra.length ? ' (--pointer)' : ''}`, () => {
      const one = run(1, extra);
      const two = run(2, extra);
      expect(one.stdout.split('\n').length).toBeGreaterThan(100);
      // Malformed lines are reported (RC951), located, in input order, on both.
      expect(one.stderr).toMatch(/warning\[RC951\]: .*events\.ndjson:\d+: malformed JSON/);
      expect(two.status).toBe(one.status);
      expect(two.stdout).toBe(one.stdout);
      expect(stable(two.stderr)).toBe(stable(one.stderr));
    }, 480_000);
  }
});
