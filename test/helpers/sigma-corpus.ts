/**
 * The SigmaHQ rule corpus in ../shared (/work/shared/data/sigma/rules), as the corpus tests of every target read
 * it: whether it is there (tests reading ../shared skip with a message when it is not), its rules file by file,
 * and the catalogue convention every diagnostic on it must keep.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Diagnostic } from '../../src/diagnostics/diagnostic.js';
import { collectRuleFiles, readRuleFile } from '../../src/frontend.js';
import type { Rule } from '../../src/model/rule.js';

export const SIGMA_CORPUS = fileURLToPath(new URL('../../../shared/data/sigma/rules', import.meta.url));

/** Whether the corpus is present; when it is not, says that `test` is skipped. */
export function sigmaCorpusPresent(test: string): boolean {
  const present = existsSync(SIGMA_CORPUS);
  if (!present) console.warn(`${test} skipped: ${SIGMA_CORPUS} is missing (the shared SigmaHQ corpus)`);
  return present;
}

/** Every rule of the corpus, in file order. */
export function* corpusRules(): Generator<Rule> {
  for (const file of collectRuleFiles([SIGMA_CORPUS])) yield* readRuleFile(file, readFileSync(file)).rules;
}

/** The diagnostics that break the convention (a catalogued `XX000` code and a message), info notes aside. */
export function uncodedDiagnostics(rule: Rule, diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics
    .filter((d) => d.severity !== 'info' && (!/^[A-Z]{2}\d{3}$/.test(d.code) || d.message.trim() === ''))
    .map((d) => `${rule.file}: ${d.code} ${d.message}`);
}
