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
  return readRules(files, readContents(files), diagnostics);
}

/** Each file's bytes, or the RC001 diagnostic of a file that cannot be read. */
export function readContents(files: readonly string[]): (Buffer | Diagnostic)[] {
  return files.map((file) => {
    try {
      return readFileSync(file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      return { code: 'RC001', severity: 'error', message: `cannot read file (${reason})`, file };
    }
  });
}

/** The front end over `files` read as `contents`, after the `diagnostics` of finding them. */
export function readRules(
  files: string[],
  contents: readonly (Buffer | Diagnostic)[],
  diagnostics: Diagnostic[],
): LoadedRules {
  const rules: Rule[] = [];
  const correlations: Correlation[] = [];
  const filters: Filter[] = [];
  const sources = new Map<string, string>();
  files.forEach((file, i) => {
    const content = contents[i]!;
    if (!Buffer.isBuffer(content)) {
      diagnostics.push(content);
      return;
    }
    const result = readRuleFile(file, content);
    rules.push(...result.rules);
    correlations.push(...result.correlations);
    filters.push(...result.filters);
    diagnostics.push(...result.diagnostics);
    // Meta-rules keep their text too: reference errors found after reading every file point into them.
    const meta = result.correlations.length > 0 || result.filters.length > 0;
    if (result.diagnostics.length > 0 || meta) sources.set(file, sourceText(content));
  });
  return { files, rules, correlations, filters, diagnostics, sources };
}

/** A rule file's text as code frames show it. */
export function sourceText(content: Buffer): string {
  return content.toString('utf8').replace(/^\uFEFF/, '');
}
