import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSplitter, splitJsonText } from '../../src/match/json-splitter.js';

interface Out {
  events: [unknown, number][];
  errors: [number, string][];
}

function split(chunks: readonly string[]): Out {
  const out: Out = { events: [], errors: [] };
  const s = new JsonSplitter(
    (e, line) => out.events.push([e, line]),
    (line, message) => out.errors.push([line, message]),
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
});
