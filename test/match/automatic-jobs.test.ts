/**
 * `rulec match` without `--jobs`: inputs known to hold less than PARALLEL_MIN_BYTES stay on the main thread (workers
 * would cost more to start than they save); larger inputs, folders adding up to more, gzip files counted at their
 * likely size, and standard input (size unknown) get one worker per core.
 */
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { automaticJobs, PARALLEL_MIN_BYTES } from '../../src/cli/match-parallel.js';

describe('automaticJobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-auto-jobs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Sparse files: their size is what counts, nothing is read.
  const file = (name: string, size: number): string => {
    const path = join(dir, name);
    writeFileSync(path, '');
    truncateSync(path, size);
    return path;
  };

  it('keeps a small input on one thread and gives a large one every core', () => {
    expect(automaticJobs([file('small.ndjson', 1 << 20)], 4)).toBe(1);
    expect(automaticJobs([file('large.ndjson', PARALLEL_MIN_BYTES)], 4)).toBe(4);
  });

  it('adds up several inputs and the files of a folder', () => {
    const half = PARALLEL_MIN_BYTES / 2;
    expect(automaticJobs([file('a.ndjson', half - 1), file('b.ndjson', half)], 2)).toBe(1);
    expect(automaticJobs([file('c.ndjson', half), file('d.ndjson', half)], 2)).toBe(2);
    const folder = join(dir, 'logs');
    mkdirSync(folder);
    writeFileSync(join(folder, 'x.ndjson'), '');
    truncateSync(join(folder, 'x.ndjson'), half);
    writeFileSync(join(folder, 'y.json'), '');
    truncateSync(join(folder, 'y.json'), half);
    expect(automaticJobs([folder], 2)).toBe(2);
  });

  it('counts a gzip input at its likely uncompressed size', () => {
    expect(automaticJobs([file('big.ndjson.gz', PARALLEL_MIN_BYTES / 8)], 2)).toBe(2);
    expect(automaticJobs([file('tiny.ndjson.gz', 1024)], 2)).toBe(1);
  });

  it('gives standard input every core (its size is unknown) and one core one thread', () => {
    expect(automaticJobs([], 2)).toBe(2);
    expect(automaticJobs(['-'], 2)).toBe(2);
    expect(automaticJobs([file('huge.ndjson', PARALLEL_MIN_BYTES * 2)], 1)).toBe(1);
  });

  it('ignores a missing input (reported when read)', () => {
    expect(automaticJobs([join(dir, 'missing.ndjson')], 2)).toBe(1);
  });
});
