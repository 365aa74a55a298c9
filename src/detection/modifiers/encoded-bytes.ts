/** The bytes a base64 modifier encodes: UTF-8 of text, or the byte string left by a utf16 modifier. */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { patternToSigma } from '../../ir/pattern.js';
import type { ValueOf } from '../value.js';
import type { ApplyContext } from './types.js';

export function patternBytes(p: ValueOf<'pattern'>, ctx: ApplyContext, modifier: string): Buffer | undefined {
  const parts = p.pattern.parts;
  if (parts.some((part) => part.kind !== 'literal')) {
    ctx.report(C.RC208, `modifier '${modifier}' cannot encode wildcards in '${patternToSigma(p.pattern)}'`, [
      'escape a literal * or ? with a backslash, or put contains/startswith/endswith after the encoding',
    ]);
    return undefined;
  }
  const text = parts[0]?.kind === 'literal' ? parts[0].text : '';
  return Buffer.from(text, p.bytes ? 'latin1' : 'utf8');
}
