/**
 * A streaming build with a worker thread (RULEC_JOBS=2, build/stream-pool.ts) makes the folder and the report of
 * one thread, byte for byte: rules linked across the two threads' chunks (an id taken in both, a title taken twice),
 * correlation rules and filters read by the worker, and a rebuild of an existing folder. Workers run compiled
 * JavaScript, so this runs lib/ (where `npm run build:ts` has built it).
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { id, snapshot, writeRule } from '../helpers/build-fixtures.js';
import { REPO_ROOT, runRulec } from '../helpers/run-rulec.js';

const FIXTURES = fileURLToPath(new URL('../correlation/fixtures/build/', import.meta.url));
const compiled = existsSync(join(REPO_ROOT, 'lib', 'src', 'build', 'stream-worker.js'));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-stream-worker-'));
  cpSync(join(FIXTURES, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(FIXTURES, 'tuning'), join(dir, 'rules', 'tuning'), { recursive: true });
  // Enough files for several chunks (stream.ts CHUNK_FILES): the worker takes the first ones, this thread the next.
  for (let n = 0; n < 80; n++) writeRule(dir, `rules/gen/r${String(n).padStart(2, '0')}.yml`, { id: id(100 + n) });
  // One id in the worker's first chunk (files 0-23) and in the third (48-71), which this thread compiles while the
  // worker holds the first two: both threads write its files, with different texts.
  writeRule(dir, 'rules/gen/r03.yml', { id: id(500), title: 'Taken twice' });
  writeRule(dir, 'rules/gen/r60.yml', { id: id(500), title: 'Taken twice again' });
  writeRule(dir, 'rules/gen/r61.yml', { id: id(501), title: 'Taken twice' });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function build(out: string, jobs: number, ...more: string[]): { status: number | null; stderr: string } {
  const run = runRulec(
    ['build', join(dir, 'rules'), '--no-cache', '--allow-errors', '--out', join(dir, out), ...more],
    {
      env: { RULEC_FROM_SOURCE: '0', RULEC_JOBS: String(jobs) },
    },
  );
  return { status: run.status, stderr: run.stderr.split(join(dir, out)).join('<out>') };
}

describe.skipIf(!compiled)('streaming build on two threads', () => {
  it('makes the folder and the report of one thread', () => {
    const one = build('one', 1);
    const two = build('two', 2);
    expect(one.stderr).toContain('RC906');
    expect(one.stderr).toContain('RC907');
    expect(two).toEqual(one);
    expect(snapshot(join(dir, 'two'))).toEqual(snapshot(join(dir, 'one')));
  });

  it('checks and rebuilds an existing folder as one thread does', () => {
    expect(build('two', 2, '--check').status).toBe(1);
    writeRule(dir, 'rules/gen/r50.yml', { id: id(150), title: 'Edited' });
    const one = build('one', 1);
    const two = build('two', 2);
    expect(two).toEqual(one);
    expect(snapshot(join(dir, 'two'))).toEqual(snapshot(join(dir, 'one')));
    expect(build('two', 2, '--check').stderr).toEqual(build('one', 1, '--check').stderr);
  });
});
