/** Reads rule files for `rulec match` and `rulec test`: the front end over every file, problems collected. */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { collectRuleFiles, readRuleFile } from '../frontend.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Rule } from '../model/rule.js';

export interface LoadedRules {
  readonly files: string[];
  readonly rules: Rule[];
  readonly correlations: Correlation[];
  readonly filters: Filter[];
  readonly diagnostics: Diagnostic[];
  /** Texts of files with diagnostics, for code frames. */
  readonly sources: Map<string, string>;
}

export function loadRules(paths: readonly string[]): LoadedRules {
  const diagnostics: Diagnostic[] = [];
  const files = collectRuleFiles(paths, diagnostics);
  const rules: Rule[] = [];
  const correlations: Correlation[] = [];
  const filters: Filter[] = [];
  const sources = new Map<string, string>();
  for (const file of files) {
    let content: Buffer;
    try {
      content = readFileSync(file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      diagnostics.push({ code: 'RC001', severity: 'error', message: `cannot read file (${reason})`, file });
      continue;
    }
    const result = readRuleFile(file, content);
    rules.push(...result.rules);
    correlations.push(...result.correlations);
    filters.push(...result.filters);
    diagnostics.push(...result.diagnostics);
    // Meta-rules keep their text too: reference errors found after reading every file point into them.
    const meta = result.correlations.length > 0 || result.filters.length > 0;
    if (result.diagnostics.length > 0 || meta) sources.set(file, content.toString('utf8').replace(/^\uFEFF/, ''));
  }
  return { files, rules, correlations, filters, diagnostics, sources };
}
