/**
 * `rulec compile --target T [paths]`: queries (or artifacts) on stdout, diagnostics on stderr.
 *
 * With several rules each query is labelled with its rule (title and file), as a comment line when the target's
 * query language has comments (`// …`), else as a `==> file: title <==` header line that no query language
 * accepts, so it cannot be pasted into a search by mistake. A rule the target refuses is listed at its place with
 * the reason, instead of leaving a silent gap. `--artifact` on several rules prints a stream the artifact format
 * can parse (NDJSON, a YAML stream) when the target declares one.
 */
import type { ArtifactFile } from '../backend/types.js';
import { loadRules } from '../build/build.js';
import type { LoadedTarget, TargetResult } from '../compile.js';
import { compileRule } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { printable } from '../diagnostics/printable.js';
import { compileCorrelation } from '../correlation/compile.js';
import type { Filter } from '../correlation/model.js';
import type { Resolution } from '../correlation/resolve.js';
import { resolveReferences } from '../correlation/resolve.js';
import { duplicateIdDiagnostics } from '../build/identity.js';
import { discoverRuleFiles } from '../source/discover.js';
import { unknownTargetIds } from '../model/target-ids.js';
import type { Rule } from '../model/rule.js';
import type { CliIo } from './io.js';
import { countBySeverity, noRulesFound, printDiagnostics } from './report.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';
import type { Pipeline } from '../pipeline/types.js';

export interface CompileOptions {
  /** Target names (ids or aliases); at least one. */
  readonly targets: readonly string[];
  readonly artifact: boolean;
  /** The site's layered pipelines by target id (src/config/site.ts); built-in pipelines without them. */
  readonly pipelines?: Readonly<Record<string, Pipeline>>;
}

/** Labels never span lines: a title with a line break would end the comment early. */
const oneLine = (text: string): string => text.replace(/[\r\n\u2028\u2029]+/g, ' ');

function label(target: LoadedTarget, rule: Rule, what: string, withTarget = false): string {
  const where = `${rule.file}${rule.documentIndex > 0 ? `#${rule.documentIndex}` : ''}`;
  const text = oneLine(`${what}${rule.title} (${where})${withTarget ? ` for ${target.backend.id}` : ''}`);
  const comment = target.backend.lineComment;
  return comment === undefined ? `==> ${text} <==` : `${comment} ${text}`;
}

function refusalLine(target: LoadedTarget, result: TargetResult): string {
  const reasons = result.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.code} ${d.message}`)
    .filter((r, i, all) => all.indexOf(r) === i);
  return label(target, result.rule, `refused by ${target.backend.id} [${reasons.join('; ')}]: `);
}

export function compileCommand(paths: readonly string[], opts: CompileOptions, registry: Registry, io: CliIo): number {
  const targets = loadTargets(registry, opts.targets, opts.pipelines);
  // A path that does not exist is one located RC030, as in validate and build, not a read error per file.
  const discovery = discoverRuleFiles(paths);
  if (discovery.diagnostics.some((d) => d.severity === 'error')) {
    printDiagnostics(io, discovery.diagnostics, new Map());
    return 1;
  }
  const loaded = loadRules(discovery.files);
  const resolution = resolveReferences(loaded.rules, loaded.correlations ?? [], loaded.filters ?? []);
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
  diagnostics.push(...resolution.diagnostics);
  const metaCount = (loaded.correlations?.length ?? 0) + (loaded.filters?.length ?? 0);
  if (loaded.rules.length + metaCount === 0 && loaded.badFiles.length === 0) diagnostics.push(noRulesFound(paths));
  const sections: string[] = [];
  const many = loaded.rules.length > 1 || targets.length > 1;
  for (const target of targets) {
    const results = loaded.rules.map((rule) => compileRule(rule, target));
    for (const result of results) diagnostics.push(...result.diagnostics);
    if (opts.artifact && many && target.backend.streamArtifacts) {
      // A stream is for a parser: refusals are left to stderr rather than written into it.
      const stream = target.backend.streamArtifacts(results.filter((r) => r.compiled).map((r) => r.artifacts));
      if (stream !== '') sections.push(stream.replace(/\n$/, ''));
      continue;
    }
    for (const result of results) {
      if (!result.compiled) {
        if (many) sections.push(refusalLine(target, result));
        continue;
      }
      const body = opts.artifact
        ? artifactText(result.artifacts, label(target, result.rule, '', targets.length > 1), many)
        : result.compiled.query.query;
      sections.push(many && !opts.artifact ? `${label(target, result.rule, '', targets.length > 1)}\n${body}` : body);
    }
    sections.push(...correlationSections(resolution, loaded.filters ?? [], target, opts, diagnostics));
  }
  if (sections.length > 0) io.stdout(`${sections.join('\n\n')}\n`);
  const shown = printDiagnostics(io, diagnostics, loaded.sources);
  return countBySeverity(shown).errors > 0 || loaded.rules.length === 0 ? 1 : 0;
}

/** Correlation queries of one target (artifacts are not made for them yet); filters are refused (RC721). */
function correlationSections(
  resolution: Resolution,
  filters: readonly Filter[],
  target: LoadedTarget,
  opts: CompileOptions,
  diagnostics: Diagnostic[],
): string[] {
  const id = target.backend.id;
  for (const f of filters) {
    diagnostics.push({
      code: 'RC721',
      severity: 'error',
      message: `a filter is not supported for target ${id} yet (rulec match applies it)`,
      file: f.file,
      target: id,
      ...(f.span ? { span: f.span } : {}),
    });
  }
  const sections: string[] = [];
  for (const resolved of resolution.correlations) {
    const result = compileCorrelation(resolved, target);
    diagnostics.push(...result.diagnostics);
    if (opts.artifact) {
      if (result.query)
        diagnostics.push({
          code: 'RC720',
          severity: 'error',
          message: `artifacts of correlation rules are not supported for target ${id} yet (without --artifact: the query)`,
          file: resolved.correlation.file,
          target: id,
        });
      continue;
    }
    const c = resolved.correlation;
    const text = `${c.title} (${c.file}) for ${id}`;
    const heading = target.backend.lineComment ? `${target.backend.lineComment} ${text}` : `==> ${text} <==`;
    if (result.query) sections.push(`${printable(heading)}\n${result.query.query}`);
  }
  return sections;
}

function artifactText(files: readonly ArtifactFile[], heading: string, many: boolean): string {
  const text = files.map((f) => f.content.replace(/\n$/, '')).join('\n\n');
  return many ? `${heading}\n${text}` : text;
}
