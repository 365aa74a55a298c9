import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SplitterOptions } from '../../src/match/json-splitter.js';
import { JsonSplitter, splitJsonText } from '../../src/match/json-splitter.js';

interface Out {
  events: [unknown, number][];
  errors: [number, string][];
  codes: string[];
}

function split(chunks: readonly string[], options: SplitterOptions = {}): Out {
  const out: Out = { events: [], errors: [], codes: [] };
  const s = new JsonSplitter(
    (e, line) => out.events.push([e, line]),
    (line, message, code) => {
      out.errors.push([line, message]);
      out.codes.push(code);
    },
    options,
  );
  for (const c of chunks) s.push(c);
  s.end();
  return out;
}

describe('JsonSplitter', () => {
  it('reads NDJSON with CRLF, blank lines and a last line without newline', () => {
    const out = split(['{"a":1}\r\n\n{"a":2}\n   \n{"a":3}']);
    expect(out.events).toEqual([
      [{ a: 1 }, 1],
      [{ a: 2 }, 3],
      [{ a: 3 }, 5],
    ]);
    expect(out.errors).toEqual([]);
  });

  it('reports a malformed line with its line number and keeps going', () => {
    const out = split(['{"a":1}\n{"a":\n{"a":3}\n42\n']);
    expect(out.events.map(([, l]) => l)).toEqual([1, 3]);
    expect(out.errors.map(([l]) => l)).toEqual([2, 4]);
    expect(out.errors[0]![1]).toMatch(/^malformed JSON/);
    expect(out.errors[1]![1]).toBe('expected a JSON object, found number');
  });

  it('splits a pretty-printed top-level array into its elements', () => {
    const text = JSON.stringify([{ a: 1, s: 'x]}' }, { b: [1, { c: '\\"' }] }], null, 2);
    const out = split([text]);
    expect(out.events.map(([e]) => e)).toEqual([{ a: 1, s: 'x]}' }, { b: [1, { c: '\\"' }] }]);
    expect(out.events.map(([, l]) => l)).toEqual([2, 6]);
  });

  it('reads pretty-printed documents back to back (evtx_dump output)', () => {
    const doc = (n: number): string => JSON.stringify({ Event: { System: { EventID: n, S: 'a{b' } } }, null, 2);
    const text = `${doc(1)}\n${doc(2)}\n`;
    const out = split([text]);
    expect(out.events.map(([e]) => (e as { Event: { System: { EventID: number } } }).Event.System.EventID)).toEqual([
      1, 2,
    ]);
    expect(out.events[1]![1]).toBe(doc(1).split('\n').length + 1);
  });

  it('strips a byte order mark and reports an unterminated value at the end', () => {
    const out = split(['\uFEFF[{"a":1},', ' {"b":']);
    expect(out.events).toEqual([[{ a: 1 }, 1]]);
    expect(out.errors).toEqual([[1, 'unexpected end of input inside a JSON value']]);
  });

  it('treats an array on one NDJSON line as a list of events', () => {
    const out = split(['{"a":0}\n[{"a":1},{"a":2}]\n']);
    expect(out.events).toEqual([
      [{ a: 0 }, 1],
      [{ a: 1 }, 2],
      [{ a: 2 }, 2],
    ]);
  });

  it('gives the same events however the input is cut into chunks', () => {
    const event = fc.dictionary(
      fc.string({ maxLength: 5 }),
      fc.oneof(
        fc.string({ maxLength: 8 }),
        fc.integer(),
        fc.constant(null),
        fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
      ),
      { maxKeys: 4 },
    );
    const layout = fc.constantFrom('ndjson', 'array', 'pretty');
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 6 }),
        layout,
        fc.array(fc.nat(), { maxLength: 6 }),
        (events, kind, cuts) => {
          const text =
            kind === 'ndjson'
              ? events.map((e) => JSON.stringify(e)).join('\n')
              : kind === 'array'
                ? JSON.stringify(events, null, 1)
                : events.map((e) => JSON.stringify(e, null, 2)).join('\n');
          const positions = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
          const chunks: string[] = [];
          let from = 0;
          for (const p of positions) {
            chunks.push(text.slice(from, p));
            from = p;
          }
          chunks.push(text.slice(from));
          const whole = split([text]);
          const cut = split(chunks);
          expect(whole.errors).toEqual([]);
          expect(whole.events.map(([e]) => e)).toEqual(events);
          expect(cut).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('splitJsonText reads a whole text', () => {
    const seen: unknown[] = [];
    splitJsonText(
      '{"x":1}\n',
      (e) => seen.push(e),
      () => undefined,
    );
    expect(seen).toEqual([{ x: 1 }]);
  });

  it('resynchronises after a lone `{` line in NDJSON: the later events are all read', () => {
    const lines = Array.from({ length: 10 }, (_, i) => JSON.stringify({ n: i }));
    const out = split([[...lines.slice(0, 3), '{', ...lines.slice(3)].join('\n')]);
    expect(out.events.map(([e]) => (e as { n: number }).n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(out.events.map(([, l]) => l)).toEqual([1, 2, 3, 5, 6, 7, 8, 9, 10, 11]);
    expect(out.errors).toEqual([[4, 'malformed JSON: the value is cut off before line 5 (reading resumes there)']]);
    expect(out.codes).toEqual(['RC980']);
  });

  it('resynchronises after a truncated pretty-printed document at the next top-level document', () => {
    const doc = (n: number): string =>
      JSON.stringify({ Event: { System: { EventID: n }, EventData: { a: 'x' } } }, null, 2);
    const cut = doc(2).split('\n').slice(0, 4).join('\n');
    const text = [doc(1), cut, doc(3), doc(4)].join('\n');
    const out = split([text]);
    const ids = out.events.map(([e]) => (e as { Event: { System: { EventID: number } } }).Event.System.EventID);
    expect(ids).toEqual([1, 3, 4]);
    expect(out.codes).toEqual(['RC980']);
    expect(out.errors[0]![0]).toBe(doc(1).split('\n').length + 1);
  });

  it('ends a value at a raw line break inside a string, and reads the next lines', () => {
    const out = split(['{"a":1}\n{"b": "open\n{"c":3}\n']);
    expect(out.events.map(([e]) => e)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(out.codes).toEqual(['RC951']);
    expect(out.errors[0]![0]).toBe(2);
  });

  it('skips a value or line longer than the limit without keeping it, and reads on', () => {
    const long = `{"a":"${'x'.repeat(500)}"}`;
    const lines = split([`{"a":1}\n`, long.slice(0, 100), long.slice(100), '\n{"a":2}\n'], { maxValueLength: 200 });
    expect(lines.events.map(([e]) => e)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(lines.codes).toEqual(['RC959']);
    expect(lines.errors[0]![0]).toBe(2);
    const pretty = JSON.stringify({ a: 'x'.repeat(500) }, null, 2);
    const docs = split([`${pretty.slice(0, 100)}`, `${pretty.slice(100)}\n{"a":2}\n`], { maxValueLength: 200 });
    expect(docs.events.map(([e]) => e)).toEqual([{ a: 2 }]);
    expect(docs.codes).toEqual(['RC959']);
  });

  it('keeps only the text of the open value, however long the stream (bounded memory)', () => {
    // A `{` never closed, followed by megabytes of indented text: past the limit nothing more is kept.
    const s = new JsonSplitter(
      () => undefined,
      () => undefined,
      { maxValueLength: 1 << 16 },
    );
    s.push('{\n');
    const chunk = `  "k": "${'z'.repeat(4000)}",\n`;
    for (let i = 0; i < 1000; i++) s.push(chunk);
    const held = (s as unknown as { parts: string[] }).parts.reduce((n, p) => n + p.length, 0);
    expect(held).toBe(0);
  });

  // The old splitter appended every chunk to one string and rescanned it: 16 MiB took 24 s here (64 MiB: 106 s).
  // Linear reading takes well under a second; 10 s cannot flake and cannot pass quadratically.
  it.each(['scan', 'line'] as const)('reads a 16 MiB %s value in 64 KiB chunks in linear time', (kind) => {
    let events = 0;
    const s = new JsonSplitter(
      () => events++,
      () => undefined,
    );
    const started = performance.now();
    s.push(kind === 'scan' ? '{\n  "a": "' : '{"a": "');
    const chunk = 'x'.repeat(1 << 16);
    for (let i = 0; i < 256; i++) s.push(chunk);
    s.push('"}\n{"b":1}\n');
    s.end();
    expect(events).toBe(2);
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('loses no intact event when a stray `{` or a cut document is inserted anywhere (property)', () => {
    const event = fc.dictionary(fc.string({ maxLength: 5 }), fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), {
      maxKeys: 3,
    });
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('ndjson', 'pretty'),
        fc.nat(),
        fc.constantFrom('{', 'cut'),
        fc.nat(),
        (events, kind, at, damage, cutAt) => {
          const docs = events.map((e) => (kind === 'ndjson' ? JSON.stringify(e) : JSON.stringify(e, null, 2)));
          const whole = JSON.stringify({ damaged: 'x', more: [1, 2] }, null, kind === 'ndjson' ? 0 : 2);
          const broken = damage === '{' ? '{' : whole.slice(0, 1 + (cutAt % (whole.length - 2)));
          const position = at % (docs.length + 1);
          const text = [...docs.slice(0, position), broken, ...docs.slice(position)].join('\n');
          const out = split([text]);
          const read = out.events.map(([e]) => e).filter((e) => !('damaged' in (e as object)));
          expect(read).toEqual(events);
          expect(out.errors.length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: Number(process.env['FC_RUNS'] ?? 300) },
    );
  });
});
