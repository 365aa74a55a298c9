/**
 * Concurrent builds and write failures (issue 11 §7, §8): a lock beside the output folder serialises builds of it,
 * a lock or staging folder left by a killed build is taken over or removed, and a failed write is one line with
 * its cause, the staging folder gone and the previous output in place. Real processes throughout.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replaceTree, WriteError } from '../../src/build/atomic.js';
import { id, snapshot, writeRule } from '../helpers/build-fixtures.js';
import { RULEC_BIN, runRulec } from '../helpers/run-rulec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-build-lock-'));
  writeRule(dir, 'rules/a/one.yml', { id: id(1), title: 'One' });
  writeRule(dir, 'rules/b/two.yml', { id: id(2), title: 'Two' });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that belonged to a process which has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '0']);
  return child.pid!;
}

/** Runs the binary without blocking the test, resolving with its exit code and stderr. */
function start(args: string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [RULEC_BIN, ...args], {
      cwd: dir,
      env: { ...process.env, RULEC_FROM_SOURCE: '1', NO_COLOR: '1' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (status) => done({ status, stderr }));
  });
}

const leftovers = (): string[] => readdirSync(dir).filter((n) => /\.(lock|previous)$|\.staging-/.test(n));

describe('rulec build: one build at a time', () => {
  it('refuses after a bounded wait while a live build holds the lock, and takes over a dead one', () => {
    writeFileSync(join(dir, 'dist.lock'), `${process.pid}\n`);
    const started = Date.now();
    const busy = runRulec(['build', '--no-cache', 'rules', '--out', 'dist', '--wait', '1'], { cwd: dir });
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain(`error[RC911]: another rulec build (pid ${process.pid}) is writing`);
    expect(Date.now() - started).toBeLessThan(45_000);
    expect(existsSync(join(dir, 'dist'))).toBe(false);

    writeFileSync(join(dir, 'dist.lock'), `${deadPid()}\n`);
    const run = runRulec(['build', '--no-cache', 'rules', '--out', 'dist'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(existsSync(join(dir, 'dist', 'elastic', `${id(1)}.json`))).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it('two builds of different folders started together both land, one after the other', async () => {
    const [a, b] = await Promise.all([
      start(['build', '--no-cache', 'rules/a', '--out', 'dist']),
      start(['build', '--no-cache', 'rules/b', '--out', 'dist']),
    ]);
    expect(a.stderr).not.toMatch(/^\s+at /m);
    expect(b.stderr).not.toMatch(/^\s+at /m);
    expect([a.status, b.status]).toEqual([0, 0]);
    const out = snapshot(join(dir, 'dist'));
    expect(out.has(`elastic/${id(1)}.json`)).toBe(true);
    expect(out.has(`elastic/${id(2)}.json`)).toBe(true);
    expect(out.get('elastic/rules.ndjson')!.trim().split('\n')).toHaveLength(2);
    expect(leftovers()).toEqual([]);
  });
});

describe('rulec build: write failures', () => {
  it('a failed write is one line with its cause; the staging folder is removed and the output kept', () => {
    expect(runRulec(['build', '--no-cache', 'rules', '--out', 'dist'], { cwd: dir }).status).toBe(0);
    const before = snapshot(join(dir, 'dist'));
    // A rule without an id whose file name is 250 characters: its Sentinel `.arm.json` name is over the 255-byte
    // limit of Linux file systems, so writing the staging tree fails half-way (as root too, unlike chmod).
    writeRule(dir, `rules/a/${'x'.repeat(250)}.yml`, { id: null, title: 'Long' });
    const run = runRulec(['build', '--no-cache', 'rules', '--out', 'dist'], { cwd: dir });
    expect(run.status).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error\[RC912\]: cannot write .*dist: ENAMETOOLONG/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(leftovers()).toEqual([]);
    expect(snapshot(join(dir, 'dist'))).toEqual(before);

    // A file where the output's parent folder must be.
    writeFileSync(join(dir, 'plain'), 'x\n');
    const blocked = runRulec(['build', '--no-cache', 'rules/b', '--out', 'plain/dist'], { cwd: dir });
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toMatch(/error\[RC912\]: cannot build into .*plain\/dist: E[A-Z]+ /);
    expect(blocked.stderr).not.toMatch(/^\s+at /m);
  });

  it('removes staging folders of dead builds at the next start', () => {
    const stale = join(dir, `dist.staging-${deadPid()}`);
    mkdirSync(join(stale, 'elastic'), { recursive: true });
    writeFileSync(join(stale, 'elastic', 'half.json'), '{');
    expect(runRulec(['build', '--no-cache', 'rules/b', '--out', 'dist'], { cwd: dir }).status).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('replaceTree removes its staging folder and keeps the previous tree when the disk fills up', () => {
    const out = join(dir, 'tree');
    replaceTree(out, new Map([['a/x.txt', 'old\n']]));
    let writes = 0;
    const full = (): never => {
      throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC', syscall: 'open' });
    };
    const writer = {
      mkdir: (path: string) => void mkdirSync(path, { recursive: true }),
      writeFile: (path: string, content: string) => (++writes > 1 ? full() : writeFileSync(path, content)),
      rename: () => full(),
    };
    let error: unknown;
    try {
      replaceTree(
        out,
        new Map([
          ['a/x.txt', 'new\n'],
          ['a/y.txt', 'new\n'],
        ]),
        writer,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WriteError);
    expect((error as WriteError).message).toContain('ENOSPC (no space left on device)');
    expect(snapshot(out)).toEqual(new Map([['a/x.txt', 'old\n']]));
    expect(leftovers()).toEqual([]);
  });
});
