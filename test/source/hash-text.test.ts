import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { updateText } from '../../src/source/hash-text.js';

const whole = (text: string): string => createHash('sha256').update(text).digest('hex');
const sliced = (text: string): string => updateText(createHash('sha256'), text).digest('hex');

describe('updateText', () => {
  it('hashes a long text as one update would', () => {
    const text = 'détection → rulec '.repeat(10_000);
    expect(text.length).toBeGreaterThan(2 ** 15);
    expect(sliced(text)).toBe(whole(text));
  });

  it('keeps a surrogate pair that straddles a slice boundary in one slice', () => {
    // '😀' is two UTF-16 units: placed so that its high surrogate is the last unit of the first slice.
    const text = `${'a'.repeat(2 ** 15 - 1)}😀${'b'.repeat(2 ** 15)}`;
    expect(text.charCodeAt(2 ** 15 - 1)).toBe(0xd83d);
    expect(sliced(text)).toBe(whole(text));
  });

  it('hashes a short text in one update', () => {
    expect(sliced('title: x\n')).toBe(whole('title: x\n'));
  });
});
