/** `rulec build`: every rule × every target into dist-rules/, atomically; `--check` reports drift instead. */
import { diffTrees, isEmptyDiff, readTree, replaceTree } from '../build/atomic.js';
import { inputKey, outputKey, readCache, writeCache } from '../build/cache.js';
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
  /** Reuse the last result when nothing changed (default true; `--no-cache` turns it off). */
  readonly cache: boolean;
}

export async function buildCommand(
  paths: readonly string[],
  opts: BuildCommandOptions,
  registry: Registry,
  io: CliIo,
  produceOptions: ProduceOptions = {},
): Promise<number> {
  const files = collectRuleFiles([...paths]);
  const current = readTree(opts.out);
  const key = opts.cache
    ? inputKey(files, {
        targets: opts.targets,
        out: opts.out,
        quiet: opts.quiet,
        allow: opts.allowRefusals,
        site: produceOptions.siteKey,
      })
    : '';
  const cached = opts.cache ? readCache(opts.out) : undefined;
  if (cached && cached.inputKey === key && cached.outputKey === outputKey(current)) {
    io.stderr(cached.report);
    io.stderr(`${opts.out}: inputs unchanged since the last build: nothing to do (cached)\n`);
    return cached.exitCode;
  }

  // Everything the build reports is also kept, to be replayed by a cached run.
  let report = '';
  const err = (text: string): void => {
    report += text;
    io.stderr(text);
  };
  const recording: CliIo = { ...io, stderr: err };
  const { loaded, output } = await produce(files, opts.targets, registry, produceOptions);
  const diagnostics = [...loaded.diagnostics, ...output.diagnostics];
  printDiagnostics(
    recording,
    opts.quiet ? diagnostics.filter((d) => d.severity === 'error') : diagnostics,
    loaded.sources,
  );
  const refusals = output.results.filter((r) => r.status === 'refused').length;
  const loadErrors = countBySeverity(loaded.diagnostics).errors;
  const buildErrors = output.diagnostics.filter((d) => d.severity === 'error' && d.code.startsWith('RC9')).length;
  const exitCode = loadErrors > 0 || buildErrors > 0 || (refusals > 0 && !opts.allowRefusals) ? 1 : 0;

  const diff = diffTrees(current, output.files);
  err(coverageTable(coverageOf(output.results, loaded.rules.length, loaded.badFiles.length)));
  err(`${files.length} file(s), ${loaded.rules.length} rule(s), ${loaded.badFiles.length} with errors\n`);
  if (opts.check) {
    if (!isEmptyDiff(diff)) {
      for (const p of diff.added) io.stdout(`missing  ${p}\n`);
      for (const p of diff.changed) io.stdout(`differs  ${p}\n`);
      for (const p of diff.removed) io.stdout(`stale    ${p}\n`);
      io.stderr(`error[RC904]: ${opts.out} is stale: run \`rulec build\` and commit the result\n`);
      return 1;
    }
    io.stderr(`${opts.out} is up to date (${output.files.size} files)\n`);
  } else if (isEmptyDiff(diff)) {
    io.stderr(`${opts.out}: nothing changed (${output.files.size} files)\n`);
  } else {
    replaceTree(opts.out, output.files);
    io.stderr(
      `${opts.out}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed (${output.files.size} files)\n`,
    );
  }
  if (opts.cache) writeCache(opts.out, { inputKey: key, outputKey: outputKey(output.files), report, exitCode });
  return exitCode;
}
