/**
 * The streaming build (build/stream.ts: `--no-cache`, `--check`) and the in-memory one (the result cache's path)
 * make the same folder and say the same things, including where rules are linked across files: ids taken twice
 * (RC906), titles taken twice (lengthened, RC907), filters from the rule paths and `--filters`, correlation rules
 * and the rules they withhold. In-process (buildCommand) for speed.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import { buildCommand } from '../../src/cli/build-command.js';
import type { CliIo } from '../../src/cli/io.js';
import { id, snapshot, writeRule } from '../helpers/build-fixtures.js';

const FIXTURES = fileURLToPath(new URL('../correlation/fixtures/build/', import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-build-stream-'));
  cpSync(join(FIXTURES, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(FIXTURES, 'tuning'), join(dir, 'tuning'), { recursive: true });
  // Read in this order, but `b/` sorts first by place: the rule of b/ keeps the id, a/'s loses it.
  writeRule(dir, 'rules/a/one.yml', { id: id(1), title: 'Same title' });
  writeRule(dir, 'rules/a-b/two.yml', { id: id(1), title: 'Other title' });
  writeRule(dir, 'rules/c/three.yml', { id: id(3), title: 'Same title' });
  writeRule(dir, 'rules/c/four.yml', { id: null, title: 'Same title' });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function build(out: string, cache: boolean): Promise<{ status: number; stderr: string }> {
  let stderr = '';
  const io: CliIo = { isTty: false, stdout: () => undefined, stderr: (t) => void (stderr += t) };
  const status = await buildCommand(
    [join(dir, 'rules')],
    {
      out: join(dir, out),
      check: false,
      targets: BACKENDS.map((b) => b.id),
      allowRefusals: true,
      allowErrors: true,
      quiet: false,
      cache,
      filters: [join(dir, 'tuning')],
    },
    BACKENDS,
    io,
  );
  return { status, stderr: stderr.split(join(dir, out)).join('<out>') };
}

describe('streaming build', () => {
  it('makes the folder the in-memory build makes, with the same report', async () => {
    const inMemory = await build('memory', true);
    const streamed = await build('stream', false);
    expect(streamed.stderr).toContain('RC906');
    expect(streamed.stderr).toContain('RC907');
    expect(streamed).toEqual(inMemory);
    expect(snapshot(join(dir, 'stream'))).toEqual(snapshot(join(dir, 'memory')));
  });

  it('rebuilds an existing folder to the same files, and finds nothing to change the second time', async () => {
    await build('memory', true);
    writeRule(dir, 'rules/c/five.yml', { id: id(5), title: 'Five' });
    const inMemory = await build('memory', true);
    await build('stream', false);
    rmSync(join(dir, 'rules/c/five.yml'));
    await build('stream', false);
    writeRule(dir, 'rules/c/five.yml', { id: id(5), title: 'Five' });
    const streamed = await build('stream', false);
    expect(snapshot(join(dir, 'stream'))).toEqual(snapshot(join(dir, 'memory')));
    expect(streamed.stderr.replace(/\n[^\n]*added[^\n]*\n$/, '')).toEqual(
      inMemory.stderr.replace(/\n[^\n]*added[^\n]*\n$/, ''),
    );
    expect((await build('stream', false)).stderr).toMatch(/nothing changed/);
  });
});
