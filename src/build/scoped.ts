/**
 * The next content of an output folder after a build of some rule paths for some targets.
 *
 * A build owns exactly what it was asked about: for each built target, the files of the rules in scope (the rule
 * files found under the given paths, plus recorded rule files under a given folder that no longer exist) are
 * replaced; the files of every other rule, and every other target's folder, stay byte for byte. Which rule made
 * which file is known from the record (output-folder.ts) the previous build left in the folder.
 *
 * Combined files (Elastic's NDJSON, Splunk's savedsearches.conf, the JS index) must list every rule of the output,
 * not only those built now. They are recomputed from all the rules the output holds: the rules built now, and the
 * others compiled again from the rule text the record kept when they were built. The record keeps the text rather
 * than re-reading the rule files because a rule edited since but not rebuilt must appear in the combined file as
 * its per-rule file shows it (as built), and a rule file deleted outside the scope must still be combinable.
 * Re-parsing the per-rule artifacts instead would need a reader per target format; compiling again keeps this
 * target-agnostic, and a scoped build of the corpus costs about a full compile.
 */
import { createHash } from 'node:crypto';
import { relative, resolve, sep } from 'node:path';
import type { LoadedTarget } from '../compile.js';
import type { BuildResult, BuiltArtifact, BuiltRule } from './built.js';
import { slimResult } from './built.js';
import { compileRule } from '../compile.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/build-codes.js';
import { readRuleFile } from '../frontend.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Rule } from '../model/rule.js';
import type { LoadedRules } from './build.js';
import {
  applyPlanBuilt,
  compileCorrelationResult,
  correlationResults,
  placeOf,
  planMeta,
  tune,
  withheldReason,
} from './meta.js';
import { joinBundleSafely } from './build.js';
import { caseCollisions, predatingFiles, duplicateIdDiagnostics, findDuplicateIds, uniqueTitles } from './identity.js';
import type { OutputRecord, RuleEntry, TargetRecord } from './output-folder.js';
import { RECORD_FILE, renderRecord, withDocumentFiles } from './output-folder.js';
import type { TreeContent } from './tree-manifest.js';

export interface ScopeInput {
  /** Absolute output folder. */
  readonly out: string;
  /** Absolute paths the build was given (files and folders). */
  readonly roots: readonly string[];
  /** The folder the rule paths are relative to. */
  readonly cwd: string;
  readonly targets: readonly LoadedTarget[];
  /** The output folder as it is (see `readTree`). */
  readonly current: ReadonlyMap<string, TreeContent>;
  readonly record: OutputRecord;
  /** Whether the folder had a record (false: empty, new, or from before records). */
  readonly hasRecord: boolean;
  /** The rule files in scope, loaded. */
  readonly loaded: LoadedRules;
  /** Their results for every built target. */
  readonly results: readonly BuildResult[];
  /** Filters from `--filters` folders: applied like the filters of the rule paths, never recorded as in scope. */
  readonly extraFilters?: readonly Filter[];
}

export interface ScopedOutput {
  /** The whole next tree of the output folder, record included (files kept as they are stay `KnownFile`s). */
  readonly files: Map<string, TreeContent>;
  /** The in-scope results, with lengthened titles applied. */
  readonly results: BuildResult[];
  /** Targets' diagnostics for the rules in scope, plus identity, collision and combination problems. */
  readonly diagnostics: Diagnostic[];
  /** Of `diagnostics`, those linking correlation rules and filters (meta.ts): their errors block the write. */
  readonly linkDiagnostics: readonly Diagnostic[];
  /** Rule file → text, for code frames: the files in scope and the kept rules' recorded texts. */
  readonly sources: ReadonlyMap<string, string>;
  /** Whether the record lists only rule files in scope, for built targets only (build/incremental.ts). */
  readonly complete: boolean;
}

/** Record key of the files found in a folder from before records, kept until someone deletes them. */
const UNRECORDED = '(unrecorded)';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The record's hash of each rule text, by file: hashed once, not once per target (0.2 s of a corpus build). */
function sourceHashes(sources: ReadonlyMap<string, string>): (file: string) => string {
  const hashes = new Map<string, string>();
  return (file) => {
    let hash = hashes.get(file);
    if (hash === undefined) hashes.set(file, (hash = sha256(sources.get(file) ?? '')));
    return hash;
  };
}
const posix = (path: string): string => path.split(sep).join('/');

export function scopedOutput(input: ScopeInput): ScopedOutput {
  const { out, cwd, targets, current, record, loaded } = input;
  const diagnostics: Diagnostic[] = [];
  const sourceHash = sourceHashes(loaded.sources);
  const recordKey = (file: string): string => posix(relative(out, resolve(cwd, file)));
  const inScopeKeys = new Set<string>([...loaded.sources.keys(), ...loaded.badFiles].map(recordKey));
  const inScope = (key: string): boolean => {
    if (key === UNRECORDED) return false;
    if (inScopeKeys.has(key)) return true;
    const absolute = resolve(out, key);
    return input.roots.some((root) => absolute === root || absolute.startsWith(`${root}${sep}`));
  };

  // Documents of the output that are not rebuilt now, read again from their recorded text: rules (compiled again
  // for the combined files), correlation rules and filters (they still refer to, and tune, the rules in scope).
  interface KeptFile {
    readonly rules: Rule[];
    readonly correlations: readonly Correlation[];
    readonly filters: readonly Filter[];
  }
  const keptFiles = new Map<string, KeptFile>();
  const keptSources = new Map<string, string>();
  const keptFileOf = (key: string, entry: RuleEntry): KeptFile => {
    const cacheKey = `${key}\0${entry.source}`;
    let kept = keptFiles.get(cacheKey);
    if (kept) return kept;
    const text = input.record.sources[entry.source];
    const file = relative(cwd, resolve(out, key));
    const read = text === undefined ? undefined : readRuleFile(file, text);
    kept = {
      rules: (read?.rules ?? []).map((rule) => {
        const title = entry.titles?.[String(rule.documentIndex)];
        return title === undefined ? rule : { ...rule, title };
      }),
      correlations: read?.correlations ?? [],
      filters: read?.filters ?? [],
    };
    if (text !== undefined) keptSources.set(file, text);
    keptFiles.set(cacheKey, kept);
    return kept;
  };
  const keptOf = (key: string, entry: RuleEntry): Rule[] => keptFileOf(key, entry).rules;
  const built = new Set(targets.map((t) => t.backend.id));
  const kept = new Set<Rule>();
  const keptMeta = new Map<string, Correlation | Filter>();
  for (const id of built)
    for (const [key, entry] of Object.entries(record.targets[id]?.rules ?? {}))
      if (!inScope(key)) {
        const file = keptFileOf(key, entry);
        for (const rule of file.rules) kept.add(rule);
        for (const meta of [...file.correlations, ...file.filters])
          keptMeta.set(`${meta.file}#${meta.documentIndex}`, meta);
      }

  // Ids and titles are unique across the whole output, rebuilt or not.
  const everyRule = new Map<string, Rule>();
  for (const rule of [...kept, ...loaded.rules]) everyRule.set(`${rule.file}#${rule.documentIndex}`, rule);
  const sourceOf = (file: string): string | undefined => loaded.sources.get(file) ?? keptSources.get(file);
  const duplicates = duplicateIdDiagnostics([...everyRule.values()], sourceOf);
  diagnostics.push(...duplicates);
  // A rule whose id is taken is reported once (RC906) and builds nothing: its files would be the other rule's.
  // Rules are named by place, not object: results from worker threads hold copies of the loaded rules.
  const place = (rule: Rule): string => `${rule.file}#${rule.documentIndex}`;
  const taken = new Set(findDuplicateIds([...everyRule.values()]).map(({ rule }) => place(rule)));
  const titles = uniqueTitles(
    [...everyRule.values()].filter((rule) => !taken.has(place(rule))),
    kept,
    sourceOf,
  );
  diagnostics.push(...titles.diagnostics);
  const renamedAt = new Map([...titles.renamed.values()].map((rule) => [place(rule), rule]));
  const byId = new Map(targets.map((t) => [t.backend.id, t]));
  const renamedResults = input.results.map((result) => {
    const renamed = renamedAt.get(place(result.rule));
    const target = byId.get(result.target)!;
    return renamed ? slimResult(compileRule(renamed, target), target) : result;
  });

  // Correlation rules and filters over every document of the output, kept or rebuilt (meta.ts); only the
  // documents in scope report their own problems.
  const extraFilterFiles = new Set((input.extraFilters ?? []).map((f) => f.file));
  const keptCorrelations = [...keptMeta.values()].filter((m): m is Correlation => m.kind === 'correlation');
  const keptFilters = [...keptMeta.values()].filter((m): m is Filter => m.kind === 'filter');
  const plan = planMeta(
    {
      rules: [...kept, ...loaded.rules],
      correlations: [...keptCorrelations, ...(loaded.correlations ?? [])],
      filters: [...keptFilters, ...(loaded.filters ?? []), ...(input.extraFilters ?? [])],
    },
    (file) => loaded.sources.has(file) || extraFilterFiles.has(file),
  );
  diagnostics.push(...plan.diagnostics);
  const ownCorrelations = new Set(loaded.correlations ?? []);
  const results = [
    ...applyPlanBuilt(plan, renamedResults, targets),
    ...correlationResults(plan, targets, (c) => ownCorrelations.has(c)).map((r) => slimResult(r, byId.get(r.target)!)),
  ];
  const correlationPlaces = new Set([...ownCorrelations].map(placeOf));
  const keptCorrelationSet = new Set(keptCorrelations);

  const files = new Map<string, TreeContent>(current);
  files.delete(RECORD_FILE);
  const nextTargets: Record<string, TargetRecord> = { ...record.targets };
  for (const target of targets) {
    const id = target.backend.id;
    const previous = record.targets[id] ?? { rules: {}, bundles: [] };
    const recorded = new Set<string>(previous.bundles);
    for (const [key, entry] of Object.entries(previous.rules)) {
      for (const file of entry.files) recorded.add(file);
      if (inScope(key)) for (const file of entry.files) files.delete(`${id}/${file}`);
    }
    for (const file of previous.bundles) files.delete(`${id}/${file}`);

    const owner = new Map<string, string>();
    const ruleOwner = new Map<string, string>();
    const rules: Record<string, RuleEntry> = {};
    const compiled: BuiltRule[] = [];
    let adopted: string[] = [];
    for (const [key, entry] of Object.entries(previous.rules)) {
      if (inScope(key)) continue;
      if (key === UNRECORDED) {
        adopted = [...entry.files];
        continue;
      }
      rules[key] = entry;
      for (const file of entry.files) {
        owner.set(file, relative(cwd, resolve(out, key)));
        ruleOwner.set(`${id}/${file}`, relative(cwd, resolve(out, key)));
      }
      // Compiled again only for the combined files: a target without any has no use for them.
      if (target.backend.joinBundle === undefined) continue;
      for (const rule of keptOf(key, entry)) {
        if (withheldReason(plan, rule) !== undefined) continue;
        const result = slimResult(compileRule(tune(plan, rule), target), target);
        if (result.compiled) compiled.push(result.compiled);
      }
    }
    if (target.backend.joinBundle !== undefined)
      for (const resolved of plan.resolution.correlations) {
        if (!keptCorrelationSet.has(resolved.correlation)) continue;
        const result = slimResult(compileCorrelationResult(plan, resolved, target), target);
        if (result.compiled && !result.withheld) compiled.push(result.compiled);
      }
    const add = (file: BuiltArtifact, rule?: Rule): boolean => {
      const previousOwner = owner.get(file.path);
      if (previousOwner !== undefined) {
        diagnostics.push({
          code: 'RC905',
          severity: 'error',
          message: `${id}/${file.path} is generated by two rules (${previousOwner} and ${rule?.file ?? 'a combined file'}): rule ids must be unique`,
          ...(rule ? { file: rule.file } : {}),
          target: id,
        });
        return false;
      }
      owner.set(file.path, rule?.file ?? `${id}'s combined file`);
      if (rule) ruleOwner.set(`${id}/${file.path}`, rule.file);
      files.set(`${id}/${file.path}`, file.content);
      return true;
    };
    // Files that make no artifact here are recorded all the same (no files) when a later scoped build needs their
    // text: filters (they tune kept rules), withheld rules and refused correlations (they decide what is withheld).
    const recordOnly = (file: string): void => {
      const key = recordKey(file);
      rules[key] ??= { source: sourceHash(file), files: [] };
    };
    for (const f of loaded.filters ?? []) recordOnly(f.file);
    for (const result of results) {
      if (result.target !== id) continue;
      diagnostics.push(...result.diagnostics);
      if (result.withheld || (!result.compiled && correlationPlaces.has(place(result.rule)))) {
        recordOnly(result.rule.file);
        continue;
      }
      if (!result.compiled || taken.has(place(result.rule))) continue;
      compiled.push(result.compiled);
      const key = recordKey(result.rule.file);
      const entry = rules[key] ?? { source: sourceHash(result.rule.file), files: [] };
      const written = result.artifacts.filter((artifact) => add(artifact, result.rule)).map((a) => a.path);
      rules[key] = withDocumentFiles(entry, written, result.rule, renamedAt.has(place(result.rule)));
    }
    const bundles = joinBundleSafely(target, compiled, diagnostics)
      .filter((artifact) => add(artifact))
      .map((a) => a.path);
    nextTargets[id] = { rules, bundles };

    // Files of a built target nobody recorded. In a folder with a record, the target folders are rulec's alone:
    // such a file was dropped there by hand and would be deployed as a rule, so it is stale. In a folder from
    // before the record, it may be any rule's: kept (and recorded as such), never deleted on a guess.
    const unrecorded = [...files.keys()].filter(
      (path) =>
        path.startsWith(`${id}/`) && !recorded.has(path.slice(id.length + 1)) && !owner.has(path.slice(id.length + 1)),
    );
    if (input.hasRecord) for (const path of unrecorded) files.delete(path);
    else adopted.push(...unrecorded.map((path) => path.slice(id.length + 1)));
    // A rule now making one of them owns it from here on.
    adopted = adopted.filter((file) => !owner.has(file) && files.has(`${id}/${file}`)).sort();
    if (adopted.length > 0) rules[UNRECORDED] = { source: '', files: adopted };
    diagnostics.push(...predatingFiles(id, adopted));
    diagnostics.push(
      ...caseCollisions(
        [...files.keys()].filter((path) => path.startsWith(`${id}/`)),
        ruleOwner,
        id,
      ),
    );
  }

  const sources: Record<string, string> = {};
  const textOf = new Map<string, string>();
  for (const [file, text] of loaded.sources) textOf.set(sourceHash(file), text);
  for (const [hash, text] of Object.entries(record.sources)) if (!textOf.has(hash)) textOf.set(hash, text);
  for (const target of Object.values(nextTargets))
    for (const entry of Object.values(target.rules)) {
      const text = textOf.get(entry.source);
      if (text !== undefined) sources[entry.source] = text;
    }
  files.set(RECORD_FILE, renderRecord({ generator: 'rulec', format: 1, targets: nextTargets, sources }));
  return {
    files,
    results,
    diagnostics,
    linkDiagnostics: plan.diagnostics,
    sources: new Map([...keptSources, ...loaded.sources]),
    complete: Object.entries(nextTargets).every(
      ([id, target]) => built.has(id) && Object.keys(target.rules).every((key) => inScopeKeys.has(key)),
    ),
  };
}
