import { describe, expect, it } from 'vitest';
import { parseCidr } from '../../src/detection/cidr.js';
import { editDistance, suggest } from '../../src/detection/suggest.js';
import { MODIFIERS } from '../../src/detection/modifiers/index.js';
import { errorsOf, sel, show } from './helpers.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0', 8, 4],
    ['0.0.0.0/0', '0.0.0.0', 0, 4],
    ['192.168.0.0/16', '192.168.0.0', 16, 4],
    ['127.0.0.1', '127.0.0.1', 32, 4],
    ['::1/128', '::1', 128, 6],
    ['::/0', '::', 0, 6],
    ['2001:DB8::/32', '2001:db8::', 32, 6],
    ['2001:0db8:0000:0000:0001:0000:0000:0000/128', '2001:db8:0:0:1::', 128, 6],
    ['1:0:0:2:0:0:0:3/128', '1:0:0:2::3', 128, 6],
    ['fc00::/7', 'fc00::', 7, 6],
    ['::ffff:192.168.0.0/112', '::ffff:c0a8:0', 112, 6],
  ] as const)('%s → %s/%d', (input, network, prefixLength, family) => {
    expect(parseCidr(input)).toEqual({ ok: true, network, prefixLength, family });
  });

  it.each(['10.0.0.0/8x', '10.0.0/8', '1.2.3.4.5/32', '010.0.0.0/8', '1:2:3/64', '1::2::3/64', 'fe80::/129', 'x'])(
    'rejects %s',
    (input) => {
      expect(parseCidr(input).ok).toBe(false);
    },
  );

  it('names the network without host bits', () => {
    expect(parseCidr('10.1.2.3/8')).toMatchObject({ ok: false, hostBits: '10.0.0.0/8' });
    expect(parseCidr('fe80::1/64')).toMatchObject({ ok: false, hostBits: 'fe80::/64' });
    expect(parseCidr('192.168.1.129/25')).toMatchObject({ ok: false, hostBits: '192.168.1.128/25' });
  });
});

describe('suggestions', () => {
  it('counts a swap of two letters as one edit', () => {
    expect(editDistance('contians', 'contains')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests the nearest modifier, or nothing when too far', () => {
    expect(suggest('contians', MODIFIERS.keys())).toBe('contains');
    expect(suggest('endwith', MODIFIERS.keys())).toBe('endswith');
    expect(suggest('Contains', MODIFIERS.keys())).toBe('contains');
    expect(suggest('frobnicate', MODIFIERS.keys())).toBeUndefined();
  });
});

describe('value edge cases', () => {
  it('numbers under string modifiers match their text', () => {
    expect(show(sel('A|contains: 4688').node)).toBe('A="*4688*"');
  });

  it('a keyword must be a string or number', () => {
    expect(errorsOf(sel('- null'))).toEqual(['RC203']);
    expect(show(sel('- 4688').node)).toBe('kw("4688")');
  });

  it('null under a string modifier is an error, null alone is nullMatch', () => {
    expect(errorsOf(sel('A|contains: null'))).toEqual(['RC203']);
    expect(show(sel("A:\n  - ''\n  - null").node)).toBe('or(A="", A=null)');
  });

  it('neq cannot apply to exists; exists cannot take a list of mixed values', () => {
    expect(errorsOf(sel('A|exists|neq: true'))).toEqual(['RC202']);
  });

  it('expand without placeholders warns and keeps \\% as %', () => {
    const r = sel(String.raw`A|expand: '100\%'`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['RC213']);
    expect(show(r.node)).toBe('A="100%"');
  });

  it('expand keeps every placeholder for the target pipelines to resolve, without error here', () => {
    const r = sel("A|expand:\n  - '%Servers%\\x'\n  - '%A% and %B%'");
    expect(errorsOf(r)).toEqual([]);
    expect(show(r.node)).toContain('Servers');
  });

  it('windash refuses a value that would explode into too many variants', () => {
    expect(errorsOf(sel("C|windash: '-a -b -c -d -e -f'"))).toEqual(['RC211']);
  });

  it('an unknown modifier stops the item but other items are still checked', () => {
    const r = sel('A|contians: x\nB|gt: nope');
    expect(errorsOf(r)).toEqual(['RC201', 'RC203']);
  });

  it('an empty modifier name is reported', () => {
    expect(errorsOf(sel("'A|': x"))).toEqual(['RC201']);
  });
});
