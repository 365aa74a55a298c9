/**
 * The streaming build's writes on the thread pool (build/write-queue.ts): fragments read back as stored, whatever
 * their size against the chunks they are gathered in, and a failed file write surfacing as the build's WriteError
 * once no other write is in flight, so that the staging folder can be removed whole.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WriteError } from '../../src/build/atomic.js';
import { FragmentFile } from '../../src/build/fragment-file.js';
import { StagedTree } from '../../src/build/staged-tree.js';
import { WriteQueue } from '../../src/build/write-queue.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-write-queue-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FragmentFile', () => {
  it('reads back every fragment as stored: small ones, multi-byte ones, ones larger than a chunk', async () => {
    const queue = new WriteQueue();
    const file = new FragmentFile(join(dir, 'fragments'), queue);
    const texts: string[] = [];
    for (let i = 0; i < 2000; i++) {
      // Every 97th fragment is larger than a chunk (256 KiB), and comes after chunks were written and freed.
      const size = i % 97 === 96 ? 300_000 : (i * 7919) % 3000;
      const text = `["${i}","${'é'.repeat(i % 50)}${'a'.repeat(size)}"]`;
      texts.push(text);
      expect(file.add(text)).toBe(i);
      if (i % 5 === 0) await queue.drain(2 ** 21);
    }
    expect(() => file.get(0)).toThrow(/drain/);
    file.flush();
    await queue.drain(0);
    texts.forEach((text, i) => expect(file.get(i)).toBe(text));
    file.close();
  });
});

describe('StagedTree.putSoon', () => {
  it('drain(0) waits for a write of no bytes too (an empty file)', async () => {
    const queue = new WriteQueue();
    let finish: (() => void) | undefined;
    queue.run(0, (done) => (finish = () => done(null)));
    let drained = false;
    const draining = queue.drain(0).then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    finish!();
    await draining;
    expect(queue.inFlight).toBe(0);
  });

  it('stages the files written on the thread pool, as put does', async () => {
    const out = join(dir, 'out');
    const tree = new StagedTree(out, true);
    tree.putSoon('a/one.txt', 'one ✓\n');
    tree.putSoon('a/b/two.txt', '');
    tree.putSoon('three.txt', 'x'.repeat(100_000));
    expect(() => tree.put('four.txt', '4')).toThrow(/drained/);
    await tree.queue.drain(0);
    tree.put('four.txt', '4');
    expect(tree.diff().added).toEqual(['a/b/two.txt', 'a/one.txt', 'four.txt', 'three.txt']);
    tree.commit();
    expect(readFileSync(join(out, 'a', 'one.txt'), 'utf8')).toBe('one ✓\n');
    expect(readFileSync(join(out, 'a', 'b', 'two.txt'), 'utf8')).toBe('');
    expect(readFileSync(join(out, 'three.txt'), 'utf8')).toBe('x'.repeat(100_000));
  });

  it('throws the failed write as a WriteError once no write is in flight; nothing is left behind', async () => {
    const out = join(dir, 'out');
    const tree = new StagedTree(out, true);
    for (let i = 0; i < 50; i++) tree.putSoon(`ok/${i}.txt`, 'x'.repeat(10_000));
    // A name over the 255-byte limit of Linux file systems.
    tree.putSoon(`${'x'.repeat(300)}.txt`, 'too long');
    for (let i = 50; i < 100; i++) tree.putSoon(`ok/${i}.txt`, 'x'.repeat(10_000));
    const error = await tree.queue.drain(0).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).message).toMatch(/^cannot write .*out: ENAMETOOLONG \(.*\) writing /);
    expect(tree.queue.inFlight).toBe(0);
    tree.discard();
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(out)).toBe(false);
  });
});

describe('StagedTree.putStream', () => {
  // Parts of every size against the 64 KiB chunk they are gathered in: lines, a comma, one larger than a chunk.
  const parts = (last: string): string[] => [
    ...Array.from({ length: 3000 }, (_, i) => `{"line":${i},"text":"${'é'.repeat(i % 40)}"}\n`),
    ',',
    'x'.repeat(200_000),
    ...Array.from({ length: 100 }, (_, i) => `${i}\n`),
    last,
  ];
  const put = (tree: StagedTree, last: string): void =>
    tree.putStream('all.ndjson', (write) => parts(last).forEach((part) => write(part)));

  it('writes the parts as one file, and finds it the same, or changed, when made again', () => {
    const out = join(dir, 'out');
    const first = new StagedTree(out, true);
    put(first, 'end');
    first.commit();
    expect(readFileSync(join(out, 'all.ndjson'), 'utf8')).toBe(parts('end').join(''));
    const same = new StagedTree(out, false);
    put(same, 'end');
    expect(same.diff()).toEqual({ added: [], changed: [], removed: [] });
    const changed = new StagedTree(out, false);
    put(changed, 'enD');
    expect(changed.diff().changed).toEqual(['all.ndjson']);
    const longer = new StagedTree(out, false);
    put(longer, 'end!');
    expect(longer.diff().changed).toEqual(['all.ndjson']);
  });
});
