/**
 * Detection values as their author wrote them (issue 13, cause 6). SigmaHQ rules are written for PyYAML, whose YAML
 * 1.1 resolver reads `00000429` as the string '00000429' (a 9 is no octal digit), while the YAML 1.2 core schema
 * reads it as the number 429, so `registry_set_susp_keyboard_layout_load` would test `*429*`. Rather than copy
 * YAML 1.1's other surprises (`0427` as octal 279, `1:30` as 90, `yes` as true), which no rule author means in a
 * detection, a plain scalar of the detection that the core schema reads as a number keeps its source text when
 * that text is not the number's canonical spelling: leading zeros, `+1`, `.5`, `1.0`, `1e3`, `0x1F`, `0o17`,
 * `.inf`. Canonical numbers (`4688`, `-1`, `0.5`) stay numbers. Explicitly tagged scalars (`!!int 010`) are kept.
 */
import type { Document } from 'yaml';
import { yamlLib } from './yaml-lib.js';

/** Whether `text`, read by the core schema as `value`, is spelled the way the number prints. */
export function isCanonicalNumberText(text: string, value: number): boolean {
  return String(value) === text;
}

/** Rewrites, in place, the non-canonical number scalars under the document's top-level `detection` to strings. */
export function keepDetectionNumberText(doc: Document): void {
  const { isMap, isNode, isScalar, visit } = yamlLib();
  const contents = doc.contents;
  if (!isMap(contents)) return;
  const pair = contents.items.find((p) => isScalar(p.key) && p.key.value === 'detection');
  if (!isNode(pair?.value)) return;
  visit(pair.value, {
    Scalar(_key, node) {
      if (typeof node.value !== 'number' || node.type !== 'PLAIN' || node.tag) return;
      const text = node.source;
      if (typeof text === 'string' && !isCanonicalNumberText(text, node.value)) node.value = text;
    },
  });
}
