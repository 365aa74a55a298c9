/** `rulec compile --target T [paths]`: queries (or artifacts) on stdout, diagnostics on stderr. */
import { loadRules } from '../build/build.js';
import { compileRule } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { collectRuleFiles } from '../frontend.js';
import type { CliIo } from './io.js';
import { countBySeverity, printDiagnostics } from './report.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';
import type { Pipeline } from '../pipeline/types.js';

export function compileCommand(
  paths: readonly string[],
  opts: { target: string; artifact: boolean; pipelines?: Readonly<Record<string, Pipeline>> },
  registry: Registry,
  io: CliIo,
): number {
  const [target] = loadTargets(registry, [opts.target], opts.pipelines);
  const loaded = loadRules(collectRuleFiles([...paths]));
  const diagnostics: Diagnostic[] = [...loaded.diagnostics];
  const outputs: string[] = [];
  for (const rule of loaded.rules) {
    const result = compileRule(rule, target!);
    diagnostics.push(...result.diagnostics);
    if (!result.compiled) continue;
    if (opts.artifact) for (const file of result.artifacts) outputs.push(file.content.replace(/\n$/, ''));
    else outputs.push(result.compiled.query.query);
  }
  if (outputs.length > 0) io.stdout(`${outputs.join('\n\n')}\n`);
  printDiagnostics(io, diagnostics, loaded.sources);
  return countBySeverity(diagnostics).errors > 0 || loaded.rules.length === 0 ? 1 : 0;
}
