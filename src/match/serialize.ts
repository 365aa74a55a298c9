/**
 * JSON text of an event as read, whatever its depth. `JSON.stringify` recurses and throws a RangeError on a value
 * nested a few thousand levels deep, which a hostile log can hold on one line (JSON.parse reads it iteratively);
 * then the same text is built with an explicit stack. The result equals `JSON.stringify` for every value
 * JSON.parse can return.
 */
export function eventJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return stringifyIteratively(value);
  }
}

interface Frame {
  readonly value: Record<string, unknown> | unknown[];
  readonly keys: readonly string[] | undefined;
  index: number;
}

export function stringifyIteratively(root: unknown): string {
  const out: string[] = [];
  const stack: Frame[] = [];
  /** Writes a scalar, or opens a container (pushed on the stack). */
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) {
      out.push(JSON.stringify(value) ?? 'null');
    } else if (Array.isArray(value)) {
      out.push('[');
      stack.push({ value, keys: undefined, index: 0 });
    } else {
      out.push('{');
      stack.push({ value: value as Record<string, unknown>, keys: Object.keys(value), index: 0 });
    }
  };
  visit(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.keys === undefined) {
      const array = frame.value as unknown[];
      if (frame.index === array.length) {
        out.push(']');
        stack.pop();
        continue;
      }
      if (frame.index > 0) out.push(',');
      const item = array[frame.index++];
      // As JSON.stringify: a value JSON cannot hold is null inside an array.
      visit(item === undefined || typeof item === 'function' || typeof item === 'symbol' ? null : item);
      continue;
    }
    const object = frame.value as Record<string, unknown>;
    let key: string | undefined;
    let item: unknown;
    // As JSON.stringify: keys whose value JSON cannot hold are left out.
    while (frame.index < frame.keys.length) {
      const candidate = frame.keys[frame.index++]!;
      const v = object[candidate];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      key = candidate;
      item = v;
      break;
    }
    if (key === undefined) {
      out.push('}');
      stack.pop();
      continue;
    }
    if (out[out.length - 1] !== '{') out.push(',');
    out.push(JSON.stringify(key), ':');
    visit(item);
  }
  return out.join('');
}

const NOT_JSON = new Error('not exactly JSON');

/**
 * `value` as JSON text when JSON.parse gives it back exactly (plain objects and arrays, finite numbers, no
 * undefined member), else undefined: rules parse from JSON 2-3 times faster than from v8's serialisation (the
 * SigmaHQ corpus: 13 MB), so that is how the `--jobs` workers receive them and how the rule cache keeps them.
 */
export function exactJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, exactReplacer);
  } catch (error) {
    if (error !== NOT_JSON) throw error;
    return undefined;
  }
}

/** A JSON.stringify replacer that throws NOT_JSON on anything JSON.parse would not give back as it is. */
function exactReplacer(this: unknown, _key: string, value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw NOT_JSON;
      return value;
    case 'object': {
      if (value === null || Array.isArray(value)) return value;
      const proto = Object.getPrototypeOf(value) as unknown;
      // A null-prototype object comes back with Object's prototype, as v8's deserializer gives it back too.
      if (proto !== Object.prototype && proto !== null) throw NOT_JSON;
      return value;
    }
    default:
      throw NOT_JSON;
  }
}
