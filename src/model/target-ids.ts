/**
 * `targets:` keys that name no target. The front end does not know the targets (`src/` never names one), so the
 * command that holds the registry passes the known ids in. A misspelt id (`splnk:`) used to be ignored silently,
 * leaving the rule deployed without the override its author wrote.
 */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/frontend-codes.js';
import { closest } from '../schema/suggest.js';
import { MAX_SOURCE_BYTES } from '../source/decode.js';
import { parseSource } from '../source/load.js';
import type { Rule } from './rule.js';

/**
 * RC038 for each `targets.<id>` of `rules` that is not in `known`, located on the key when the file can be read
 * again (`sources`: texts already in memory, by file). Ids are compared exactly, as the backends look them up.
 */
export function unknownTargetIds(
  rules: readonly Rule[],
  known: readonly string[],
  sources?: ReadonlyMap<string, string>,
): Diagnostic[] {
  const knownSet = new Set(known);
  const out: Diagnostic[] = [];
  for (const rule of rules) {
    const unknown = Object.keys(rule.deploy.targets).filter((id) => !knownSet.has(id));
    if (unknown.length === 0) continue;
    const locator = locatorOf(rule, sources);
    for (const id of unknown) {
      const guess = closest(id, known);
      const span = locator?.span(['targets', id], 'key');
      out.push({
        code: 'RC038',
        severity: 'warning',
        message: `'targets.${id}' names no target (known: ${known.join(', ')}); its settings are ignored`,
        file: rule.file,
        ...(span ? { span } : {}),
        ...(guess ? { label: `did you mean '${guess}'?` } : {}),
      });
    }
  }
  return out;
}

function locatorOf(rule: Rule, sources: ReadonlyMap<string, string> | undefined) {
  let text = sources?.get(rule.file);
  if (text === undefined) {
    try {
      const bytes = readFileSync(rule.file);
      if (bytes.byteLength > MAX_SOURCE_BYTES) return undefined;
      text = bytes.toString('utf8');
    } catch {
      return undefined;
    }
  }
  const source = parseSource(rule.file, text.replace(/^\uFEFF/, ''));
  return source.documents.find((d) => d.index === rule.documentIndex)?.locator;
}
