/** `rulec coverage [paths]`: per-target coverage table; `--json`/`--markdown` write machine and human reports. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildTargets, loadRules } from '../build/build.js';
import { coverageMatrix, coverageOf, coverageTable } from '../build/coverage.js';
import { collectRuleFiles } from '../frontend.js';
import type { CliIo } from './io.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';

export interface CoverageOptions {
  readonly targets: readonly string[];
  readonly json?: string;
  readonly markdown?: string;
}

function writeText(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export function coverageCommand(
  paths: readonly string[],
  opts: CoverageOptions,
  registry: Registry,
  io: CliIo,
): number {
  const started = performance.now();
  const targets = loadTargets(registry, opts.targets);
  const loaded = loadRules(collectRuleFiles([...paths]));
  const output = buildTargets(loaded.rules, targets);
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
