/** `rulec validate <paths…>`: read every rule file, report all problems, exit 0 without errors and 1 with. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { RulePlace } from '../build/identity.js';
import { duplicateIdDiagnostics } from '../build/identity.js';
import type { Vocabulary } from '../checks/vocabulary.js';
import { checkVocabulary } from '../checks/vocabulary.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostic } from '../diagnostics/format.js';
import type { Correlation, Filter } from '../correlation/model.js';
import { resolveReferences } from '../correlation/resolve.js';
import type { Rule } from '../model/rule.js';
import { readRuleFile } from '../frontend.js';
import { discoverRuleFiles } from '../source/discover.js';
import { unknownTargetIds } from '../model/target-ids.js';
import type { OutputFormat } from './report.js';
import { noRulesFound, prepare, printJson, printSarif } from './report.js';

export interface ValidateOptions {
  readonly format: OutputFormat;
  /** ANSI colours in text output. */
  readonly color?: boolean;
  /** Ids of the registered targets, to warn about `targets:` keys naming none (RC038). */
  readonly targets?: readonly string[];
  /** What the targets' pipelines know (logsources, fields), for the RC122/RC123 warnings; none without it. */
  readonly vocabulary?: Vocabulary;
}

export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

export async function runValidate(paths: readonly string[], opts: ValidateOptions, io: CliIo): Promise<number> {
  // A path that does not exist is RC030, as in compile and build: the same mistake reads the same everywhere.
  const { files, diagnostics: found } = discoverRuleFiles(paths);
  const diagnostics: Diagnostic[] = [...found];
  const sources = new Map<string, string>();
  let rules = 0;
  const places: RulePlace[] = [];
  const all: { rules: Rule[]; correlations: Correlation[]; filters: Filter[] } = {
    rules: [],
    correlations: [],
    filters: [],
  };
  const texts = new Map<string, string>();
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
    rules += result.rules.length + result.correlations.length + result.filters.length;
    all.rules.push(...result.rules);
    all.correlations.push(...result.correlations);
    all.filters.push(...result.filters);
    // Correlation rules and filters share the id space: a reference by id must name one document.
    for (const { file: f, documentIndex, id } of [...result.rules, ...result.correlations, ...result.filters])
      if (id !== undefined) places.push({ file: f, documentIndex, id });
    const text = content.toString('utf8').replace(/^\uFEFF/, '');
    const own = [
      ...result.diagnostics,
      ...(opts.targets ? unknownTargetIds(result.rules, opts.targets, new Map([[file, text]])) : []),
    ];
    if (opts.vocabulary) for (const rule of result.rules) own.push(...checkVocabulary(rule, opts.vocabulary));
    diagnostics.push(...own);
    // Kept only for files with something to show; the frame needs the text the positions refer to.
    if (own.length > 0) sources.set(file, text);
    if (result.correlations.length > 0 || result.filters.length > 0) texts.set(file, text);
  }
  // References of correlation rules and filters reach across files: checked once every file is read.
  for (const d of resolveReferences(all.rules, all.correlations, all.filters).diagnostics) {
    diagnostics.push(d);
    if (d.file !== undefined && texts.has(d.file)) sources.set(d.file, texts.get(d.file)!);
  }

  // Ids are unique across everything validated together (they name artifact files and deployed rules).
  const duplicates = duplicateIdDiagnostics(places, (file) => {
    try {
      return (sources.get(file) ?? readFileSync(file, 'utf8')).replace(/^\uFEFF/, '');
    } catch {
      return undefined;
    }
  });
  for (const d of duplicates) {
    diagnostics.push(d);
    if (d.file !== undefined && !sources.has(d.file))
      sources.set(d.file, readFileSync(d.file, 'utf8').replace(/^\uFEFF/, ''));
  }
  if (files.length === 0) diagnostics.push(noRulesFound(paths));

  const shown = prepare(diagnostics, sources);
  const errors = shown.filter((d) => d.severity === 'error').length;
  const warnings = shown.filter((d) => d.severity === 'warning').length;
  const summary = { files: files.length, rules, errors, warnings };

  if (opts.format === 'json') printJson(io, { summary }, shown);
  else if (opts.format === 'sarif') printSarif(io, shown);
  else {
    for (const d of shown) {
      io.stderr(
        `${formatDiagnostic(d, d.file === undefined ? undefined : sources.get(d.file), { color: opts.color ?? false })}\n\n`,
      );
    }
    io.stdout(`${summaryLine(summary)}\n`);
  }
  return errors > 0 ? 1 : 0;
}

function summaryLine(s: { files: number; rules: number; errors: number; warnings: number }): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(s.files, 'file')}, ${plural(s.rules, 'rule')} valid: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
}
