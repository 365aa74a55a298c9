/** `rulec build`: every rule × every target into dist-rules/, atomically; `--check` reports drift instead. */
import { diffTrees, isEmptyDiff, readTree, replaceTree } from '../build/atomic.js';
import { coverageOf, coverageTable } from '../build/coverage.js';
import { collectRuleFiles } from '../frontend.js';
import type { CliIo } from './io.js';
import { countBySeverity, printDiagnostics } from './report.js';
import type { Registry } from './targets.js';
import type { ProduceOptions } from './produce.js';
import { produce } from './produce.js';

export interface BuildCommandOptions {
  readonly out: string;
  readonly check: boolean;
  readonly targets: readonly string[];
  readonly allowRefusals: boolean;
  readonly quiet: boolean;
}

export async function buildCommand(
  paths: readonly string[],
  opts: BuildCommandOptions,
  registry: Registry,
  io: CliIo,
  produceOptions: ProduceOptions = {},
): Promise<number> {
  const files = collectRuleFiles([...paths]);
  const { loaded, output } = await produce(files, opts.targets, registry, produceOptions);
  const diagnostics = [...loaded.diagnostics, ...output.diagnostics];
  printDiagnostics(io, opts.quiet ? diagnostics.filter((d) => d.severity === 'error') : diagnostics, loaded.sources);
  const refusals = output.results.filter((r) => r.status === 'refused').length;
  const loadErrors = countBySeverity(loaded.diagnostics).errors;
  const buildErrors = output.diagnostics.filter((d) => d.severity === 'error' && d.code.startsWith('RC9')).length;

  const current = readTree(opts.out);
  const diff = diffTrees(current, output.files);
  io.stderr(coverageTable(coverageOf(output.results, loaded.rules.length, loaded.badFiles.length)));
  io.stderr(`${files.length} file(s), ${loaded.rules.length} rule(s), ${loaded.badFiles.length} with errors\n`);
  if (opts.check) {
    if (isEmptyDiff(diff)) {
      io.stderr(`${opts.out} is up to date (${output.files.size} files)\n`);
    } else {
      for (const p of diff.added) io.stdout(`missing  ${p}\n`);
      for (const p of diff.changed) io.stdout(`differs  ${p}\n`);
      for (const p of diff.removed) io.stdout(`stale    ${p}\n`);
      io.stderr(`error[RC904]: ${opts.out} is stale: run \`rulec build\` and commit the result\n`);
      return 1;
    }
  } else if (isEmptyDiff(diff)) {
    io.stderr(`${opts.out}: nothing changed (${output.files.size} files)\n`);
  } else {
    replaceTree(opts.out, output.files);
    io.stderr(
      `${opts.out}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed (${output.files.size} files)\n`,
    );
  }
  if (loadErrors > 0 || buildErrors > 0) return 1;
  if (refusals > 0 && !opts.allowRefusals) return 1;
  return 0;
}
