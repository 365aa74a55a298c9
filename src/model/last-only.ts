/**
 * A value computed from one object of the rule being compiled, which every target (and several parts of one) asks
 * for: remembered for the last object only, as the targets of a rule are compiled one after the other.
 *
 * Not a WeakMap keyed by each rule's objects: V8's scavenger keeps a WeakMap's young keys and their values alive, so
 * every rule's detection tree and tag list, and what was computed from them, were moved to the old generation and
 * stayed there until a full collection (garbage that set a build's peak memory).
 */
export function lastOnly<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  let last: { readonly key: K; readonly value: V } | undefined;
  return (key) => {
    if (last?.key !== key) last = { key, value: compute(key) };
    return last.value;
  };
}
