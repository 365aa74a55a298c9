/**
 * `rulec explain RULE --target T`: what the target's pipeline did to the rule — the entry chosen and the files that
 * made it, the destination, each field's mapping and the file that decided it, and the diagnostics.
 */
import { loadRules } from '../build/build.js';
import { compileRule } from '../compile.js';
import type { Pipeline } from '../pipeline/types.js';
import { fieldsOf } from '../ir/visit.js';
import { collectRuleFiles } from '../frontend.js';
import type { CliIo } from './io.js';
import { countBySeverity, printDiagnostics } from './report.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';

export function explainCommand(
  paths: readonly string[],
  opts: { target: string; pipelines: Readonly<Record<string, Pipeline>> },
  registry: Registry,
  io: CliIo,
): number {
  const [target] = loadTargets(registry, [opts.target], opts.pipelines);
  const loaded = loadRules(collectRuleFiles([...paths]));
  const diagnostics = [...loaded.diagnostics];
  const pipeline = target!.pipeline;
  for (const rule of loaded.rules) {
    const result = compileRule(rule, target!);
    diagnostics.push(...result.diagnostics);
    io.stdout(`${rule.file}: ${rule.title}\n`);
    io.stdout(`  pipeline layers: ${(pipeline.layers ?? ['built-in']).join(' < ')}\n`);
    const mapped = result.compiled?.mapped;
    const id = mapped?.logsourceId;
    const entry = pipeline.logsources.find((e) => e.id === id) ?? pipeline.alternatives?.find((e) => e.id === id);
    if (!mapped) {
      io.stdout(`  refused for ${opts.target} (see the errors below)\n`);
      continue;
    }
    io.stdout(
      entry
        ? `  logsource entry: ${entry.id} (from ${(entry.from ?? []).join(', ')})\n`
        : `  logsource entry: none, fallback destination (fields kept as written)\n`,
    );
    io.stdout(`  destination: ${JSON.stringify(mapped.destination)}\n`);
    for (const field of fieldsOf(rule.detection)) {
      const own = entry?.fields && Object.hasOwn(entry.fields, field) ? entry.fields[field] : undefined;
      const shared = Object.hasOwn(pipeline.fields, field) ? pipeline.fields[field] : undefined;
      const to = own ?? shared ?? field;
      const why =
        own !== undefined
          ? (entry?.fieldFrom?.[field] ?? entry?.from?.[0] ?? '')
          : shared !== undefined
            ? 'shared fields'
            : 'unmapped: kept';
      io.stdout(`  ${field} → ${[to].flat().join(' | ')}  (${why})\n`);
    }
  }
  // Meta-rules have no field mapping of their own: their referenced rules are explained above when given.
  for (const meta of [...(loaded.correlations ?? []), ...(loaded.filters ?? [])])
    io.stdout(
      `${meta.file}: ${meta.title}\n  ${meta.kind === 'correlation' ? 'correlation rule' : 'filter'}: nothing to explain (see rulec compile)\n`,
    );
  printDiagnostics(io, diagnostics, loaded.sources);
  return countBySeverity(diagnostics).errors > 0 || loaded.rules.length === 0 ? 1 : 0;
}
