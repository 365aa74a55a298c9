/**
 * `rulec targets | head -1`: a reader that closes the pipe early ends the process quietly (status 0, nothing on
 * stderr) instead of an EPIPE stack trace, for every command, because the process streams handle it once.
 */
import { spawn } from 'node:child_process';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { closedPipeTolerant } from '../../src/cli/io.js';
import { REPO_ROOT, RULEC_BIN } from '../helpers/run-rulec.js';

function epipe(): NodeJS.ErrnoException {
  return Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
}

/** A stream that fails its writes like a pipe whose reader went away, or with the given code. */
function failing(code: string): Writable & { attempts: number } {
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      stream.attempts += 1;
      callback(code === 'EPIPE' ? epipe() : Object.assign(new Error(code), { code }));
    },
  }) as Writable & { attempts: number };
  stream.attempts = 0;
  return stream;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('closedPipeTolerant', () => {
  it('swallows EPIPE, drops later writes and calls onClosed once per dropped write', async () => {
    const stream = failing('EPIPE');
    let closedCalls = 0;
    const write = closedPipeTolerant(stream, () => (closedCalls += 1));
    write('first\n');
    await tick();
    expect(closedCalls).toBe(0);
    write('second\n');
    expect(closedCalls).toBe(1);
    expect(stream.attempts).toBe(1);
  });

  it('keeps other write errors visible when nothing else listens', () => {
    const stream = failing('ENOSPC');
    closedPipeTolerant(stream);
    // What Node does with an unhandled 'error' event: it throws where the stream emits it.
    expect(() => stream.emit('error', Object.assign(new Error('write ENOSPC'), { code: 'ENOSPC' }))).toThrow('ENOSPC');
  });

  it('leaves other write errors to a listener that handles them (rulec match reports RC957)', async () => {
    const stream = failing('ENOSPC');
    closedPipeTolerant(stream);
    const seen: string[] = [];
    stream.on('error', (error: NodeJS.ErrnoException) => seen.push(error.code ?? ''));
    stream.write('x');
    await tick();
    expect(seen).toEqual(['ENOSPC']);
  });
});

/** Runs the binary with its stdout read end closed before it writes anything. */
function runWithClosedStdout(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RULEC_BIN, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, RULEC_FROM_SOURCE: '1', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('bin/rulec.js with a closed stdout', () => {
  it.each([
    ['targets', ['targets']],
    ['compile', ['compile', '--target', 'elastic', 'rules']],
  ])(
    '%s ends with status 0 and no EPIPE trace',
    async (_name, args) => {
      const run = await runWithClosedStdout(args);
      expect(run.stderr).not.toMatch(/EPIPE|Unhandled 'error' event|at .*\.ts:\d+/);
      expect(run.status).toBe(0);
    },
    60_000,
  );
});
