/**
 * A search identifier's value → IR: a map is the AND of its items, a list is the OR of its elements (maps, or
 * plain values searched as keywords), a bare string or number is one keyword.
 */
import { DETECTION_CODES as C } from '../diagnostics/detection-codes.js';
import * as b from '../ir/build.js';
import type { IrNode } from '../ir/nodes.js';
import type { DocPath } from '../source/locator.js';
import { buildItem, buildValues } from './field-item.js';
import type { LocatedValue } from './field-item.js';
import type { Reporter } from './reporter.js';

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function buildMap(map: Record<string, unknown>, path: DocPath, reporter: Reporter): IrNode | undefined {
  const keys = Object.keys(map);
  if (keys.length === 0) {
    reporter.at(C.RC215, `empty map: a search needs at least one field`, path);
    return undefined;
  }
  let ok = true;
  const items: IrNode[] = [];
  for (const key of keys) {
    const node = buildItem(key, map[key], [...path, key], reporter);
    if (node === undefined) ok = false;
    else items.push(node);
  }
  return ok ? b.and(items, { path }) : undefined;
}

export function buildSearch(value: unknown, path: DocPath, reporter: Reporter): IrNode | undefined {
  if (isMap(value)) return buildMap(value, path, reporter);
  if (typeof value === 'string' || typeof value === 'number') {
    return buildValues(undefined, [], [{ value, path }], path, reporter);
  }
  if (!Array.isArray(value)) {
    const what = value === null ? 'null' : typeof value;
    reporter.at(C.RC215, `a search identifier must be a map, a list or a string, not ${what}`, path);
    return undefined;
  }
  if (value.length === 0) {
    reporter.at(C.RC216, `empty list: a search needs at least one element`, path);
    return undefined;
  }
  let ok = true;
  const children: IrNode[] = [];
  const keywords: LocatedValue[] = [];
  value.forEach((element, index) => {
    const elementPath = [...path, index];
    if (isMap(element)) {
      const node = buildMap(element, elementPath, reporter);
      if (node === undefined) ok = false;
      else children.push(node);
    } else {
      keywords.push({ value: element, path: elementPath });
    }
  });
  if (keywords.length > 0) {
    const node = buildValues(undefined, [], keywords, path, reporter);
    if (node === undefined) ok = false;
    else children.push(node);
  }
  return ok ? b.or(children, { path }) : undefined;
}
