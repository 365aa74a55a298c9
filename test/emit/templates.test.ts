/** The template helpers are the only way rule text reaches an artifact: each must round-trip any value. */
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadTemplates, TemplateError } from '../../src/emit/templates.js';

function templates(files: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'rulec-tpl-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return loadTemplates(dir);
}

const TRICKY = [
  'true',
  'No',
  'null',
  '~',
  'y',
  '1e3',
  '0x1F',
  '0o17',
  '12',
  '-3.5',
  '.5',
  '1_000',
  '2023-01-05',
  '2023-1-5 10:00',
  '- a',
  '? x',
  'a: b',
  'a #b',
  '#x',
  '*x',
  '&x',
  '!x',
  '%x',
  '@x',
  '`x',
  '"x',
  "'x",
  '[x',
  '{x',
  '|x',
  '>x',
  'x ',
  ' x',
  '',
  'a\nb',
  'a\n',
  '\nlead',
  '  indented\nnext',
  'tab\tx',
  'é',
  'organization’s',
  '\u2028',
  '\u0085',
  '\ufeff',
  'C:\\Windows\\',
  'x'.repeat(3000),
  '207.0.0',
  '675239ea-c1bc-4467-a6d3-b9e2cc7f676d',
  '5m',
  'para one\n\npara two\n',
  'https://x.test/a#b',
  'a:b',
  'a:',
  'x #y',
  '1:20',
  '190:20:30',
];

/** Keys come from rulec's own views, never from rules; the helper refuses keys YAML cannot hold. */
const key = (v: string): string => (v.length < 500 && !/[\r\n]/.test(v) ? v || 'empty' : 'other');

describe('yaml helper', () => {
  const t = templates({ 'doc.hbs': 'first:{{yaml a}}\nnested:\n  inner:{{yaml b indent=2}}\nlast:{{yaml c}}\n' });
  it.each(TRICKY.map((v) => [JSON.stringify(v).slice(0, 40), v]))('round-trips %s', (_name, value) => {
    const out = t.render('doc', { a: value, b: value, c: [value, { k: value, [key(value)]: [value] }] });
    expect(parseYaml(out)).toEqual({
      first: value,
      nested: { inner: value },
      last: [value, { k: value, [key(value)]: [value] }],
    });
    expect(out).not.toMatch(/ \n/);
  });
  it('round-trips arbitrary JSON-like values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const out = t.render('doc', { a: value, b: value, c: value });
        expect(parseYaml(out)).toEqual({ first: value, nested: { inner: value }, last: value });
      }),
      { numRuns: 300 },
    );
  });
});

describe('template safety', () => {
  it('rejects a template that prints a value without a format helper', () => {
    expect(() => templates({ 'bad.hbs': 'name: {{name}}\n' })).toThrow(TemplateError);
    expect(() => templates({ 'bad.hbs': 'name: {{{name}}}\n' })).toThrow(TemplateError);
  });
  it('json and conf helpers escape for their formats', () => {
    const t = templates({ 'j.hbs': '{"v": {{json v}} }\n', 'c.hbs': '[{{confStanza s}}]\nsearch = {{conf v}}\n' });
    for (const v of TRICKY) expect((JSON.parse(t.render('j', { v })) as { v: unknown }).v).toBe(v);
    expect(t.render('c', { s: 'x', v: 'a\nb' })).toBe('[x]\nsearch = a \\\nb\n');
    expect(() => t.render('c', { s: 'x', v: 'ends\\' })).toThrow(TemplateError);
    expect(() => t.render('c', { s: 'a\nb', v: 'x' })).toThrow(TemplateError);
  });
});
