import { describe, expect, it } from 'vitest';
import { loadSource, MAX_DEPTH, parseSource } from '../../src/source/load.js';
import { MAX_SOURCE_BYTES } from '../../src/source/decode.js';
import { where, wheres } from './helpers.js';

describe('loadSource: corrupt files get a diagnostic, never a throw', () => {
  it('reports a duplicate key at the second occurrence', () => {
    const loaded = loadSource('r.yml', 'title: a\nlevel: low\ntitle: b\n');
    expect(wheres(loaded.diagnostics)).toEqual(['RC011 3:1']);
    expect(loaded.documents[0]?.ok).toBe(false);
  });

  it('rejects binary content (NUL bytes) before parsing', () => {
    const loaded = loadSource('r.yml', Buffer.from([0x74, 0x69, 0x00, 0x01, 0xff]));
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['RC003']);
    expect(loaded.diagnostics[0]?.message).toContain('byte 2');
    expect(loaded.documents).toEqual([]);
  });

  it('rejects invalid UTF-8 and says where', () => {
    const loaded = loadSource('r.yml', Buffer.concat([Buffer.from('title: caf'), Buffer.from([0xc3, 0x28])]));
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['RC004']);
    expect(loaded.diagnostics[0]?.message).toContain('byte 10');
  });

  it('accepts UTF-8 with a byte-order mark and keeps positions relative to the text after it', () => {
    const loaded = loadSource('r.yml', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a: 1\na: 2\n')]));
    expect(wheres(loaded.diagnostics)).toEqual(['RC011 2:1']);
  });

  it.each([
    ['empty', ''],
    ['blank', '\n  \n'],
    ['comments only', '# nothing here\n# at all\n'],
  ])('reports an %s file', (_name, text) => {
    const loaded = parseSource('r.yml', text);
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['RC002']);
    expect(loaded.documents).toEqual([]);
  });

  it('reports a list document at the list', () => {
    const loaded = parseSource('r.yml', '# rules\n- title: a\n- title: b\n');
    expect(wheres(loaded.diagnostics)).toEqual(['RC020 2:1']);
    expect(loaded.diagnostics[0]?.message).toContain('a list');
  });

  it('reports a scalar document', () => {
    const loaded = parseSource('r.yml', 'just some words\n');
    expect(wheres(loaded.diagnostics)).toEqual(['RC020 1:1']);
    expect(loaded.diagnostics[0]?.message).toContain('a single value');
  });

  it('reports deep flow nesting before the parser sees it, at the bracket past the limit', () => {
    const text = `title: x\nfoo: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`;
    const started = Date.now();
    const loaded = parseSource('r.yml', text);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(wheres(loaded.diagnostics)).toEqual([`RC013 2:${6 + MAX_DEPTH}`]);
  });

  it('ignores brackets inside quoted strings and comments when checking depth', () => {
    const text = `a: '${'['.repeat(100)}'\nb: "${'{'.repeat(100)}"\n# ${'['.repeat(100)}\n`;
    expect(parseSource('r.yml', text).diagnostics).toEqual([]);
  });

  it('reports deep block nesting', () => {
    let text = '';
    for (let i = 0; i < MAX_DEPTH + 5; i++) text += `${' '.repeat(i)}k${i}:\n`;
    text += `${' '.repeat(MAX_DEPTH + 5)}leaf\n`;
    const loaded = parseSource('r.yml', text);
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['RC013']);
    // The first collection past the limit is the map that starts on line MAX_DEPTH + 1.
    expect(loaded.diagnostics[0]?.span?.start.line).toBe(MAX_DEPTH + 1);
  });

  it('rejects a file over the size limit without parsing it', () => {
    const text = `title: x\ndescription: ${'a'.repeat(MAX_SOURCE_BYTES)}\n`;
    const loaded = loadSource('r.yml', Buffer.from(text));
    expect(loaded.diagnostics.map((d) => d.code)).toEqual(['RC005']);
  });

  it('reports YAML syntax errors with their position', () => {
    const loaded = parseSource('r.yml', 'title: x\ndetection: [a, b\nlevel: low\n');
    expect(loaded.diagnostics.length).toBeGreaterThan(0);
    expect(loaded.diagnostics.every((d) => d.code === 'RC010' && d.severity === 'error')).toBe(true);
    expect(loaded.diagnostics[0]?.span?.start.line).toBeGreaterThanOrEqual(2);
    expect(loaded.diagnostics[0]?.message).toMatch(/^[a-z]/);
  });

  it('reports a tab used for indentation', () => {
    const loaded = parseSource('r.yml', 'detection:\n\tselection: 1\n');
    expect(loaded.diagnostics.map(where)[0]).toMatch(/^RC010 2:/);
  });

  it('stops alias bombs', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(
        `${name}: &${name} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    const loaded = parseSource('r.yml', `${lines.join('\n')}\n`);
    expect(loaded.diagnostics.map((d) => d.code)).toContain('RC014');
  });
});

describe('parseSource: data', () => {
  it('keeps unquoted dates as strings (YAML 1.2 core schema)', () => {
    const loaded = parseSource('r.yml', 'date: 2023-01-05\nmodified: 2024-12-31\n');
    expect(loaded.documents[0]?.data).toEqual({ date: '2023-01-05', modified: '2024-12-31' });
  });

  it('reads yes/no as strings and true/false as booleans', () => {
    const loaded = parseSource('r.yml', 'a: yes\nb: no\nc: true\nd: false\n');
    expect(loaded.documents[0]?.data).toEqual({ a: 'yes', b: 'no', c: true, d: false });
  });

  it('returns every document of a multi-document file with its index', () => {
    const loaded = parseSource('r.yml', 'title: one\n---\ntitle: two\n---\n');
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.documents.map((d) => [d.index, d.data])).toEqual([
      [0, { title: 'one' }],
      [1, { title: 'two' }],
    ]);
  });

  it('keeps an error in one document to that document', () => {
    const loaded = parseSource('r.yml', 'title: one\n---\ntitle: two\ntitle: again\n');
    expect(wheres(loaded.diagnostics)).toEqual(['RC011 4:1']);
    expect(loaded.documents.map((d) => d.ok)).toEqual([true, false]);
  });

  it('keeps a __proto__ key as data', () => {
    const loaded = parseSource('r.yml', 'x:\n  __proto__: {polluted: 1}\n');
    const x = (loaded.documents[0]?.data as { x: object }).x;
    expect(Object.getPrototypeOf(x)).toBe(Object.prototype);
    expect(Object.keys(x)).toEqual(['__proto__']);
  });
});
