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
import { mainTakes, matchParallel } from '../../src/cli/match-parallel.js';
import type { Block, BlockResult, BlockSetup } from '../../src/match/block-matcher.js';
import { BlockMatcher } from '../../src/match/block-matcher.js';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import type { JsonSplitter } from '../../src/match/json-splitter.js';
import { loadRules } from '../../src/match/load-rules.js';
import { readDecoded } from '../../src/match/read-events.js';
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

/** Lines as bytes: events with characters of two to four bytes (chunks cut inside them), and invalid UTF-8. */
const bytePiece = fc.oneof(
  piece.map((text) => Buffer.from(text)),
  fc.constantFrom(...events).map((e) => Buffer.from(`${JSON.stringify({ ...(e as object), Note: 'é 日本 😀' })}\n`)),
  fc.constantFrom(
    Buffer.from([...Buffer.from('{"a": "'), 0xff, ...Buffer.from('"}\n')]),
    Buffer.from([...Buffer.from('{"b": "'), 0xe6, 0x97, ...Buffer.from('"}\n')]),
    Buffer.from([0xe6, 0x97]),
  ),
);

/** What one thread reports: one block, one splitter. */
function sequential(text: string, file: string): { output: string; diagnostics: string[] } {
  const matcher = new BlockMatcher(lazyRules(rules, factory), setup);
  const block: Block = { file, text, firstLine: 1, first: true, end: true };
  const r = matcher.run(block, matcher.splitter(block));
  return { output: r.output, diagnostics: r.diagnostics.map((d) => JSON.stringify(d)) };
}

/** What one thread reports reading the file as `rulec match` does: decoded chunk by chunk, one splitter. */
async function oneThread(file: string, chunkSize: number): Promise<{ output: string; diagnostics: string[] }> {
  const matcher = new BlockMatcher(lazyRules(rules, factory), setup);
  let splitter: JsonSplitter | undefined;
  let output = '';
  const diagnostics: string[] = [];
  const status = { complete: false };
  const options = { chunkSize, onDiagnostic: (d: Diagnostic) => diagnostics.push(JSON.stringify(d)) };
  const run = (text: string, end: boolean): void => {
    const block: Block = { file, text, firstLine: 1, first: splitter === undefined, end };
    splitter ??= matcher.splitter(block);
    const r = matcher.run(block, splitter);
    output += r.output;
    for (const d of r.diagnostics) diagnostics.push(JSON.stringify(d));
  };
  for await (const text of readDecoded(file, options, () => splitter?.nextLine ?? 1, status)) run(text, false);
  if (status.complete) run('', true);
  return { output, diagnostics };
}

/** What `matchParallel` reports for the file through `pool` (and the main thread with `mainMatches`). */
async function dispatched(
  file: string,
  chunkSize: number,
  pool: BlockPool,
  mainMatches = false,
): Promise<{ output: string; diagnostics: string[]; blocks: number }> {
  let output = '';
  let blocks = 0;
  const diagnostics: string[] = [];
  await matchParallel([file], {
    pool,
    main: new BlockMatcher(lazyRules(rules, factory), setup),
    mainMatches,
    read: () => ({ chunkSize }),
    emit: (pre, r) => {
      for (const d of [...pre, ...r.diagnostics]) diagnostics.push(JSON.stringify(d));
      output += r.output;
      blocks++;
      return Promise.resolve(true);
    },
  });
  return { output, diagnostics, blocks };
}

/** A pool on this thread: each block from a fresh splitter, as a worker does. */
function localPool(): BlockPool & { runs: number; bytes: number } {
  const matcher = new BlockMatcher(lazyRules(rules, factory), setup);
  return {
    size: 2,
    started: false,
    runs: 0,
    bytes: 0,
    start() {
      (this as { started: boolean }).started = true;
    },
    /** Blocks pending, made up: the main thread takes some blocks (`mainMatches`) and leaves others. */
    least() {
      return this.runs % 3;
    },
    run(block: Block): Promise<BlockResult> {
      this.runs++;
      if (block.bytes !== undefined) this.bytes++;
      return Promise.resolve(matcher.run(block, matcher.splitter(block)));
    },
  };
}

describe('--jobs block dispatch', () => {
  it('has the main thread match a block when its workers hold enough, or half of what is left', () => {
    // Far from the end (or the end unknown): once the workers have six blocks pending.
    const far = [0, 1, 2, 3, 4, 5, 6].map((least) => mainTakes(least, Infinity));
    expect(far).toEqual([false, false, false, false, false, false, true]);
    expect(mainTakes(2, 100)).toBe(false);
    // The last blocks: the workers keep no more than half of them.
    expect(mainTakes(1, 1)).toBe(true);
    expect(mainTakes(1, 2)).toBe(true);
    expect(mainTakes(1, 3)).toBe(false);
    expect(mainTakes(2, 4)).toBe(true);
    expect(mainTakes(0, 1)).toBe(false);
  });

  const dir = mkdtempSync(join(tmpdir(), 'rulec-blocks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;

  it('matches and reports exactly as one splitter over the whole stream, whatever the chunk sizes', async () => {
    let onMain = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 16, max: 8192 }),
        fc.boolean(),
        fc.boolean(),
        async (pieces, chunkSize, array, mainMatches) => {
          const text = array ? `[${pieces.join(',')}]` : pieces.join('');
          const file = join(dir, `s${n++}.ndjson`);
          writeFileSync(file, text);
          const pool = localPool();
          const { output, diagnostics, blocks } = await dispatched(file, chunkSize, pool, mainMatches);
          if (mainMatches) onMain += blocks - pool.runs;
          const expected = sequential(text, file);
          expect(output).toBe(expected.output);
          expect(diagnostics).toEqual(expected.diagnostics);
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 150), seed: 15 },
    );
    // The main thread matched blocks of its own, not only those it must read in sequence.
    expect(onMain).toBeGreaterThan(0);
  });

  it('sends valid UTF-8 as bytes, cut inside characters or not, and reads invalid UTF-8 as one thread does', async () => {
    let sentAsBytes = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(bytePiece, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 3, max: 4096 }),
        async (pieces, chunkSize) => {
          const file = join(dir, `b${n++}.ndjson`);
          writeFileSync(file, Buffer.concat(pieces));
          const pool = localPool();
          const { output, diagnostics } = await dispatched(file, chunkSize, pool);
          sentAsBytes += pool.bytes;
          const expected = await oneThread(file, chunkSize);
          expect(output).toBe(expected.output);
          expect(diagnostics).toEqual(expected.diagnostics);
        },
      ),
      { numRuns: Number(process.env.FC_RUNS ?? 150), seed: 16 },
    );
    expect(sentAsBytes).toBeGreaterThan(0);
  });
});
