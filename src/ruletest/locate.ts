/** Locates a test case's problem on its key in the rule file (`tests[i].file`), for a code frame. */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Rule } from '../model/rule.js';
import { MAX_SOURCE_BYTES } from '../source/decode.js';
import { parseSource } from '../source/load.js';

export interface LocatedProblem {
  readonly diagnostic: Diagnostic;
  /** The rule file's text, for the code frame; undefined when it could not be read again. */
  readonly text?: string;
}

/**
 * A diagnostic `code: message` on `tests[index].<key>` of `rule`. The rule file is read again (it was read and
 * parsed moments ago; a Rule carries no positions), only when a case has such a problem.
 */
export function testCaseDiagnostic(
  rule: Rule,
  index: number,
  key: string,
  code: string,
  message: string,
): LocatedProblem {
  const diagnostic: Diagnostic = { code, severity: 'error', message, file: rule.file };
  let text: string;
  try {
    const bytes = readFileSync(rule.file);
    if (bytes.byteLength > MAX_SOURCE_BYTES) return { diagnostic };
    text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  } catch {
    return { diagnostic };
  }
  const document = parseSource(rule.file, text).documents.find((d) => d.index === rule.documentIndex);
  const span = document?.locator.span(['tests', index, key]);
  return span ? { diagnostic: { ...diagnostic, span }, text } : { diagnostic };
}
