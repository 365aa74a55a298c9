/**
 * Reading the event file a rule's test names (`tests: - file: …`), which a hostile rule controls. The policy:
 *
 * - the file must resolve, after every symlink is followed, inside the folder that holds the rule (or a folder below
 *   it). The rule's own folder, not the folder given on the command line, so a rule's tests behave the same whether
 *   one runs `rulec test rules` or `rulec test rules/m365/x.yml`;
 * - it must be a regular file (a FIFO or `/dev/stdin` would block forever, `/dev/zero` never ends);
 * - it must be at most `MAX_TEST_FILE_BYTES`, checked with `stat` before reading and again while reading, because
 *   files such as those under `/proc` report size 0.
 *
 * A refusal names the code and the path as written in the rule and never anything read from the file.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import './codes.js';

/** Test event files are a few events each; 8 MiB is far beyond any of them and bounds memory. */
export const MAX_TEST_FILE_BYTES = 8 * 1024 * 1024;

/** A refused or unreadable test file: the code (RC97x) and a message without any of the file's content. */
export class TestFileError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'TestFileError';
  }
}

/** Reads the test event file `written` (as written in the rule) of the rule in `ruleFile`, or throws `TestFileError`. */
export function readTestFile(
  ruleFile: string,
  written: string,
  limit = MAX_TEST_FILE_BYTES,
): { path: string; text: string } {
  const folder = dirname(ruleFile);
  const shown = JSON.stringify(written);
  let root: string;
  let real: string;
  try {
    root = realpathSync(folder);
  } catch (error) {
    throw new TestFileError('RC973', `test file ${shown}: the rule's folder cannot be resolved (${errnoOf(error)})`);
  }
  try {
    real = realpathSync(resolve(folder, written));
  } catch (error) {
    const code = errnoOf(error);
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'ELOOP' ? 'its symlinks form a loop' : code;
    throw new TestFileError('RC973', `test file ${shown} cannot be read: ${why}`);
  }
  if (!isInside(root, real)) {
    throw new TestFileError(
      'RC970',
      `test file ${shown} resolves outside the rule's folder; test event files must live in the rule's folder or below it`,
    );
  }
  const stat = statSync(real);
  if (!stat.isFile()) throw new TestFileError('RC971', `test file ${shown} is ${kindOf(stat)}, not a regular file`);
  if (stat.size > limit) throw tooBig(shown, limit);
  // O_NONBLOCK: should the file have been swapped for a FIFO since the stat, opening it must not wait for a writer.
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    throw new TestFileError('RC973', `test file ${shown} cannot be read: ${errnoOf(error)}`);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.ino !== stat.ino || opened.dev !== stat.dev) {
      throw new TestFileError('RC971', `test file ${shown} changed while it was opened; it is not read`);
    }
    return { path: real, text: readBounded(fd, shown, limit) };
  } finally {
    closeSync(fd);
  }
}

/** Reads until end of file but never more than `limit` bytes, whatever size the file claimed. */
function readBounded(fd: number, shown: string, limit: number): string {
  const buffer = Buffer.alloc(Math.min(limit + 1, 64 * 1024));
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      throw new TestFileError('RC973', `test file ${shown} cannot be read: ${errnoOf(error)}`);
    }
    if (n === 0) break;
    total += n;
    if (total > limit) throw tooBig(shown, limit);
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function tooBig(shown: string, limit: number): TestFileError {
  return new TestFileError('RC972', `test file ${shown} is larger than the ${limit}-byte limit for a test event file`);
}

/** Whether `path` is `root` itself or below it (both already real paths). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'a special file';
}

function errnoOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'unknown error';
}
