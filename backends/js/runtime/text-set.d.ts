/** Types of text-set.js, the runtime's needle sets. */
export function textSet(
  needles: readonly string[],
  kind: 'exact' | 'prefix' | 'suffix' | 'contains',
): (text: string) => boolean;

/** A regular expression matching any of the texts literally, or undefined when its source would be too long. */
export function literalAlternation(texts: readonly string[]): RegExp | undefined;
