/**
 * The block dispatch of `rulec match --jobs` (src/cli/match-parallel.ts) against one splitter reading the whole
 * stream: random streams (NDJSON, pretty-printed documents, malformed and blank lines, CRLF, a top-level array)
 * read in random chunk sizes, so blocks end inside multi-line values and the main thread must take over. The pool
 * is a same-thread stand-in doing what a worker does (a fresh splitter per block); the threads themselves are
 * covered through the CLI in jobs.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEvents } from '../../scripts/gen-events.js';
import type { BlockPool } from '../../src/cli/match-parallel.js';
import { matchParallel } from '../../src/cli/match-parallel.js';
import type { Block, BlockResult, BlockSetup } from '../../src/match/block-matcher.js';
import { BlockMatcher } from '../../src/match/block-matcher.js';
import { loadRules } from '../../src/match/load-rules.js';
import { lazyRules } from '../../src/match/router.js';
import { factory } from './factory.js';

const rules = loadRules([resolve(import.meta.dirname, '../../rules')]).rules;
const events = [...generateEvents(400, 3)];
const setup: BlockSetup = { format: 'auto', formatOptions: {}, routerOptions: {}, pointer: false };

const piece = fc.oneof(
  fc.constantFrom(...events).map((e) => `${JSON.stringify(e)}\n`),
  fc.constantFrom(...events).map((e) => `${JSON.stringify(e, null, 2)}\n`),
  fc.constantFrom(...events).map((e) => `${JSON.stringify(e)}\r\n`),
  fc.constantFrom('\n', '{"broken": \n', 'not json\n', '[1, 2]\n', '  \n', '{"a": [1,\n', '}\n'),
);

/** What one thread reports: one block, one splitter. */
function sequential(text: string, file: string): { output: string; diagnostics: string[] } {
  const matcher = new BlockMatcher(lazyRules(rules, factory), setup);
  const block: Block = { file, text, firstLine: 1, first: true, end: true };
  const r = matcher.run(block, matcher.splitter(block));
  return { output: r.output, diagnostics: r.diagnostics.map((d) => JSON.stringify(d)) };
}

/** A pool on this thread: each block from a fresh splitter, as a worker does. */
function localPool(): BlockPool & { runs: number } {
  const matcher = new BlockMatcher(lazyRules(rules, factory), setup);
  return {
    size: 2,
    started: false,
    runs: 0,
    start() {
      (this as { started: boolean }).started = true;
    },
    run(block: Block): Promise<BlockResult> {
      this.runs++;
      return Promise.resolve(matcher.run(block, matcher.splitter(block)));
    },
  };
}

describe('--jobs block dispatch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-blocks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it('matches and reports exactly as one splitter over the whole stream, whatever the chunk sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 16, max: 8192 }),
        fc.boolean(),
        async (pieces, chunkSize, array) => {
          const text = array ? `[${pieces.join(',')}]` : pieces.join('');
          const file = join(dir, `s${n++}.ndjson`);
          writeFileSync(file, text);
          const pool = localPool();
          let output = '';
          const diagnostics: string[] = [];
          await matchParallel([file], {
            pool,
            main: new BlockMatcher(lazyRules(rules, factory), setup),
            read: () => ({ chunkSize }),
            emit: (pre, r) => {
              for (const d of [...pre, ...r.diagnostics]) diagnostics.push(JSON.stringify(d));
              output += r.output;
              return Promise.resolve(true);
            },
          });
          const expected = sequential(text, file);
          expect(output).toBe(expected.output);
          expect(diagnostics).toEqual(expected.diagnostics);
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 150), seed: 15 },
    );
  });
});
