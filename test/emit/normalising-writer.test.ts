/**
 * The combined files of a streaming build are normalised part by part (emit/templates.ts `normalisingWriter`):
 * whatever the cut between parts, the text is `normaliseText` of the parts joined.
 */
import { describe, expect, it } from 'vitest';
import { normaliseText, normalisingWriter } from '../../src/emit/templates.js';

function streamed(parts: readonly string[]): string {
  let text = '';
  const writer = normalisingWriter((chunk) => (text += chunk));
  for (const part of parts) writer.write(part);
  writer.end();
  return text;
}

/** Every way of cutting `text` in two and in three. */
function cuts(text: string): string[][] {
  const out: string[][] = [[text]];
  for (let i = 0; i <= text.length; i++) {
    out.push([text.slice(0, i), text.slice(i)]);
    for (let j = i; j <= text.length; j++) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)]);
  }
  return out;
}

describe('normalisingWriter', () => {
  const texts = ['', '\n', 'a', 'a\n\n\n', 'a\r\nb\r\n\r\n', 'a\rb\r', '\r\n\r\nx\n\ny\r', 'head\n\n[one]\nx = 1\n\n'];
  for (const text of texts)
    it(`gives normaliseText of ${JSON.stringify(text)} however it is cut`, () => {
      for (const parts of cuts(text)) expect(streamed(parts), JSON.stringify(parts)).toBe(normaliseText(text));
    });
});
