/** `rulec compile --target T [paths]`: queries (or artifacts) on stdout, diagnostics on stderr. */
import { loadRules } from '../build/build.js';
import { compileRule } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { duplicateIdDiagnostics } from '../build/identity.js';
import { discoverRuleFiles } from '../source/discover.js';
import { unknownTargetIds } from '../model/target-ids.js';
import type { CliIo } from './io.js';
import { countBySeverity, printDiagnostics } from './report.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';

export function compileCommand(
  paths: readonly string[],
  opts: { target: string; artifact: boolean },
  registry: Registry,
  io: CliIo,
): number {
  const [target] = loadTargets(registry, [opts.target]);
  // A path that does not exist is one located RC030, as in validate and build, not a read error per file.
  const discovery = discoverRuleFiles(paths);
  if (discovery.diagnostics.some((d) => d.severity === 'error')) {
    printDiagnostics(io, discovery.diagnostics, new Map());
    return 1;
  }
  const loaded = loadRules(discovery.files);
  const diagnostics: Diagnostic[] = [
    ...discovery.diagnostics,
    ...loaded.diagnostics,
    ...duplicateIdDiagnostics(loaded.rules, (file) => loaded.sources.get(file)),
    ...unknownTargetIds(
      loaded.rules,
      registry.map((b) => b.id),
      loaded.sources,
    ),
  ];
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
