/**
 * `rulec coverage [paths]`: per-target coverage table; `--json`/`--markdown` write machine and human reports,
 * `--format json` prints the JSON report (totals and per-rule results) on stdout, `--format sarif` the diagnostics.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { coverageMatrix, coverageOf, coverageTable } from '../build/coverage.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { collectRuleFiles } from '../frontend.js';
import type { CliIo } from './io.js';
import type { OutputFormat } from './report.js';
import { noRulesFound, prepare, printDiagnostics, printJson, printSarif } from './report.js';
import type { Registry } from './targets.js';
import type { ProduceOptions } from './produce.js';
import { produce } from './produce.js';
import { metaCounts } from './build-command.js';

export interface CoverageOptions {
  readonly targets: readonly string[];
  readonly json?: string;
  readonly markdown?: string;
  readonly format?: OutputFormat;
}

function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export async function coverageCommand(
  paths: readonly string[],
  opts: CoverageOptions,
  registry: Registry,
  io: CliIo,
  produceOptions: ProduceOptions = {},
): Promise<number> {
  const started = performance.now();
  const found: Diagnostic[] = [];
  const files = collectRuleFiles([...paths], found);
  const format = opts.format ?? 'text';
  if (files.length === 0) {
    const diagnostics = [...found, noRulesFound(paths)];
    if (format === 'json') printJson(io, {}, diagnostics);
    else if (format === 'sarif') printSarif(io, diagnostics);
    else printDiagnostics(io, diagnostics, new Map());
    return 1;
  }
  // Skipped entries of the folders (links leading out, FIFOs): warnings, in the document or on stderr.
  if (format === 'text') printDiagnostics(io, found, new Map());
  const { targets, loaded, output } = await produce(files, opts.targets, registry, produceOptions);
  // Correlation rules are compiled and counted like rules; filters are counted, tuning the rules they apply to.
  const correlations = loaded.correlations?.length ?? 0;
  const report = coverageOf(output.results, loaded.rules.length + correlations, loaded.badFiles.length);
  const seconds = (performance.now() - started) / 1000;
  const summary = `${loaded.rules.length} rules${metaCounts(correlations, loaded.filters?.length ?? 0)} (${loaded.badFiles.length} file(s) with errors) × ${targets.length} targets in ${seconds.toFixed(2)} s\n`;
  if (format === 'text') {
    io.stdout(coverageTable(report));
    io.stdout(summary);
  } else {
    // The document owns stdout; the timing goes to stderr, where it cannot break a parser.
    const diagnostics = prepare([...found, ...loaded.diagnostics, ...output.diagnostics], loaded.sources);
    if (format === 'json') printJson(io, { ...report }, diagnostics);
    else printSarif(io, diagnostics);
    io.stderr(summary);
  }
  if (opts.json) writeText(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.markdown) writeText(opts.markdown, coverageMatrix(output.results, report));
  return loaded.badFiles.length > 0 ? 1 : 0;
}
