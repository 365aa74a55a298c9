import { describe, expect, it } from 'vitest';
import { _, Code, join, Name, NameScope, prop, safeStringify } from '../../../backends/js/codegen.js';

describe('codegen', () => {
  it('splices Code as code and every plain value as a JSON literal', () => {
    const x = new Name('x');
    expect(_`${x} === ${'a"b'}`.text).toBe('x === "a\\"b"');
    expect(_`f(${1}, ${true}, ${null}, ${['a', 0]})`.text).toBe('f(1, true, null, ["a",0])');
  });

  it('escapes U+2028, U+2029 and <', () => {
    expect(safeStringify('a\u2028b\u2029</script>')).toBe('"a\\u2028b\\u2029\\u003c/script>"');
  });

  it('refuses values that are not plain data', () => {
    expect(() => safeStringify(Number.NaN)).toThrow();
    expect(() => safeStringify(Infinity)).toThrow();
    expect(() => _`${undefined as unknown as string}`).toThrow();
    expect(() => safeStringify(new Date() as unknown as string)).toThrow();
  });

  it('accepts only identifiers as names', () => {
    expect(new Name('$a_1').text).toBe('$a_1');
    for (const bad of ['1a', 'a b', 'a;b', '', 'a-b', 'x)']) expect(() => new Name(bad), bad).toThrow();
  });

  it('cannot be handed a raw string as code', () => {
    const Ctor = Code as unknown as new (token: unknown, text: string) => Code;
    expect(() => new Ctor(Symbol('code'), 'process.exit(1)')).toThrow();
  });

  it('reads properties through quoted keys', () => {
    expect(prop(new Name('event'), 'a"]);x(//').text).toBe('event["a\\"]);x(//"]');
  });

  it('names deterministically', () => {
    const scope = new NameScope();
    expect([scope.fresh('p'), scope.fresh('p'), scope.fresh('r')].map((n) => n.text)).toEqual(['p0', 'p1', 'r0']);
    expect(join([new Name('a'), new Name('b')], _`, `).text).toBe('a, b');
  });
});
