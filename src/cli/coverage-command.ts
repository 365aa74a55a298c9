/** `rulec coverage [paths]`: per-target coverage table; `--json`/`--markdown` write machine and human reports. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { coverageMatrix, coverageOf, coverageTable } from '../build/coverage.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { collectRuleFiles } from '../frontend.js';
import type { CliIo } from './io.js';
import type { Registry } from './targets.js';
import type { ProduceOptions } from './produce.js';
import { printDiagnostics } from './report.js';
import { produce } from './produce.js';

export interface CoverageOptions {
  readonly targets: readonly string[];
  readonly json?: string;
  readonly markdown?: string;
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
  printDiagnostics(io, found, new Map());
  const { targets, loaded, output } = await produce(files, opts.targets, registry, produceOptions);
  const report = coverageOf(output.results, loaded.rules.length, loaded.badFiles.length);
  const seconds = (performance.now() - started) / 1000;
  io.stdout(coverageTable(report));
  io.stdout(
    `${loaded.rules.length} rules (${loaded.badFiles.length} file(s) with errors) × ${targets.length} targets in ${seconds.toFixed(2)} s\n`,
  );
  if (opts.json) writeText(opts.json, `${JSON.stringify(report, null, 2)}\n`);
  if (opts.markdown) writeText(opts.markdown, coverageMatrix(output.results, report));
  return loaded.badFiles.length > 0 ? 1 : 0;
}
