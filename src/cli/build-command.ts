/**
 * `rulec build`: the given rules × the chosen targets into the output folder, atomically; `--check` reports drift
 * instead. The build only replaces what it was asked about (scoped.ts), only in a folder rulec made
 * (output-folder.ts), one build at a time (lock.ts), and writes nothing when it has errors unless told to.
 */
import { resolve, sep } from 'node:path';
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { TreeDiff } from '../build/atomic.js';
import {
  diffTrees,
  isEmptyDiff,
  readTree,
  recoverInterruptedSwap,
  recoverInterruptedUpdate,
  replaceTree,
  updateTree,
  WriteError,
  describeFsError,
} from '../build/atomic.js';
import { inputKey, readCache, writeCache } from '../build/cache.js';
import type { TreeContent } from '../build/tree-manifest.js';
import { dropManifest, readKnownTree, treeHash, writeManifest } from '../build/tree-manifest.js';
import { openResultCache } from '../build/result-cache.js';
import type { CoverageResult } from '../build/coverage.js';
import type { AheadCheck } from '../build/output-check.js';
import {
  dropIncremental,
  foldersAsLeft,
  incrementalBuild,
  incrementalKey,
  saveIncremental,
  walkedFiles,
  walkToKeep,
} from '../build/incremental.js';
import type { TrustedWalk } from '../build/incremental.js';
import { coverageTable, targetCoverage } from '../build/coverage.js';
import type { Lock } from '../build/lock.js';
import { acquireLock, LockBusyError, removeDeadStaging } from '../build/lock.js';
import type { OutputRecord } from '../build/output-folder.js';
import { checkOutputFolder, parseRecord, readRecordFile, RECORD_FILE } from '../build/output-folder.js';
import { StagedTree } from '../build/staged-tree.js';
import type { StreamInput } from '../build/stream.js';
import { keepsNoRule, recordForStream, streamBuild } from '../build/stream.js';
import { scopedOutput } from '../build/scoped.js';
import type { FilterFolders } from '../build/meta.js';
import { loadFilterFolders } from '../build/meta.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { discoverRuleFiles } from '../source/discover.js';
import type { WalkRecord } from '../source/discover.js';
import { printable } from '../diagnostics/printable.js';
import { unknownTargetIds } from '../model/target-ids.js';
import type { CliIo } from './io.js';
import type { OutputFormat } from './report.js';
import { countBySeverity, diagnosticSegments, prepare, printDiagnostics, printJson, printSarif } from './report.js';
import type { Registry } from './targets.js';
import { loadTargets, resolveTargetIds } from './targets.js';
import type { ProduceOptions } from './produce.js';
import { produceResults } from './produce.js';

export interface BuildCommandOptions {
  readonly out: string;
  readonly check: boolean;
  readonly targets: readonly string[];
  readonly allowRefusals: boolean;
  /** Write the rules that compiled even when others have errors (exit code stays 1). */
  readonly allowErrors?: boolean;
  readonly quiet: boolean;
  /** Reuse the last result when nothing changed (default true; `--no-cache` turns it off). */
  readonly cache: boolean;
  /** How long to wait for another build of the same output folder, in milliseconds (default 60 s). */
  readonly waitMs?: number;
  /** `text` (default): diagnostics on stderr; `json`/`sarif`: one document on stdout, the summary on stderr. */
  readonly format?: OutputFormat;
  /** `--filters` folders: filters applied to the rules built, from outside the rule paths (meta.ts). */
  readonly filters?: readonly string[];
  /** The check of the output for an in-place build, started on another thread (build/output-check.ts checkAhead). */
  readonly ahead?: Promise<AheadCheck | undefined>;
}

/** Diagnostics about several rules at once (ids, titles, names, combined files): no incremental build then. */
const LINK_CODES = new Set(['RC905', 'RC906', 'RC907', 'RC908', 'RC914', 'RC916']);

/** Errors of the output as a whole (not of one target's rendering of one rule): they block writing. */
const OUTPUT_ERRORS = new Set(['RC905', 'RC906', 'RC908', 'RC914']);

export async function buildCommand(
  paths: readonly string[],
  opts: BuildCommandOptions,
  registry: Registry,
  io: CliIo,
  produceOptions: ProduceOptions = {},
): Promise<number> {
  const format = opts.format ?? 'text';
  const fail = (diagnostics: readonly Diagnostic[]): number => {
    if (format === 'json') printJson(io, {}, prepare(diagnostics, new Map()));
    else if (format === 'sarif') printSarif(io, prepare(diagnostics, new Map()));
    else printDiagnostics(io, diagnostics, new Map());
    return 1;
  };
  // Everything that can be refused is refused before the output folder is read, locked or written. A cached build
  // lists no rule folder the last one listed if none changed (build/incremental.ts walkedFiles).
  const cached = opts.cache && !opts.check;
  const walk: WalkRecord = { at: 0, folders: [], partial: !cached };
  const known = cached ? walkedFiles(opts.out, paths) : undefined;
  const discovery = known
    ? { files: known.files, diagnostics: [] }
    : discoverRuleFiles(paths, cached ? walk : undefined);
  if (discovery.diagnostics.some((d) => d.severity === 'error')) return fail(discovery.diagnostics);
  // The targets' ids: their pipelines are the site's, loaded when needed (the built-in ones loaded here cost 6 ms).
  const targetIds = opts.targets.length > 0 ? resolveTargetIds(registry, opts.targets) : registry.map((b) => b.id);
  const filterFolders = loadFilterFolders(opts.filters ?? []);
  // A `--filters` folder that does not exist is refused like a rule path that does not exist.
  if (filterFolders.pathErrors.length > 0) return fail(filterFolders.pathErrors);
  const guard = checkOutputFolder(
    opts.out,
    registry.map((b) => b.id),
    cached ? foldersAsLeft(opts.out) : undefined,
  );
  if (guard.length > 0) return fail(guard);
  // `rulec build .` must not read its own output (Sentinel's .yaml artifacts) back as rules.
  const files = discovery.files.filter((file) => !resolve(file).startsWith(`${opts.out}${sep}`));
  if (files.length === 0)
    return fail([
      {
        code: 'RC031',
        severity: 'error',
        message: `no rule files found (.yml or .yaml) in ${paths.map((p) => `'${p}'`).join(', ')}: nothing to build, nothing written`,
      },
    ]);

  let lock: Lock | undefined;
  try {
    lock = await acquireLock(opts.out, opts.waitMs ?? 60_000);
  } catch (error) {
    if (error instanceof LockBusyError)
      return fail([
        {
          code: 'RC911',
          severity: 'error',
          message: `another rulec build (pid ${error.holder ?? '?'}) is writing '${opts.out}' and did not finish in time: try again when it has ended (lock: ${error.lockFile})`,
        },
      ]);
    // `--check` writes nothing, so a folder it cannot lock (read-only checkout) is still checked.
    if (!opts.check || !isFsError(error)) return failOnFs(error, opts.out, io);
  }
  try {
    if (!opts.check) {
      removeDeadStaging(opts.out);
      // A build killed while swapping or applying its update is completed first, so this one reads a whole tree.
      recoverInterruptedSwap(opts.out);
      recoverInterruptedUpdate(opts.out);
    }
    return await lockedBuild(
      files,
      known ? known.walk : walkToKeep(walk, paths, discovery, files),
      discovery.diagnostics,
      paths,
      targetIds,
      opts,
      registry,
      io,
      { ...produceOptions, extraFilters: filterFolders.filters },
      filterFolders,
    );
  } catch (error) {
    return failOnFs(error, opts.out, io);
  } finally {
    lock?.release();
  }
}

/** The files' sizes and mtimes; a file that cannot be stat'ed is left out (the build reports it when reading). */
function statAll(files: readonly string[]): Map<string, { size: number; mtimeMs: number }> {
  const stats = new Map<string, { size: number; mtimeMs: number }>();
  for (const file of files) {
    try {
      const { size, mtimeMs } = statSync(file);
      stats.set(file, { size, mtimeMs });
    } catch {
      // Unreadable: saveIncremental keeps no state for a build with such a file.
    }
  }
  return stats;
}

/** `, 1 correlation rule(s), 2 filter(s)` — only what the build has, so plain rule trees read as before. */
export function metaCounts(correlations: number, filters: number): string {
  return `${correlations > 0 ? `, ${correlations} correlation rule(s)` : ''}${filters > 0 ? `, ${filters} filter(s)` : ''}`;
}

function isFsError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string';
}

/** A file system failure is one line with its cause, never a stack; anything else is a bug and is rethrown. */
function failOnFs(error: unknown, out: string, io: CliIo): number {
  const message =
    error instanceof WriteError
      ? error.message
      : isFsError(error)
        ? `cannot build into ${out}: ${describeFsError(error)}`
        : undefined;
  if (message === undefined) throw error;
  printDiagnostics(io, [{ code: 'RC912', severity: 'error', message }], new Map());
  return 1;
}

/** What either way of building gives the report and the write. */
interface Outcome {
  readonly results: readonly CoverageResult[];
  /** Every diagnostic of the build, in the order reported. */
  readonly diagnostics: readonly Diagnostic[];
  /** Reading errors, of the rule paths and of the `--filters` folders, and broken references between documents. */
  readonly loadErrors: number;
  /** Of `diagnostics`, those of the output (they block the write with OUTPUT_ERRORS). */
  readonly outputDiagnostics: readonly Diagnostic[];
  readonly badFiles: readonly string[];
  /** Rule file → text, for the code frames of `shown`. */
  readonly sourcesFor: (shown: readonly Diagnostic[]) => ReadonlyMap<string, string>;
  readonly rules: number;
  readonly correlations: number;
  readonly filters: number;
  /** The whole tree's drift, record included. */
  readonly whole: TreeDiff;
  /** Files of the next tree, record left out. */
  readonly fileCount: number;
  /** Writes the next tree (an existing folder gets only the files that change). */
  readonly write: () => void;
  /** Called when nothing is written. */
  readonly discard: () => void;
}

async function lockedBuild(
  files: readonly string[],
  /** How the rule folders were listed, when this build listed them and the next may trust it. */
  walk: TrustedWalk | undefined,
  /** Warnings about the paths themselves (links not followed, …), reported with the rules'. */
  found: readonly Diagnostic[],
  paths: readonly string[],
  targetIds: readonly string[],
  opts: BuildCommandOptions,
  registry: Registry,
  io: CliIo,
  produceOptions: ProduceOptions,
  filterFolders: FilterFolders,
): Promise<number> {
  const roots = paths.map((p) => resolve(p));
  // Per-file results of earlier builds (result-cache.ts): a build after one rule changed compiles that rule only.
  // `--no-cache` is a cold build; `--check` compiles everything afresh, so it also verifies what the cache gives.
  const useResultCache = opts.cache && !opts.check;
  // A build without the result cache that keeps no rule of the folder streams (build/stream.ts): files are
  // compared and staged as they are made, never held all at once.
  if (!useResultCache) {
    const read = recordOf(opts.out);
    if ('code' in read) {
      printDiagnostics(io, [read], new Map());
      return 1;
    }
    const targets = loadTargets(registry, targetIds, produceOptions.pipelines);
    // Only the texts of other targets' rules are needed: the built targets' rules are all read again.
    const record = recordForStream(read.record, targetIds);
    const scope = { files, out: opts.out, roots, cwd: process.cwd(), targets, record };
    if (keepsNoRule(scope)) {
      const tree = new StagedTree(opts.out, !opts.check);
      try {
        const worker = streamWorker(produceOptions);
        const outcome = await streamedOutcome(
          { ...scope, ...(worker ? { worker } : {}) },
          read.hasRecord,
          tree,
          found,
          registry,
          filterFolders,
        );
        return finishBuild(outcome, opts, io, files.length, () => undefined);
      } finally {
        tree.discard();
      }
    }
  }
  // The cache replays a text report; a json/sarif document is always produced afresh.
  const format = opts.format ?? 'text';
  if (format !== 'text') opts = { ...opts, cache: false };
  // After a build of the whole output, one over the same files and options with a few rules edited edits the
  // output in place (build/incremental.ts); with correlation rules or filters about, it builds as below.
  const incremental =
    useResultCache && format === 'text' && (opts.filters ?? []).length === 0
      ? incrementalKey({
          options: { roots, targets: targetIds, out: opts.out, quiet: opts.quiet, allow: opts.allowRefusals },
          allowErrors: Boolean(opts.allowErrors),
          // The site's key is the hash of its pipelines (config/site.ts): hashing them again cost 8 ms.
          site: produceOptions.siteKey ?? produceOptions.pipelines ?? null,
          cwd: process.cwd(),
          registry: registry.map((b) => b.id),
          files,
          found,
        })
      : undefined;
  const show = (diagnostics: readonly Diagnostic[]): readonly Diagnostic[] =>
    opts.quiet ? diagnostics.filter((d) => d.severity === 'error') : diagnostics;
  if (incremental !== undefined) {
    const ahead = await opts.ahead;
    const done = incrementalBuild({
      out: opts.out,
      cwd: process.cwd(),
      key: incremental,
      files,
      loadTargets: () => loadTargets(registry, targetIds, produceOptions.pipelines),
      diagnosticsOf: (rules, sources) =>
        unknownTargetIds(
          rules,
          registry.map((b) => b.id),
          sources,
        ),
      segments: (diagnostics, sources) => diagnosticSegments(show(diagnostics), sources),
      stderr: (text) => io.stderr(text),
      ...(ahead ? { ahead } : {}),
      ...(walk ? { walk } : {}),
    });
    if (done) {
      // The update folder the in-place build applied goes before the lock does (atomic.ts commitStagedUpdate).
      await done.cleanup;
      produceOptions.onResultCache?.({
        hits: files.length - done.compiled,
        misses: done.compiled,
        inPlace: true,
        ...(done.checkedAhead ? { checkedAhead: true as const } : {}),
      });
      return done.exitCode;
    }
  }
  // The rule files' stamps before they are read: the incremental state must not call a file edited since known.
  const ruleStats = incremental === undefined ? undefined : statAll(files);
  // `--check` and `--no-cache` read the whole folder; a cached build trusts the files it left as they were
  // (tree-manifest.ts: same size, mtime and inode) and reads the others.
  const current: ReadonlyMap<string, TreeContent> = useResultCache
    ? readKnownTree(opts.out, new Set([RECORD_FILE]))
    : readTree(opts.out);
  const resultCache = useResultCache
    ? openResultCache(opts.out, targetIds, produceOptions.pipelines, produceOptions.siteKey, current)
    : undefined;
  const cacheOptions = {
    roots,
    targets: targetIds,
    out: opts.out,
    quiet: opts.quiet,
    allow: opts.allowRefusals,
    allowErrors: Boolean(opts.allowErrors),
    site: produceOptions.siteKey,
    filters: opts.filters ?? [],
  };
  // The filters of `--filters` folders change the output like the rule files do.
  const key = opts.cache ? inputKey([...files, ...filterFolders.files], cacheOptions) : undefined;
  const cached = key ? readCache(opts.out) : undefined;
  if (!opts.check && cached && cached.inputKey === key && cached.outputKey === treeHash(current)) {
    io.stderr(cached.report);
    io.stderr(`${opts.out}: inputs unchanged since the last build: nothing to do (cached)\n`);
    return cached.exitCode;
  }
  const recordText = current.get(RECORD_FILE);
  const record = parseRecord(typeof recordText === 'string' ? recordText : undefined, opts.out);
  if ('code' in record) {
    printDiagnostics(io, [record], new Map());
    return 1;
  }

  const {
    targets,
    loaded,
    results: ownResults,
  } = await produceResults(files, targetIds, registry, {
    ...produceOptions,
    ...(resultCache ? { resultCache } : {}),
  });
  if (resultCache) produceOptions.onResultCache?.({ hits: resultCache.hits, misses: resultCache.misses });
  const output = scopedOutput({
    out: opts.out,
    roots,
    cwd: process.cwd(),
    targets,
    current,
    record,
    hasRecord: current.has(RECORD_FILE),
    loaded,
    results: ownResults,
    extraFilters: filterFolders.filters,
  });
  const diagnostics = [
    ...found,
    ...filterFolders.diagnostics,
    ...loaded.diagnostics,
    ...unknownTargetIds(
      loaded.rules,
      registry.map((b) => b.id),
      loaded.sources,
    ),
    ...output.diagnostics,
  ];
  const sources = new Map([...filterFolders.sources, ...output.sources]);
  // One comparison of the two trees (a text against a KnownFile costs a sha1 of the text); the drift reported
  // leaves the record out. A text found equal to a KnownFile is replaced by it, so that neither the manifest nor
  // the whole-build cache's key hashes it again.
  const whole = diffTrees(current, output.files);
  const written = new Set([...whole.added, ...whole.changed]);
  for (const [path, content] of output.files) {
    const old = current.get(path);
    if (typeof content === 'string' && old !== undefined && typeof old !== 'string' && !written.has(path))
      output.files.set(path, old);
  }
  const write = (): void => {
    // What is written is new text: a KnownFile is a file of the current tree, kept, never added or changed.
    const text = (path: string): string => {
      const content = output.files.get(path)!;
      if (typeof content !== 'string') throw new Error(`internal: ${path} is written but unchanged`);
      return content;
    };
    // A write that fails half-way must not leave a manifest describing files no longer there.
    if (resultCache) dropManifest(opts.out);
    dropIncremental(opts.out);
    if (existsSync(opts.out))
      updateTree(opts.out, {
        write: new Map([...whole.added, ...whole.changed].map((path) => [path, text(path)])),
        remove: whole.removed,
      });
    else replaceTree(opts.out, new Map([...output.files.keys()].map((path) => [path, text(path)])));
  };
  let kept: KeptReport | undefined;
  const exitCode = finishBuild(
    {
      results: output.results,
      diagnostics,
      loadErrors: loadErrorCount(loaded.diagnostics, filterFolders, output.linkDiagnostics),
      outputDiagnostics: output.diagnostics,
      badFiles: loaded.badFiles,
      sourcesFor: () => sources,
      rules: loaded.rules.length,
      correlations: loaded.correlations?.length ?? 0,
      filters: (loaded.filters?.length ?? 0) + filterFolders.filters.length,
      whole,
      fileCount: [...output.files.keys()].filter((path) => path !== RECORD_FILE).length,
      write,
      discard: () => undefined,
    },
    opts,
    io,
    files.length,
    (k) => (kept = k),
  );
  if (opts.check) return exitCode;
  const writes = exitCode === 0 || Boolean(opts.allowErrors);
  // The folder is now `output.files` (written, or equal to it): remembered so the next build need not read it.
  const manifest = resultCache && writes ? writeManifest(opts.out, output.files) : undefined;
  // Kept for an incremental build when the output is this build's alone and no document links others.
  const linked = output.diagnostics.some((d) => LINK_CODES.has(d.code));
  const meta = (loaded.correlations?.length ?? 0) + (loaded.filters?.length ?? 0) + filterFolders.filters.length;
  if (incremental !== undefined && ruleStats && manifest && kept && output.complete && !linked && meta === 0)
    saveIncremental({
      out: opts.out,
      key: incremental,
      files,
      stats: ruleStats,
      sources: loaded.sources,
      rules: loaded.rules,
      loadDiagnostics: loaded.diagnostics,
      badFiles: kept.badFiles,
      results: output.results,
      targets,
      tree: manifest,
      segments: kept.segments,
      tail: kept.tail,
      exitCode,
      ...(walk ? { walk } : {}),
    });
  else if (incremental !== undefined) dropIncremental(opts.out);
  const after = writes ? output.files : current;
  // Saved against the folder as left: the per-rule files found there as compiled are kept by hash only.
  resultCache?.save(after);
  if (key) writeCache(opts.out, { inputKey: key, outputKey: treeHash(after), report: kept?.report ?? '', exitCode });
  return exitCode;
}

/** The output folder's record (its text, megabytes, is not kept), or why it cannot be read. */
function recordOf(out: string): { readonly record: OutputRecord; readonly hasRecord: boolean } | Diagnostic {
  const text = readRecordFile(out);
  const record = parseRecord(text, out);
  return 'code' in record ? record : { record, hasRecord: text !== undefined };
}

/**
 * The worker thread of a streaming build (build/stream-pool.ts), with RULEC_JOBS (or `jobs`) of 2 or more: it
 * compiles a share of the rule files. Workers load compiled JavaScript; from the TypeScript sources (tests, tsx)
 * everything stays on this thread.
 */
function streamWorker(options: ProduceOptions): StreamInput['worker'] {
  const fromEnv = Number(process.env.RULEC_JOBS ?? '');
  const jobs = options.jobs ?? (fromEnv > 0 ? fromEnv : 1);
  if (jobs < 2 || options.registryModule === undefined || !import.meta.url.endsWith('.js')) return undefined;
  return { registryModule: options.registryModule, ...(options.pipelines ? { pipelines: options.pipelines } : {}) };
}

/** The streaming build's outcome (build/stream.ts): the next tree is in `tree`, staged. */
async function streamedOutcome(
  scope: Pick<StreamInput, 'files' | 'out' | 'roots' | 'cwd' | 'targets' | 'record' | 'worker'>,
  hasRecord: boolean,
  tree: StagedTree,
  found: readonly Diagnostic[],
  registry: Registry,
  filterFolders: FilterFolders,
): Promise<Outcome> {
  const streamed = await streamBuild({
    ...scope,
    hasRecord,
    extraFilters: filterFolders.filters,
    knownTargets: registry.map((b) => b.id),
    tree,
  });
  const whole = tree.diff();
  return {
    results: streamed.results,
    diagnostics: [
      ...found,
      ...filterFolders.diagnostics,
      ...streamed.loadDiagnostics,
      ...streamed.unknownTargets,
      ...streamed.diagnostics,
    ],
    loadErrors: loadErrorCount(streamed.loadDiagnostics, filterFolders, streamed.linkDiagnostics),
    outputDiagnostics: streamed.diagnostics,
    badFiles: streamed.badFiles,
    // The texts of the files whose diagnostics are shown, read again (the stream kept none).
    sourcesFor: (shown) => {
      const sources = new Map(filterFolders.sources);
      for (const d of shown)
        if (d.file !== undefined && !sources.has(d.file)) {
          const text = readSource(d.file);
          if (text !== undefined) sources.set(d.file, text);
        }
      return sources;
    },
    rules: streamed.rules,
    correlations: streamed.correlations,
    filters: streamed.filters + filterFolders.filters.length,
    whole,
    fileCount: [...tree.paths()].filter((path) => path !== RECORD_FILE).length,
    // The incremental state describes the folder as an earlier build left it: no longer once this one writes.
    write: () => {
      dropIncremental(scope.out);
      tree.commit();
    },
    discard: () => tree.discard(),
  };
}

/** Read as text, as stream.ts reads the rule texts again: no Buffer left outside the heap for the collector. */
function readSource(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Reading errors, of the rule paths and of the `--filters` folders, and broken references between documents. */
function loadErrorCount(
  loadDiagnostics: readonly Diagnostic[],
  filterFolders: FilterFolders,
  linkDiagnostics: readonly Diagnostic[],
): number {
  return (
    countBySeverity(loadDiagnostics).errors +
    countBySeverity(filterFolders.diagnostics).errors +
    countBySeverity(linkDiagnostics).errors
  );
}

/** What a build reported, kept for the whole-build cache (`report`) and the incremental state (the rest). */
interface KeptReport {
  readonly report: string;
  /** The diagnostics printed, by file (report.ts `diagnosticSegments`). */
  readonly segments: readonly (readonly [string, string])[];
  /** The coverage table and the counts line. */
  readonly tail: string;
  readonly badFiles: ReadonlySet<string>;
}

/** Reports the build, and writes its tree unless it is a check or has errors; returns the exit code. */
function finishBuild(
  outcome: Outcome,
  opts: BuildCommandOptions,
  io: CliIo,
  inputFiles: number,
  keep: (kept: KeptReport) => void,
): number {
  const format = opts.format ?? 'text';
  // Everything the build reports is also kept, to be replayed by a cached run.
  let report = '';
  const err = (text: string): void => {
    report += text;
    io.stderr(text);
  };
  const { results, diagnostics, whole, loadErrors } = outcome;
  const shown = opts.quiet ? diagnostics.filter((d) => d.severity === 'error') : diagnostics;
  const sources = outcome.sourcesFor(shown);
  const machine = format === 'text' ? undefined : prepare(shown, sources);
  const segments = machine ? [] : diagnosticSegments(shown, sources);
  for (const [, text] of segments) err(text);
  const refusals = results.filter((r) => r.status === 'refused').length;
  const outputErrors = outcome.outputDiagnostics.filter(
    (d) => d.severity === 'error' && OUTPUT_ERRORS.has(d.code),
  ).length;
  const blocked = loadErrors > 0 || outputErrors > 0 || (refusals > 0 && !opts.allowRefusals);
  const exitCode = blocked ? 1 : 0;
  // A file counts once whatever failed in it: reading, a target's refusal, a clash with another rule.
  const badFiles = new Set<string>([...outcome.badFiles]);
  for (const d of diagnostics) if (d.severity === 'error' && d.file !== undefined) badFiles.add(d.file);

  const notRecord = (paths: readonly string[]): string[] => paths.filter((path) => path !== RECORD_FILE);
  const diff = { added: notRecord(whole.added), changed: notRecord(whole.changed), removed: notRecord(whole.removed) };
  if (machine && format === 'sarif') printSarif(io, machine);
  else if (machine) {
    const summary = {
      files: inputFiles,
      rules: outcome.rules,
      correlations: outcome.correlations,
      filters: outcome.filters,
      filesWithErrors: badFiles.size,
    };
    const drift = { added: diff.added, changed: diff.changed, removed: diff.removed };
    printJson(io, { summary, ...(opts.check ? { drift } : {}) }, machine);
  }
  const tail =
    coverageTable({ targets: targetCoverage(results) }) +
    `${inputFiles} file(s), ${outcome.rules} rule(s)${metaCounts(outcome.correlations, outcome.filters)}, ${badFiles.size} with errors\n`;
  err(tail);
  if (opts.check) {
    if (!isEmptyDiff(diff)) {
      // In json/sarif the document on stdout already holds the drift (json) or is the only thing there (sarif).
      const list = machine ? (_: string): void => undefined : (line: string): void => io.stdout(line);
      for (const p of diff.added) list(`missing  ${printable(p)}\n`);
      for (const p of diff.changed) list(`differs  ${printable(p)}\n`);
      for (const p of diff.removed) list(`stale    ${printable(p)}\n`);
      io.stderr(`error[RC904]: ${opts.out} is stale: run \`rulec build\` and commit the result\n`);
      return 1;
    }
    io.stderr(`${opts.out} is up to date (${outcome.fileCount} files)\n`);
    return exitCode;
  }
  const writes = !blocked || Boolean(opts.allowErrors);
  if (!writes) {
    const onlyRefusals = loadErrors === 0 && outputErrors === 0;
    err(
      `error[RC913]: nothing written to ${opts.out}: the build has errors (${onlyRefusals ? '--allow-refusals writes the rules the targets accept' : '--allow-errors writes the rules that compiled'})\n`,
    );
    outcome.discard();
  } else if (isEmptyDiff(whole)) {
    err(`${opts.out}: nothing changed (${outcome.fileCount} files)\n`);
    outcome.discard();
  } else {
    // An existing folder gets only the files that change (atomic.ts updateTree: unchanged files are not
    // rewritten, so a build after one rule changed writes a handful of files); a new one is written whole.
    outcome.write();
    err(
      `${opts.out}: ${diff.added.length} added, ${diff.changed.length} changed, ${diff.removed.length} removed (${outcome.fileCount} files)\n`,
    );
  }
  keep({ report, segments, tail, badFiles });
  return exitCode;
}
