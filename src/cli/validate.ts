/** `rulec validate <paths…>`: read every rule file, report all problems, exit 0 without errors and 1 with. */
import { readFile } from 'node:fs/promises';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { diagnosticToJson, formatDiagnostic } from '../diagnostics/format.js';
import { collectRuleFiles, readRuleFile } from '../frontend.js';
import { unknownTargetIds } from '../model/target-ids.js';

export interface ValidateOptions {
  readonly format: 'text' | 'json';
  /** ANSI colours in text output. */
  readonly color?: boolean;
  /** Ids of the registered targets, to warn about `targets:` keys naming none (RC038). */
  readonly targets?: readonly string[];
}

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

export async function runValidate(paths: readonly string[], opts: ValidateOptions, io: CliIo): Promise<number> {
  const diagnostics: Diagnostic[] = [];
  const files = collectRuleFiles(paths, diagnostics);
  const sources = new Map<string, string>();
  let rules = 0;
  for (const file of files) {
    let content: Buffer;
    try {
      content = await readFile(file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      diagnostics.push({ code: 'RC001', severity: 'error', message: `cannot read file (${reason})`, file });
      continue;
    }
    const result = readRuleFile(file, content);
    rules += result.rules.length;
    const text = content.toString('utf8').replace(/^\uFEFF/, '');
    const own = [
      ...result.diagnostics,
      ...(opts.targets ? unknownTargetIds(result.rules, opts.targets, new Map([[file, text]])) : []),
    ];
    diagnostics.push(...own);
    // Kept only for files with something to show; the frame needs the text the positions refer to.
    if (own.length > 0) sources.set(file, text);
  }

  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const summary = { files: files.length, rules, errors, warnings };

  if (opts.format === 'json') {
    io.stdout(`${JSON.stringify({ summary, diagnostics: diagnostics.map(diagnosticToJson) }, null, 2)}\n`);
  } else {
    for (const d of diagnostics) {
      io.stderr(
        `${formatDiagnostic(d, d.file === undefined ? undefined : sources.get(d.file), { color: opts.color ?? false })}\n\n`,
      );
    }
    if (files.length === 0) io.stderr('no rule files found (.yml or .yaml)\n');
    io.stdout(`${summaryLine(summary)}\n`);
  }
  return errors > 0 || files.length === 0 ? 1 : 0;
}

function summaryLine(s: { files: number; rules: number; errors: number; warnings: number }): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(s.files, 'file')}, ${plural(s.rules, 'rule')} valid: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
}
