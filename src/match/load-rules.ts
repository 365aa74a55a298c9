/** Reads rule files for `rulec match` and `rulec test`: the front end over every file, problems collected. */
import { readFileSync } from 'node:fs';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { collectRuleFiles, readRuleFile } from '../frontend.js';
import type { Rule } from '../model/rule.js';

export interface LoadedRules {
  readonly files: string[];
  readonly rules: Rule[];
  readonly diagnostics: Diagnostic[];
  /** Texts of files with diagnostics, for code frames. */
  readonly sources: Map<string, string>;
}

export function loadRules(paths: readonly string[]): LoadedRules {
  const diagnostics: Diagnostic[] = [];
  const files = collectRuleFiles(paths, diagnostics);
  const rules: Rule[] = [];
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
    diagnostics.push(...result.diagnostics);
    if (result.diagnostics.length > 0) sources.set(file, content.toString('utf8').replace(/^\uFEFF/, ''));
  }
  return { files, rules, diagnostics, sources };
}
