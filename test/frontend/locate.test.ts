import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/source/load.js';
import type { Locator } from '../../src/source/locator.js';

const TEXT = `title: x
detection:
  sel/one:
    Operation|contains: 'Set-Mailbox'
    Values:
      - "a\\tb"
      - plain
    Empty:
  condition: |
    sel/one
`;

function locator(text = TEXT): Locator {
  const doc = parseSource('r.yml', text).documents[0];
  if (!doc) throw new Error('no document');
  return doc.locator;
}

const at = (l: Locator, ...args: Parameters<Locator['span']>): string => {
  const span = l.span(...args);
  return span ? `${span.start.line}:${span.start.col}-${span.end.line}:${span.end.col}` : 'none';
};

describe('createLocator', () => {
  it('points at values by default and at keys with part "key"', () => {
    const l = locator();
    expect(at(l, ['detection', 'sel/one', 'Operation|contains'])).toBe('4:25-4:38');
    expect(at(l, ['detection', 'sel/one', 'Operation|contains'], 'key')).toBe('4:5-4:23');
  });

  it('follows list indexes given as numbers or digit strings', () => {
    const l = locator();
    expect(at(l, ['detection', 'sel/one', 'Values', 1])).toBe('7:9-7:14');
    expect(at(l, ['detection', 'sel/one', 'Values', '1'])).toBe('7:9-7:14');
  });

  it('falls back to the nearest existing ancestor for a missing path', () => {
    const l = locator();
    expect(at(l, ['detection', 'sel/one', 'Values', 9])).toBe(at(l, ['detection', 'sel/one', 'Values']));
    expect(at(l, ['detection', 'nope', 'deeper'])).toBe(at(l, ['detection']));
  });

  it('points at the key when the value is empty', () => {
    const l = locator();
    expect(at(l, ['detection', 'sel/one', 'Empty'])).toBe('8:5-8:10');
  });

  it('describes scalars with their YAML style and raw source', () => {
    const l = locator();
    expect(l.scalar(['detection', 'sel/one', 'Operation|contains'])).toMatchObject({
      type: 'QUOTE_SINGLE',
      source: "'Set-Mailbox'",
    });
    expect(l.scalar(['detection', 'sel/one', 'Values', 0])).toMatchObject({ type: 'QUOTE_DOUBLE', source: '"a\\tb"' });
    expect(l.scalar(['detection', 'sel/one', 'Values', 1])).toMatchObject({ type: 'PLAIN', source: 'plain' });
    expect(l.scalar(['detection', 'condition'])?.type).toBe('BLOCK_LITERAL');
    expect(l.scalar(['detection', 'sel/one'])).toBeUndefined();
    expect(l.scalar(['detection', 'missing'])).toBeUndefined();
  });

  it('maps offsets inside a plain scalar one to one', () => {
    const l = locator();
    const info = l.scalar(['detection', 'sel/one', 'Values', 1]);
    expect(info).toBeDefined();
    const span = l.spanAt(info!.span.start.offset + 2, info!.span.start.offset + 4);
    expect(TEXT.slice(span.start.offset, span.end.offset)).toBe('ai');
    expect([span.start.line, span.start.col]).toEqual([7, 11]);
  });

  it('resolves aliases on the way', () => {
    const l = locator('base: &b\n  x: 1\nother: *b\n');
    expect(at(l, ['other', 'x'])).toBe('2:6-2:7');
  });

  it('reports the file it locates in', () => {
    expect(locator().file).toBe('r.yml');
  });
});
