/**
 * The fast path of loading. The `yaml` package keeps every node's position, which diagnostics need, but that costs
 * most of a corpus build (≈1.3 s of YAML for SigmaHQ's 3,141 rules against ≈0.17 s with js-yaml). Most files have
 * nothing to report, so they are read with js-yaml (YAML 1.2 core schema, the same one `yaml` uses here) and given
 * a locator that parses the file with positions only when a diagnostic asks where something is.
 *
 * Whatever the two parsers could read differently, or whatever the careful path checks, goes the careful way:
 * anchors and aliases (alias bombs), tags, complex keys, merge keys, tabs, unusual number forms (./careful-text.ts),
 * non-map documents, duplicate keys and anything js-yaml rejects.
 */
import jsyaml from 'js-yaml';
import type { Span } from '../diagnostics/diagnostic.js';
import type { DocPath, Locator, ScalarInfo } from './locator.js';
import { MAX_DEPTH, parseSource } from './load.js';
import { isCanonicalNumberText } from './number-text.js';
import type { LightLocator } from './light-locate.js';
import { lightLocator } from './light-locate.js';
import { mayReadFast } from './careful-text.js';
import { tagItemSpan } from './tag-locate.js';

/** Whether the fast path may read `text` at all; texts it may not read have no light locator either. */
export { mayReadFast };

/**
 * js-yaml's core schema with its int and float types watching for numbers not spelled canonically (`00000429`,
 * `1.0`, `+5`): a file holding one takes the careful path, which keeps such detection values as their text
 * (./number-text.ts). Set by the resolvers during one synchronous `loadAll`.
 */
let sawNonCanonicalNumber = false;
/** js-yaml's built-in types; its published typings omit `types` and `Type#tag`. */
const BUILT_IN = (jsyaml as unknown as { types: Record<'int' | 'float', jsyaml.Type & { readonly tag: string }> })
  .types;
function watched(type: jsyaml.Type & { readonly tag: string }): jsyaml.Type {
  const resolve = type.resolve as (data: string) => boolean;
  const construct = type.construct as (data: string) => number;
  return new jsyaml.Type(type.tag, {
    kind: 'scalar',
    resolve: (data: string): boolean => {
      if (!resolve(data)) return false;
      if (!isCanonicalNumberText(data, construct(data))) sawNonCanonicalNumber = true;
      return true;
    },
    construct,
    ...(type.predicate ? { predicate: type.predicate } : {}),
    ...(type.represent ? { represent: type.represent } : {}),
    ...(type.defaultStyle ? { defaultStyle: type.defaultStyle } : {}),
  });
}
const FAST_SCHEMA = jsyaml.CORE_SCHEMA.extend({
  implicit: [watched(BUILT_IN.int), watched(BUILT_IN.float)],
});

export interface FastDocument {
  readonly index: number;
  readonly data: Record<string, unknown>;
  readonly locator: Locator;
}

/**
 * Whether something is nested deeper than MAX_DEPTH below `value` (at `level`): a collection at MAX_DEPTH with
 * anything in it. Walks without copying (every document is checked, so no array of values per map).
 */
function tooDeep(value: unknown, level: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (level >= MAX_DEPTH) return value.length > 0;
    for (const child of value) if (tooDeep(child, level + 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  // js-yaml's maps are plain objects: for…in visits their own keys (a `__proto__` key is one of them).
  for (const key in record) {
    if (level >= MAX_DEPTH || tooDeep(record[key], level + 1)) return true;
  }
  return false;
}

/**
 * Locators of the documents of `text` that parse it with positions (once for all documents) only when a
 * diagnostic first asks where something is and the light scanner of a single-document file (./light-locate.ts)
 * cannot tell: it answers for the single-line scalars and keys most diagnostics point at, without a parser.
 */
export function lazyLocators(
  file: string,
  text: string,
  documents?: readonly unknown[],
): (position: number) => Locator {
  let careful: ReturnType<typeof parseSource> | undefined;
  let light: LightLocator | null | undefined;
  return (position: number): Locator => {
    let real: Locator | undefined;
    const get = (): Locator => {
      careful ??= parseSource(file, text);
      real ??= careful.documents[position]?.locator;
      if (!real) throw new Error(`rulec: document ${position} of ${file} has no position information`);
      return real;
    };
    const quick = (): LightLocator | undefined => {
      if (position !== 0) return undefined;
      if (light === undefined) light = lightLocator(text) ?? null;
      return light ?? undefined;
    };
    // The first document's tags (RC140 is reported on them) are found by their own lines, the rest of the file unread.
    const tags = position === 0 && documents ? (documents[0] as { tags?: unknown } | null)?.tags : undefined;
    return {
      file,
      span: (path: DocPath, part?: 'key' | 'value'): Span | undefined =>
        (tags !== undefined ? tagItemSpan(text, tags, path, part) : undefined) ??
        quick()?.span(path, part) ??
        get().span(path, part),
      scalar: (path: DocPath): ScalarInfo | undefined => quick()?.scalar(path) ?? get().scalar(path),
      spanAt: (start: number, end: number): Span => quick()?.spanAt(start, end) ?? get().spanAt(start, end),
    };
  };
}

/** The documents of `text` when the fast path applies, else undefined (the caller takes the careful path). */
export function fastLoad(file: string, text: string): FastDocument[] | undefined {
  if (!mayReadFast(text)) return undefined;
  let docs: unknown[];
  sawNonCanonicalNumber = false;
  try {
    docs = jsyaml.loadAll(text, undefined, { schema: FAST_SCHEMA, json: false });
  } catch {
    return undefined;
  }
  if (sawNonCanonicalNumber) return undefined;
  if (docs.length === 0) return undefined;
  const locatorFor = lazyLocators(file, text, docs);
  const out: FastDocument[] = [];
  for (const [position, doc] of docs.entries()) {
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
    if (tooDeep(doc, 0)) return undefined;
    // Used as js-yaml built it: the core schema makes no Date (an explicit `!!timestamp` takes the careful path),
    // and js-yaml already stores a `__proto__` key as data, so normaliseDates' deep copy would change nothing.
    out.push({ index: position, data: doc as Record<string, unknown>, locator: locatorFor(position) });
  }
  return out;
}
