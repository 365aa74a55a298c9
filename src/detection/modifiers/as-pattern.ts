/** Turns a raw scalar into a Sigma pattern for the string modifiers (numbers are matched as their text). */
import { DETECTION_CODES as C } from '../../diagnostics/detection-codes.js';
import { literalPattern } from '../../ir/pattern.js';
import { parseSigmaString } from '../sigma-string.js';
import { describeScalar } from '../value.js';
import type { Value, ValueOf } from '../value.js';
import type { ApplyContext } from './types.js';

export function asPattern(value: Value, ctx: ApplyContext, modifier: string): ValueOf<'pattern'> | undefined {
  if (value.kind === 'pattern') return value;
  if (value.kind === 'raw') {
    if (typeof value.value === 'string')
      return { kind: 'pattern', pattern: parseSigmaString(value.value), bytes: false };
    if (typeof value.value === 'number')
      return { kind: 'pattern', pattern: literalPattern(String(value.value)), bytes: false };
    ctx.report(C.RC203, `modifier '${modifier}' expects a string, got ${describeScalar(value.value)}`);
    return undefined;
  }
  return undefined;
}

/** The raw scalar as a string (numbers as their text), or undefined after reporting. */
export function rawString(value: Value, ctx: ApplyContext, modifier: string): string | undefined {
  if (value.kind === 'raw') {
    if (typeof value.value === 'string') return value.value;
    if (typeof value.value === 'number') return String(value.value);
    ctx.report(C.RC203, `modifier '${modifier}' expects a string, got ${describeScalar(value.value)}`);
  }
  return undefined;
}

export const STRING_INPUTS = ['raw', 'pattern'] as const;
