/** Types of runtime.js, the support module every generated rule imports. */
export type TextTest = (text: string) => boolean;
/** Wildcard tokens: literal text, 0 for `*`, 1 for `?`. */
export type GlobToken = string | 0 | 1;

export function own(object: object, key: string): unknown;
export function path(dotted: string): (event: object) => unknown;
export function lower(value: unknown): string | null;
export function someText(value: unknown, test: TextTest, fold: boolean): boolean;
export function keyword(event: unknown, test: TextTest, fold: boolean): boolean;
export function keywordSet(
  needles: readonly string[],
  kind: 'exact' | 'prefix' | 'suffix' | 'contains',
  fold: boolean,
): (event: unknown, memo?: Record<string, unknown>) => boolean;
export function glob(tokens: readonly GlobToken[]): TextTest;
export function textSet(needles: readonly string[], kind: 'exact' | 'prefix' | 'suffix' | 'contains'): TextTest;
export function eqNum(value: unknown, n: number): boolean;
export function lt(value: unknown, n: number): boolean;
export function lte(value: unknown, n: number): boolean;
export function gt(value: unknown, n: number): boolean;
export function gte(value: unknown, n: number): boolean;
export function eqBool(value: unknown, b: boolean): boolean;
export function fieldEq(a: unknown, b: unknown, fold: boolean): boolean;
export function timePart(
  value: unknown,
  part: 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year',
  n: number,
): boolean;
export function cidr(network: string, prefix: number, family: 4 | 6): TextTest;
export function inCidr(value: unknown, within: TextTest): boolean;
export { compileRegexVm, type RegexVm } from './regex-vm.js';
