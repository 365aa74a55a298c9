/** Hostile field names and values must stay inert: the module loads and matches them literally. */
import { describe, expect, it } from 'vitest';
import * as b from '../../../src/ir/build.js';
import { ANY_CHARS, literalPart, literalPattern, pattern } from '../../../src/ir/pattern.js';
import { load } from './load.js';

const HOSTILE = [
  '"]);process.exit(1);//',
  "'];process.exit(1);//",
  '`${process.exit(1)}`',
  '${globalThis.pwned = 1}',
  '</script><script>alert(1)</script>',
  'a\u2028b\u2029c',
  '*/ process.exit(1) /*',
  '\\"; process.exit(1); "',
  '\n}); process.exit(1); ({\n',
];

describe('injection', () => {
  for (const text of HOSTILE) {
    it(`keeps ${JSON.stringify(text)} inert as field name, value, regex, keyword and metadata`, async () => {
      const detection = b.and([
        b.stringMatch(text, literalPattern(text), true),
        b.stringMatch(`${text}.x`, pattern([ANY_CHARS, literalPart(text), ANY_CHARS])),
        b.regexMatch('R', text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&'), {
          ignoreCase: false,
          multiline: false,
          dotAll: false,
        }),
        b.keyword(pattern([ANY_CHARS, literalPart(text), ANY_CHARS]), true),
      ]);
      const { match, rule } = await load(detection, {
        id: text,
        title: text,
        author: text,
        authors: [text],
        references: [text],
        tags: [text],
        logsource: { product: text },
      });
      expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
      expect(rule['title']).toBe(text);
      expect(rule['logsource']).toEqual({ product: text });
      const event = { [text]: text, [`${text}.x`]: `pre${text}post`, R: `>${text}<` };
      expect(match(event)).toBe(true);
      expect(match({ ...event, [text]: `${text} ` })).toBe(false);
    });
  }

  it('names an unsafe id by a slug of the file name', async () => {
    const { result } = await load(b.exists('a'), { id: '../../etc/passwd', file: 'rules/My Rule (v2).yml' });
    expect(result.artifacts.map((a) => a.path)).toEqual(['my-rule-v2.js']);
  });
});
