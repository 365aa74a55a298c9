/**
 * Safe code generation for the JS target (ajv's `_` / `Name` idea): code is only ever built from `Code` values and
 * the tagged template `_`, which splices `Code` as code and turns every other value into a JSON literal. Rule text
 * can therefore only reach the generated module as a string, number or boolean literal, whatever it contains.
 */

/** Not exported: only this module can mint `Code`, so no caller can smuggle a raw string in as code. */
const MINT = Symbol('code');

export class Code {
  constructor(
    token: typeof MINT,
    readonly text: string,
  ) {
    if (token !== MINT) throw new TypeError('Code can only be created by the code generator');
  }
  toString(): string {
    return this.text;
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An identifier; anything that is not one throws, so a name can never carry code. */
export class Name extends Code {
  constructor(name: string) {
    if (!IDENTIFIER.test(name)) throw new TypeError(`not a safe identifier: ${JSON.stringify(name)}`);
    super(MINT, name);
  }
}

/** Plain data that may become a literal. `undefined`, functions, symbols and non-finite numbers are refused. */
export type Literal = string | number | boolean | null | readonly Literal[] | { readonly [key: string]: Literal };

/**
 * JSON text that is also a safe JS expression in any context: U+2028/U+2029 (line terminators in older JS) and `<`
 * (so `</script>` or `<!--` cannot matter if the module is ever inlined in HTML) are escaped.
 */
export function safeStringify(value: Literal): string {
  checkLiteral(value);
  const text = JSON.stringify(value);
  // One test, and one pass only for the rare text that needs it (three replaces per literal were measurable).
  return UNSAFE_IN_JS.test(text) ? text.replace(UNSAFE_IN_JS_ALL, (c) => JS_ESCAPES[c]!) : text;
}

const UNSAFE_IN_JS = /[\u2028\u2029<]/;
const UNSAFE_IN_JS_ALL = /[\u2028\u2029<]/g;
const JS_ESCAPES: Readonly<Record<string, string>> = { '\u2028': '\\u2028', '\u2029': '\\u2029', '<': '\\u003c' };

function checkLiteral(value: unknown): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot emit the number ${String(value)}`);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) checkLiteral(item);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) checkLiteral(item);
    return;
  }
  throw new TypeError(`cannot emit a value of type ${typeof value}`);
}

/** Tagged template: `Code` is spliced as code, every other value as a JSON literal. */
export function _(strings: TemplateStringsArray, ...values: readonly (Code | Literal)[]): Code {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += value instanceof Code ? value.text : safeStringify(value);
    text += strings[i + 1] ?? '';
  });
  return new Code(MINT, text);
}

/** Joins code with a separator that is itself code. */
export function join(parts: readonly Code[], separator: Code): Code {
  return new Code(MINT, parts.map((p) => p.text).join(separator.text));
}

/** `obj["key"]`: property access always through a quoted key, whatever the key contains. */
export function prop(object: Code, key: string): Code {
  return _`${object}[${key}]`;
}

/** Indents every line after the first by `n` spaces (for readable nested output; not a safety concern). */
export function indent(code: Code, n: number): Code {
  return new Code(MINT, code.text.replace(/\n/g, `\n${' '.repeat(n)}`));
}

/** Deterministic fresh names: `prefix` + a per-prefix counter, in creation order. */
export class NameScope {
  private readonly counters = new Map<string, number>();
  fresh(prefix: string): Name {
    const n = this.counters.get(prefix) ?? 0;
    this.counters.set(prefix, n + 1);
    return new Name(`${prefix}${n}`);
  }
}
