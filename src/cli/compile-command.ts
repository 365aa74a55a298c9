/**
 * `rulec compile --target T [paths]`: queries (or artifacts) on stdout, diagnostics on stderr.
 *
 * With several rules each query is labelled with its rule (title and file), as a comment line when the target's
 * query language has comments (`// …`), else as a `==> file: title <==` header line that no query language
 * accepts, so it cannot be pasted into a search by mistake. A rule the target refuses is listed at its place with
 * the reason, instead of leaving a silent gap. `--artifact` on several rules prints a stream the artifact format
 * can parse (NDJSON, a YAML stream) when the target declares one.
 *
 * Correlation rules are compiled like rules, after them (query or artifacts); global filters tune the rules they
 * apply to; a rule that only non-generating correlations use is not printed on its own, as the specification's
 * `generate` says, but its place is labelled (build/meta.ts).
 */
import type { ArtifactFile } from '../backend/types.js';
import { loadRules } from '../build/build.js';
import type { LoadedTarget, TargetResult } from '../compile.js';
import { compileRule } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { applyPlan, correlationResults, loadFilterFolders, planMeta } from '../build/meta.js';
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
  /** `--filters` folders: filters applied to the rules compiled, from outside the rule paths. */
  readonly filters?: readonly string[];
  /** Every target id, when `registry` holds only the targets compiled for (a rule's `targets:` may name any). */
  readonly knownTargets?: readonly string[];
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
  const filterFolders = loadFilterFolders(opts.filters ?? []);
  if (filterFolders.pathErrors.length > 0) {
    printDiagnostics(io, filterFolders.pathErrors, new Map());
    return 1;
  }
  // Filters tune the rules they apply to in every target; correlations are compiled like rules (build/meta.ts).
  const plan = planMeta({
    rules: loaded.rules,
    correlations: loaded.correlations ?? [],
    filters: [...(loaded.filters ?? []), ...filterFolders.filters],
  });
  const diagnostics: Diagnostic[] = [
    ...discovery.diagnostics,
    ...filterFolders.diagnostics,
    ...loaded.diagnostics,
    ...duplicateIdDiagnostics(loaded.rules, (file) => loaded.sources.get(file)),
    ...unknownTargetIds(loaded.rules, opts.knownTargets ?? registry.map((b) => b.id), loaded.sources),
    ...plan.diagnostics,
  ];
  const metaCount = (loaded.correlations?.length ?? 0) + (loaded.filters?.length ?? 0);
  if (loaded.rules.length + metaCount === 0 && loaded.badFiles.length === 0) diagnostics.push(noRulesFound(paths));
  const sources = new Map([...filterFolders.sources, ...loaded.sources]);
  const out = sectionWriter(io);
  const outputs = loaded.rules.length + plan.resolution.correlations.length;
  const many = outputs > 1 || targets.length > 1;
  for (const target of targets) {
    if (opts.artifact && many && target.backend.streamArtifacts) {
      // Rules in input order, then correlation rules (correlations they refer to first).
      const results = [
        ...applyPlan(
          plan,
          loaded.rules.map((rule) => compileRule(rule, target)),
          [target],
        ),
        ...correlationResults(plan, [target]),
      ];
      for (const result of results) diagnostics.push(...result.diagnostics);
      // A stream is for a parser: refusals and withheld rules are left to stderr rather than written into it.
      const stream = target.backend.streamArtifacts(
        results.filter((r) => r.compiled && !r.withheld).map((r) => r.artifacts),
      );
      if (stream !== '') out.section(stream.replace(/\n$/, ''));
      continue;
    }
    // Each rule's text is written as soon as it is compiled and its result dropped: a corpus's compiled rules are
    // never all in memory at once (they were a large share of the garbage collector's work).
    const emit = (result: TargetResult): void => {
      diagnostics.push(...result.diagnostics);
      const section = sectionOf(target, result, opts.artifact, many, targets.length > 1);
      if (section !== undefined) out.section(section);
    };
    for (const rule of loaded.rules) emit(applyPlan(plan, [compileRule(rule, target)], [target])[0]!);
    for (const result of correlationResults(plan, [target])) emit(result);
  }
  out.end();
  const shown = printDiagnostics(io, diagnostics, sources);
  const compiled = loaded.rules.length + (loaded.correlations?.length ?? 0);
  return countBySeverity(shown).errors > 0 || compiled === 0 ? 1 : 0;
}

/** What `rulec compile` prints for one result outside an artifact stream, or undefined for nothing. */
function sectionOf(
  target: LoadedTarget,
  result: TargetResult,
  artifact: boolean,
  many: boolean,
  withTarget: boolean,
): string | undefined {
  if (!result.compiled) return many ? refusalLine(target, result) : undefined;
  // As the specification has it: a rule only its correlations use is not converted on its own (`generate`).
  if (result.withheld)
    return many ? label(target, result.rule, `not deployed on its own, ${result.withheld}: `) : undefined;
  const body = artifact
    ? artifactText(result.artifacts, label(target, result.rule, '', withTarget), many)
    : result.compiled.query.query;
  return many && !artifact ? `${label(target, result.rule, '', withTarget)}\n${body}` : body;
}

/** Output sections, a blank line between them and a line break after the last, written in chunks as they come. */
function sectionWriter(io: CliIo): { section(text: string): void; end(): void } {
  let pending = '';
  let any = false;
  return {
    section(text) {
      pending += any ? `\n\n${text}` : text;
      any = true;
      if (pending.length >= 1 << 16) {
        io.stdout(pending);
        pending = '';
      }
    },
    end() {
      if (any) io.stdout(`${pending}\n`);
    },
  };
}

function artifactText(files: readonly ArtifactFile[], heading: string, many: boolean): string {
  const text = files.map((f) => f.content.replace(/\n$/, '')).join('\n\n');
  return many ? `${heading}\n${text}` : text;
}
