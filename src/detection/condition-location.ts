/**
 * Maps offsets inside a condition string to file spans. Offsets map 1:1 when the scalar is plain or single-quoted
 * and its source text equals the value (no folding, no `''` escapes); otherwise the whole scalar is pointed at
 * and the caller mentions the column inside the condition.
 */
import type { Span } from '../diagnostics/diagnostic.js';
import type { DocPath, Locator } from '../source/locator.js';

export interface ConditionSpan {
  readonly span: Span | undefined;
  /** True when `span` covers exactly the offsets asked for. */
  readonly exact: boolean;
}

export function conditionSpanner(
  locator: Locator,
  path: DocPath,
  text: string,
): (start: number, end: number) => ConditionSpan {
  // Resolved on the first problem only: most conditions have none, and the lookup walks the document.
  let resolved: { base: number | undefined; whole: Span | undefined } | undefined;
  const resolve = (): { base: number | undefined; whole: Span | undefined } => {
    const scalar = locator.scalar(path);
    let base: number | undefined;
    if (scalar !== undefined) {
      if (scalar.type === 'PLAIN' && scalar.source === text) base = scalar.span.start.offset;
      else if (scalar.type === 'QUOTE_SINGLE' && scalar.source === `'${text}'`) base = scalar.span.start.offset + 1;
    }
    return { base, whole: scalar?.span ?? locator.span(path) };
  };
  return (start, end) => {
    resolved ??= resolve();
    const { base, whole } = resolved;
    return base === undefined
      ? { span: whole, exact: false }
      : { span: locator.spanAt(base + start, base + end), exact: true };
  };
}
