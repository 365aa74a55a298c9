/**
 * src/match/read-ahead.ts: a regular file's bytes in order, whole, whatever its size against the chunk size and
 * however many reads are in flight; a missing file fails where the first chunk would be; a consumer that stops
 * early leaves no read behind (the handle is closed).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readAhead } from '../../src/match/read-ahead.js';
import { readEvents } from '../../src/match/read-events.js';

const dir = mkdtempSync(join(tmpdir(), 'rulec-read-ahead-'));

async function chunks(path: string, size: number, ahead: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of readAhead(path, size, ahead)) out.push(chunk);
  return out;
}

describe('readAhead', () => {
  it('gives every byte once, in order, in chunks of the size asked (the last shorter, none empty)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 5 }),
        async (bytes, size, ahead) => {
          const path = join(dir, 'bytes.bin');
          writeFileSync(path, bytes);
          const got = await chunks(path, size, ahead);
          expect(Buffer.concat(got).equals(Buffer.from(bytes))).toBe(true);
          for (const c of got.slice(0, -1)) expect(c.length).toBe(size);
          for (const c of got) expect(c.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails on a missing file where its first chunk would be', async () => {
    await expect(chunks(join(dir, 'missing.ndjson'), 16, 4)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('closes the file when the consumer stops early', async () => {
    const path = join(dir, 'early.bin');
    writeFileSync(path, Buffer.alloc(1000, 1));
    const reader = readAhead(path, 10, 4);
    expect((await reader.next()).value).toHaveLength(10);
    await reader.return(undefined);
    expect((await reader.next()).done).toBe(true);
  });

  it('reads events of a file through the reader, the same as one read whole', async () => {
    const path = join(dir, 'events.ndjson');
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ i, text: 'é'.repeat(i % 7) }));
    writeFileSync(path, `${lines.join('\n')}\n`);
    const got: unknown[] = [];
    for await (const record of readEvents(path, { chunkSize: 97 })) got.push(record.event);
    expect(got).toEqual(lines.map((l) => JSON.parse(l)));
  });
});
