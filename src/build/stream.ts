/**
 * A build that streams rules through its stages: each rule file is read, compiled for every target, its per-rule
 * files written into the staging area (staged-tree.ts) and its bundle fragments into a temporary file
 * (fragment-file.ts); of the rule only a summary stays (place, id, title, logsource, status, diagnostics, paths).
 * The in-memory build held every rule, result and file of the corpus at once (about 460 MB for SigmaHQ's).
 *
 * It gives the output of scoped.ts for a build that keeps no rule of the folder (every recorded rule is in scope):
 * the cold build and `--check`. What links rules across files is decided once every file is read, from the
 * summaries: duplicate ids (identity.ts), lengthened titles, filters and correlation rules (meta.ts). The rules
 * those decisions change (rare: a title taken twice, a tuned or withheld rule) are read and compiled again, and
 * the files staged for them replaced; the combined files and the record are written last, part by part.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { ArtifactFile, FragmentList } from '../backend/types.js';
import type { LoadedTarget, TargetResult } from '../compile.js';
import { compileRule } from '../compile.js';
import type { Correlation, Filter } from '../correlation/model.js';
import { tunedRule } from '../correlation/tune.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import '../diagnostics/build-codes.js';
import '../diagnostics/correlation-codes.js';
import { readRuleFile } from '../frontend.js';
import type { Rule } from '../model/rule.js';
import { joinBundleSafely } from './build.js';
import type { BuiltRule } from './built.js';
import { FragmentFile } from './fragment-file.js';
import { caseCollisions, predatingFiles, duplicateIdDiagnostics, findDuplicateIds, uniqueTitles } from './identity.js';
import { correlationResults, placeOf, planMeta, withheldReason } from './meta.js';
import type { OutputRecord, RuleEntry, TargetRecord } from './output-folder.js';
import { RECORD_FILE, withDocumentFiles, writeRecord } from './output-folder.js';
import type { StagedTree, State } from './staged-tree.js';
import { WriteError } from './atomic.js';
import type { FileLists, FileSink, LightRule, SlimResult } from './stream-file.js';
import { emptyLists, sha256, slimOf, streamFile, WRITES_IN_FLIGHT } from './stream-file.js';
import type { ChunkReply } from './stream-pool.js';
import { StreamPool } from './stream-pool.js';

/** One rule's (or correlation's) result for one target, as the streaming build keeps it. */
export interface StreamResult {
  readonly target: string;
  readonly rule: LightRule;
  readonly status: TargetResult['status'];
  readonly diagnostics: readonly Diagnostic[];
  readonly compiled?: BuiltRule['mapped'] extends infer M ? { readonly mapped: M } : never;
  readonly withheld?: string;
  /** Its per-rule files, relative to the target folder. */
  readonly paths: readonly string[];
  /** Its bundle fragment's number in the target's fragment file, or why it could not be made. */
  readonly fragment?: number;
  readonly fragmentError?: string;
}

export interface StreamInput {
  readonly files: readonly string[];
  /** Absolute output folder. */
  readonly out: string;
  readonly roots: readonly string[];
  readonly cwd: string;
  readonly targets: readonly LoadedTarget[];
  readonly record: OutputRecord;
  readonly hasRecord: boolean;
  readonly extraFilters: readonly Filter[];
  /** Every registered target id (RC038 for the others). */
  readonly knownTargets: readonly string[];
  readonly tree: StagedTree;
  /**
   * Compile a share of the files on a worker thread (stream-pool.ts), which loads the targets from the registry
   * module (its URL) with the site's pipelines. Only from compiled JavaScript (lib/), as workers load it.
   */
  readonly worker?: { readonly registryModule: string; readonly pipelines?: unknown };
}

export interface StreamOutput {
  readonly results: readonly StreamResult[];
  /** Reading the files (loadRules' diagnostics), then RC038 for unknown target ids. */
  readonly loadDiagnostics: readonly Diagnostic[];
  readonly unknownTargets: readonly Diagnostic[];
  /** As scoped.ts's `diagnostics` and `linkDiagnostics`. */
  readonly diagnostics: readonly Diagnostic[];
  readonly linkDiagnostics: readonly Diagnostic[];
  readonly badFiles: readonly string[];
  readonly rules: number;
  readonly correlations: number;
  readonly filters: number;
}

/** Record key of the files found in a folder from before records (scoped.ts). */
const UNRECORDED = '(unrecorded)';

const posix = (path: string): string => path.split(sep).join('/');

/**
 * A rule file's text as the build reads it; undefined when it cannot be read. Read as text: Node decodes it from
 * memory freed at once, where a Buffer of a file over 4 KB is memory outside the heap until a collection (the
 * record reads every file again: the process's malloc heap grew 5 → 7 MB through it).
 */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether the build keeps no rule of the folder, so that it can stream: every recorded rule is in scope. */
export function keepsNoRule(
  input: Pick<StreamInput, 'files' | 'out' | 'roots' | 'cwd' | 'targets' | 'record'>,
): boolean {
  const inScope = scopeOf(input);
  return input.targets.every((t) =>
    Object.keys(input.record.targets[t.backend.id]?.rules ?? {}).every((key) => key === UNRECORDED || inScope(key)),
  );
}

/** The record as a streaming build reads it: of the rule texts, only those of the targets it does not build. */
export function recordForStream(record: OutputRecord, built: readonly string[]): OutputRecord {
  const sources: Record<string, string> = {};
  for (const [id, target] of Object.entries(record.targets))
    if (!built.includes(id))
      for (const entry of Object.values(target.rules)) {
        const text = record.sources[entry.source];
        if (text !== undefined) sources[entry.source] = text;
      }
  return { ...record, sources };
}

function scopeOf(input: Pick<StreamInput, 'files' | 'out' | 'roots' | 'cwd'>): (key: string) => boolean {
  const keys = new Set(input.files.map((file) => posix(relative(input.out, resolve(input.cwd, file)))));
  return (key) => {
    if (key === UNRECORDED) return false;
    if (keys.has(key)) return true;
    const absolute = resolve(input.out, key);
    return input.roots.some((root) => absolute === root || absolute.startsWith(`${root}${sep}`));
  };
}

interface TargetState {
  readonly target: LoadedTarget;
  readonly id: string;
  readonly results: StreamResult[];
  /** Per-rule path → the result whose file is staged there (the first to make it). */
  readonly staged: Map<string, StreamResult>;
  readonly fragments: FragmentFile;
  /** Files of results compiled after the stream (recompiled rules, correlations), by result. */
  readonly texts: Map<StreamResult, ReadonlyMap<string, string>>;
  readonly keeper: Keeper;
}

export async function streamBuild(input: StreamInput): Promise<StreamOutput> {
  const temporary = mkdtempSync(join(tmpdir(), 'rulec-fragments-'));
  const keeper = new Keeper();
  const { queue } = input.tree;
  const states: TargetState[] = input.targets.map((target) => ({
    target,
    id: target.backend.id,
    results: [],
    staged: new Map(),
    fragments: new FragmentFile(join(temporary, `${target.backend.id}.fragments`), queue),
    texts: new Map(),
    keeper,
  }));
  try {
    return await streamInto(input, states, keeper);
  } finally {
    // A build that failed leaves no write in flight to land after the staging folder is removed.
    await queue.settle();
    for (const state of states) state.fragments.close();
    rmSync(temporary, { recursive: true, force: true });
  }
}

/**
 * Copies of what the build keeps of each rule, sharing no string with the rule file's text: a title or a field
 * name in a diagnostic is often a slice of that text, and a slice keeps the whole text alive (the corpus's texts
 * stayed in memory through the summaries). Equal strings are kept once (file names, codes, field names repeat in
 * thousands of diagnostics), and so are equal coverage mappings.
 */
class Keeper {
  private readonly strings = new Map<string, string>();
  private readonly logsources = new Map<string, Rule['logsource']>();
  private readonly mappings = new Map<string | undefined, { readonly mapped: { readonly logsourceId?: string } }>();

  /**
   * `value` (plain JSON data) copied whole by the JSON parser, which makes every string afresh (a deep copy by hand
   * cost a quarter of a second over the corpus).
   */
  copy<T>(value: T): T {
    return JSON.parse(JSON.stringify(value)) as T;
  }

  /** A string copied and kept once. */
  text(value: string): string {
    return this.string(this.copy(value));
  }

  /**
   * Diagnostics copied, their file, code, message, target and the keys of their place in the rule (`at.path`:
   * `detection`, a selection's name, a field) kept once: most messages are repeated word for word across rules
   * (986 copies of one elastic warning over the corpus, 944 of one ATT&CK warning).
   */
  diagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
    const copies = this.copy(diagnostics);
    return copies.map((d) => ({
      ...d,
      code: this.string(d.code),
      severity: d.severity,
      message: this.string(d.message),
      ...(d.file !== undefined ? { file: this.string(d.file) } : {}),
      ...(d.target !== undefined ? { target: this.string(d.target) } : {}),
      ...(d.at !== undefined
        ? { at: { ...d.at, path: d.at.path.map((key) => (typeof key === 'string' ? this.string(key) : key)) } }
        : {}),
    }));
  }

  /** A logsource copied, one object for each distinct logsource (a few hundred among the corpus's rules). */
  logsource(value: Rule['logsource']): Rule['logsource'] {
    const key = JSON.stringify(value);
    let kept = this.logsources.get(key);
    if (kept === undefined) this.logsources.set(key, (kept = JSON.parse(key) as Rule['logsource']));
    return kept;
  }

  private string(text: string): string {
    let kept = this.strings.get(text);
    if (kept === undefined) this.strings.set(text, (kept = text));
    return kept;
  }

  mapping(logsourceId: string | undefined): { readonly mapped: { readonly logsourceId?: string } } {
    let kept = this.mappings.get(logsourceId);
    if (kept === undefined) {
      kept = { mapped: logsourceId === undefined ? {} : { logsourceId: this.text(logsourceId) } };
      this.mappings.set(logsourceId, kept);
    }
    return kept;
  }
}

/** The result as kept, its fragment stored in the target's fragment file. */
function keep(state: TargetState, result: TargetResult, rule: LightRule): StreamResult {
  return keepSlim(state, slimOf(result, state.target), rule);
}

/** `keep` of a result made plain data (by this thread or a worker's). */
function keepSlim(state: TargetState, slim: SlimResult, rule: LightRule): StreamResult {
  const { keeper } = state;
  return {
    target: state.id,
    rule,
    status: slim.status,
    diagnostics: slim.diagnostics.length === 0 ? NONE : keeper.diagnostics(slim.diagnostics),
    ...(slim.compiled ? { compiled: keeper.mapping(slim.logsourceId) } : {}),
    ...(slim.withheld !== undefined ? { withheld: slim.withheld } : {}),
    // Copied, not kept once: a path is one result's alone.
    paths: keeper.copy(slim.paths),
    ...(slim.fragment !== undefined ? { fragment: state.fragments.add(slim.fragment) } : {}),
    ...(slim.fragmentError !== undefined ? { fragmentError: slim.fragmentError } : {}),
  };
}

const NONE: readonly Diagnostic[] = [];

/** The stager of a file both threads wrote: no result is, so its owner's text is put again (`settleOwners`). */
const COLLIDED = {} as StreamResult;

/**
 * A worker's chunk as this thread keeps it: diagnostics and summaries kept (`Keeper`), fragments stored, the
 * correlation rules and filters read again from their files (their objects are not sent between threads).
 */
function fromWorker(
  reply: ChunkReply,
  states: readonly TargetState[],
  keeper: Keeper,
  staged: [number, string, State, StreamResult][],
): Chunk {
  const chunk = emptyChunk(states.length);
  chunk.loadDiagnostics.push(...keeper.diagnostics(reply.loadDiagnostics));
  chunk.unknownTargets.push(...keeper.diagnostics(reply.unknownTargets));
  chunk.badFiles.push(...reply.badFiles);
  for (const [file, hash] of reply.hashes) chunk.hashes.set(keeper.text(file), hash);
  for (const file of reply.metaFiles) {
    const text = readText(file);
    if (text === undefined) continue;
    const read = readRuleFile(file, text);
    chunk.correlations.push(...read.correlations);
    chunk.filters.push(...read.filters);
  }
  const lights = reply.rules.map((rule) => lightOf(rule, keeper));
  chunk.rules.push(...lights);
  // Each rule's results, target by target, in rule order: the n-th result of a target is the n-th rule's.
  states.forEach((state, i) => {
    const results = reply.results[i]!.map((slim, n) => keepSlim(state, slim, lights[n]!));
    chunk.results[i]!.push(...results);
  });
  for (const [i, n, path, state] of reply.staged) staged.push([i, path, state, chunk.results[i]![n]!]);
  return chunk;
}

const lightOf = (rule: LightRule, keeper: Keeper): LightRule => ({
  file: keeper.text(rule.file),
  documentIndex: rule.documentIndex,
  ...(rule.id !== undefined ? { id: keeper.copy(rule.id) } : {}),
  ...(rule.name !== undefined ? { name: keeper.copy(rule.name) } : {}),
  title: keeper.copy(rule.title),
  logsource: keeper.logsource(rule.logsource),
});

/** What step 1 gathers from a run of files, in file order; per target, the results. */
interface Chunk extends FileLists {
  readonly rules: LightRule[];
  readonly results: StreamResult[][];
}

const emptyChunk = (targets: number): Chunk => ({
  ...emptyLists(),
  rules: [],
  results: Array.from({ length: targets }, () => []),
});

/** Files a chunk holds: a few dozen milliseconds of compiling, so that the two threads end close together. */
const CHUNK_FILES = 24;

async function streamInto(input: StreamInput, states: readonly TargetState[], keeper: Keeper): Promise<StreamOutput> {
  const { out, cwd, tree, record } = input;
  const loadDiagnostics: Diagnostic[] = [];
  const unknownTargets: Diagnostic[] = [];
  const badFiles: string[] = [];
  const correlations: Correlation[] = [];
  const filters: Filter[] = [];
  const rules: LightRule[] = [];
  /** File → sha256 of its text (the record's key of it); the files read. */
  const hashes = new Map<string, string>();

  // 1. Every file: read, compiled for every target, its files staged; only summaries stay. Files go in chunks,
  // some of them to a worker thread when there is one (stream-pool.ts); the chunks are joined in file order.
  const chunkFiles: (readonly string[])[] = [];
  for (let i = 0; i < input.files.length; i += CHUNK_FILES) chunkFiles.push(input.files.slice(i, i + CHUNK_FILES));
  const chunks: Chunk[] = [];
  /** Files a worker put: target index, path, its state in the tree, the result that made it. */
  const workerStaged: [number, string, State, StreamResult][] = [];
  const pool =
    input.worker && chunkFiles.length > 1
      ? new StreamPool(
          {
            registryModule: input.worker.registryModule,
            targetIds: states.map((s) => s.id),
            pipelines: input.worker.pipelines,
            knownTargets: input.knownTargets,
            out: tree.dir,
            write: tree.writes,
            current: [...tree.current],
          },
          (reply) => {
            chunks[reply.chunk] = fromWorker(reply, states, keeper, workerStaged);
          },
        )
      : undefined;
  const compileHere = async (files: readonly string[]): Promise<Chunk> => {
    const chunk = emptyChunk(states.length);
    const sink: FileSink = {
      ...chunk,
      keepDiagnostics: (diagnostics) => keeper.diagnostics(diagnostics),
      rule: (rule) => {
        const light = lightOf(rule, keeper);
        chunk.rules.push(light);
        return light;
      },
      result: (i, result, light) => {
        const state = states[i]!;
        const kept = keep(state, result, light);
        chunk.results[i]!.push(kept);
        result.artifacts.forEach((artifact, j) => {
          const path = kept.paths[j]!;
          if (state.staged.has(path)) return;
          tree.putSoon(`${state.id}/${path}`, artifact.content);
          state.staged.set(path, kept);
        });
      },
    };
    for (const file of files) {
      streamFile(file, input.targets, input.knownTargets, sink);
      // The writes of the rules before go on on the thread pool while this one is compiled.
      await tree.queue.drain(WRITES_IN_FLIGHT);
    }
    return chunk;
  };
  try {
    for (let next = 0; next < chunkFiles.length; next++) {
      if (pool?.wants()) pool.give(next, chunkFiles[next]!);
      else chunks[next] = await compileHere(chunkFiles[next]!);
    }
    // Chunks the worker did not answer (it could not start, or died) are compiled here.
    for (const [chunk, files] of (await pool?.finish()) ?? []) chunks[chunk] = await compileHere(files);
  } catch (error) {
    await pool?.stop();
    throw error;
  }
  for (const chunk of chunks) {
    loadDiagnostics.push(...chunk.loadDiagnostics);
    unknownTargets.push(...chunk.unknownTargets);
    badFiles.push(...chunk.badFiles);
    correlations.push(...chunk.correlations);
    filters.push(...chunk.filters);
    rules.push(...chunk.rules);
    for (const [file, hash] of chunk.hashes) hashes.set(file, hash);
    states.forEach((state, i) => state.results.push(...chunk.results[i]!));
  }
  if (workerStaged.length > 0) {
    await tree.queue.drain(0);
    for (const [i, path, staged, result] of workerStaged) {
      const state = states[i]!;
      const full = `${state.id}/${path}`;
      if (state.staged.has(path)) {
        // Both threads wrote the file (one id in two chunks): which landed last is unknown, so its owner's text
        // is put again when the owners are settled.
        state.staged.set(path, COLLIDED);
        tree.forget(full);
      } else {
        state.staged.set(path, result);
        tree.adopt(full, staged);
      }
    }
  }

  // 2. Decisions across files, from the summaries (as scoped.ts makes them).
  const diagnostics: Diagnostic[] = [];
  const place = placeOf;
  // identity.ts and meta.ts read only the fields of a LightRule.
  const asRules = rules as unknown as readonly Rule[];
  diagnostics.push(...duplicateIdDiagnostics(rules, readText));
  const taken = new Set(findDuplicateIds(rules).map(({ rule }) => place(rule)));
  const titles = uniqueTitles(
    asRules.filter((rule) => !taken.has(place(rule))),
    new Set(),
    readText,
  );
  diagnostics.push(...titles.diagnostics);
  const renamedAt = new Map([...titles.renamed.values()].map((rule) => [place(rule), rule.title]));
  const read = new Set(hashes.keys());
  const extraFilterFiles = new Set(input.extraFilters.map((f) => f.file));
  const allFilters = [...filters, ...input.extraFilters];
  const plan = planMeta(
    { rules: asRules, correlations, filters: allFilters },
    (file) => read.has(file) || extraFilterFiles.has(file),
  );
  diagnostics.push(...plan.diagnostics);

  // Rules compiled again: with a lengthened title, or tuned by filters.
  const again = new Set([...renamedAt.keys(), ...plan.filtersAt.keys()]);
  const finalRule = (rule: Rule): Rule => {
    const title = renamedAt.get(place(rule));
    return tunedRule(title === undefined ? rule : { ...rule, title }, plan.filtersAt.get(place(rule)));
  };
  /** Compiles the documents at `places` of their files again, for the targets given; results by place. */
  const recompile = (places: ReadonlySet<string>, only?: TargetState): Map<string, Map<string, TargetResult>> => {
    const byPlace = new Map<string, Map<string, TargetResult>>();
    const files = new Set([...places].map((p) => p.slice(0, p.lastIndexOf('#'))));
    for (const file of files) {
      let content: Buffer;
      try {
        content = readFileSync(file);
      } catch {
        continue;
      }
      for (const rule of readRuleFile(file, content).rules) {
        if (!places.has(place(rule))) continue;
        const results = new Map<string, TargetResult>();
        for (const state of only ? [only] : states) results.set(state.id, compileRule(finalRule(rule), state.target));
        byPlace.set(place(rule), results);
      }
    }
    return byPlace;
  };
  const redone = again.size > 0 ? recompile(again) : new Map<string, Map<string, TargetResult>>();
  for (const state of states)
    state.results.forEach((result, i) => {
      const fresh = redone.get(place(result.rule))?.get(state.id);
      let next = result;
      if (fresh) {
        const title = renamedAt.get(place(result.rule));
        next = keep(state, fresh, title === undefined ? result.rule : { ...result.rule, title });
        state.texts.set(next, new Map(fresh.artifacts.map((a) => [a.path, a.content])));
      }
      const withheld = withheldReason(plan, result.rule);
      if (withheld && next.compiled) next = { ...next, paths: [], withheld };
      state.results[i] = next;
    });

  // Correlation rules, compiled over the rules they name, read again (only those: any rule whose id or name
  // a correlation refers to, so that references resolve as over every rule).
  const correlationResultsOf = new Map<string, StreamResult[]>(states.map((s) => [s.id, []]));
  if (correlations.length > 0) {
    const names = new Set(correlations.flatMap((c) => c.rules.map((r) => r.text)));
    const named = rules.filter(
      (r) => (r.id !== undefined && names.has(r.id)) || (r.name !== undefined && names.has(r.name)),
    );
    const full: Rule[] = [];
    for (const file of new Set(named.map((r) => r.file))) {
      const text = readText(file);
      if (text === undefined) continue;
      for (const rule of readRuleFile(file, text).rules)
        if ((rule.id !== undefined && names.has(rule.id)) || (rule.name !== undefined && names.has(rule.name)))
          full.push({ ...rule, title: renamedAt.get(place(rule)) ?? rule.title });
    }
    const fullPlan = planMeta({ rules: full, correlations, filters: allFilters });
    for (const result of correlationResults(fullPlan, input.targets)) {
      const state = states.find((s) => s.id === result.target)!;
      const kept = keep(state, result, result.rule);
      state.texts.set(kept, new Map(result.artifacts.map((a) => [a.path, a.content])));
      correlationResultsOf.get(state.id)!.push(kept);
    }
  }
  const correlationPlaces = new Set(correlations.map(placeOf));

  // 3. Each target's files, owned as scoped.ts owns them; the combined files; what the folder had besides.
  // Every file and fragment written first: the tree changes now, and the fragments are read back.
  for (const state of states) state.fragments.flush();
  await tree.queue.drain(0);
  const recordKey = (file: string): string => posix(relative(out, resolve(cwd, file)));
  const nextTargets: Record<string, TargetRecord> = { ...record.targets };
  const built = new Set(states.map((s) => s.id));
  const results: StreamResult[] = [];
  for (const state of states) {
    const { id } = state;
    const previous = record.targets[id] ?? { rules: {}, bundles: [] };
    const recorded = new Set<string>(previous.bundles);
    const gone = new Set<string>(previous.bundles);
    for (const [key, entry] of Object.entries(previous.rules))
      for (const file of entry.files) {
        recorded.add(file);
        if (key !== UNRECORDED) gone.add(file);
      }
    const owner = new Map<string, StreamResult | undefined>();
    const ownerName = new Map<string, string>();
    const entries: Record<string, RuleEntry> = {};
    const compiled: StreamResult[] = [];
    const recordOnly = (file: string): void => {
      entries[recordKey(file)] ??= { source: hashes.get(file) ?? sha256(''), files: [] };
    };
    for (const f of filters) recordOnly(f.file);
    const all = [...state.results, ...correlationResultsOf.get(id)!];
    for (const result of all) {
      results.push(result);
      diagnostics.push(...result.diagnostics);
      if (result.withheld || (!result.compiled && correlationPlaces.has(place(result.rule)))) {
        recordOnly(result.rule.file);
        continue;
      }
      if (!result.compiled || taken.has(place(result.rule))) continue;
      compiled.push(result);
      const key = recordKey(result.rule.file);
      const entry = entries[key] ?? { source: hashes.get(result.rule.file) ?? sha256(''), files: [] };
      const written: string[] = [];
      for (const path of result.paths) {
        const previousOwner = ownerName.get(path);
        if (previousOwner !== undefined) {
          diagnostics.push({
            code: 'RC905',
            severity: 'error',
            message: `${id}/${path} is generated by two rules (${previousOwner} and ${result.rule.file}): rule ids must be unique`,
            file: result.rule.file,
            target: id,
          });
          continue;
        }
        owner.set(path, result);
        ownerName.set(path, result.rule.file);
        written.push(path);
      }
      entries[key] = withDocumentFiles(entry, written, result.rule, renamedAt.has(place(result.rule)));
    }
    settleOwners(state, owner, tree, (places) => recompile(places, state));

    // The combined files, from the fragments in rule order, written part by part.
    const bundles: string[] = [];
    for (const path of writeBundles(state, compiled, tree, diagnostics, (path) => ownerName.has(path))) {
      const previousOwner = ownerName.get(path);
      if (previousOwner !== undefined) {
        diagnostics.push({
          code: 'RC905',
          severity: 'error',
          message: `${id}/${path} is generated by two rules (${previousOwner} and a combined file): rule ids must be unique`,
          target: id,
        });
        continue;
      }
      ownerName.set(path, `${id}'s combined file`);
      owner.set(path, undefined);
      bundles.push(path);
    }
    nextTargets[id] = { rules: entries, bundles };

    // Files of the target nobody made now (scoped.ts): stale in a folder with a record, kept in one from before.
    let adopted = [...(previous.rules[UNRECORDED]?.files ?? [])];
    const unrecorded = [...tree.current.keys()]
      .filter((path) => path.startsWith(`${id}/`))
      .map((path) => path.slice(id.length + 1))
      .filter((file) => !recorded.has(file) && !ownerName.has(file));
    if (!input.hasRecord) adopted.push(...unrecorded);
    adopted = adopted
      .filter((file) => !ownerName.has(file) && !gone.has(file) && tree.current.has(`${id}/${file}`))
      .sort();
    for (const file of adopted) tree.keep(`${id}/${file}`);
    if (adopted.length > 0) entries[UNRECORDED] = { source: '', files: adopted };
    diagnostics.push(...predatingFiles(id, adopted));
    diagnostics.push(
      ...caseCollisions(
        [...ownerName.keys(), ...adopted].map((file) => `${id}/${file}`),
        // The rule file behind `<target>/<path>`, looked up only for a collision (rare): no map of prefixed paths.
        { get: (full) => owner.get(full.slice(id.length + 1))?.rule.file },
        id,
      ),
    );
  }

  // Everything else in the folder stays: other targets' folders, files beside them.
  for (const path of tree.current.keys()) {
    const slash = path.indexOf('/');
    if (path !== RECORD_FILE && (slash < 0 || !built.has(path.slice(0, slash)))) tree.keep(path);
  }

  // 4. The record, its rule texts read again one at a time.
  const fileOf = new Map([...hashes].map(([file, hash]) => [hash, file]));
  const needed = new Set<string>();
  for (const target of Object.values(nextTargets))
    for (const entry of Object.values(target.rules))
      if (fileOf.has(entry.source) || record.sources[entry.source] !== undefined) needed.add(entry.source);
  tree.putStream(RECORD_FILE, (write) =>
    writeRecord(
      { targets: nextTargets },
      [...needed],
      (hash) => {
        const file = fileOf.get(hash);
        return (file === undefined ? undefined : readText(file)) ?? record.sources[hash] ?? '';
      },
      write,
    ),
  );

  return {
    results,
    loadDiagnostics,
    unknownTargets,
    diagnostics,
    linkDiagnostics: plan.diagnostics,
    badFiles,
    rules: rules.length,
    correlations: correlations.length,
    filters: filters.length,
  };
}

/**
 * Stages the target's combined files (all of them but those at paths its rules' files own: RC905, reported by the
 * caller) and returns their paths; none, with RC914, when the target cannot combine these rules (build.ts
 * `joinBundleSafely`). A target without `bundleFiles` joins its fragments in memory.
 */
function writeBundles(
  state: TargetState,
  compiled: readonly StreamResult[],
  tree: StagedTree,
  diagnostics: Diagnostic[],
  owned: (path: string) => boolean,
): string[] {
  const { backend } = state.target;
  const fragments: FragmentList = {
    length: compiled.length,
    get: (i) => {
      const number = compiled[i]!.fragment;
      return number === undefined ? '' : state.fragments.get(number);
    },
  };
  if (!backend.bundleFiles) {
    const built: BuiltRule[] = compiled.map((r, i) => ({
      mapped: {},
      fragment: fragments.get(i),
      ...(r.fragmentError !== undefined ? { fragmentError: r.fragmentError } : {}),
    }));
    const files = joinBundleSafely(state.target, built, diagnostics);
    for (const file of files) if (!owned(file.path)) tree.put(`${state.id}/${file.path}`, file.content);
    return files.map((f) => f.path);
  }
  const staged: string[] = [];
  try {
    const failed = compiled.find((c) => c.fragmentError !== undefined);
    if (failed) throw new Error(failed.fragmentError);
    const files = backend.bundleFiles(fragments);
    for (const file of files) {
      if (owned(file.path)) continue;
      staged.push(file.path);
      tree.putStream(`${state.id}/${file.path}`, (out) => file.write(out));
    }
    return files.map((f) => f.path);
  } catch (error) {
    if (error instanceof WriteError) throw error;
    for (const path of staged) tree.unput(`${state.id}/${path}`);
    diagnostics.push({
      code: 'RC914',
      severity: 'error',
      message: `the ${state.id} combined file could not be made: ${error instanceof Error ? error.message : String(error)}`,
      target: state.id,
    });
    return [];
  }
}

/**
 * Makes the staged per-rule files those of their final owners: a path staged by a rule that lost it (taken id,
 * withheld, recompiled) gets its owner's text, from the texts kept of results compiled after the stream or by
 * compiling the owner's rule again; a path nobody owns any more is taken back.
 */
function settleOwners(
  state: TargetState,
  owner: ReadonlyMap<string, StreamResult | undefined>,
  tree: StagedTree,
  recompile: (places: ReadonlySet<string>) => Map<string, Map<string, TargetResult>>,
): void {
  const missing = new Map<string, StreamResult>();
  for (const [path, result] of owner) {
    if (!result || state.staged.get(path) === result) continue;
    const text = state.texts.get(result)?.get(path);
    if (text !== undefined) tree.put(`${state.id}/${path}`, text);
    else missing.set(path, result);
  }
  if (missing.size > 0) {
    const redone = recompile(new Set([...missing.values()].map((r) => placeOf(r.rule))));
    for (const [path, result] of missing) {
      const artifacts: readonly ArtifactFile[] = redone.get(placeOf(result.rule))?.get(state.id)?.artifacts ?? [];
      const artifact = artifacts.find((a) => a.path === path);
      if (artifact) tree.put(`${state.id}/${path}`, artifact.content);
    }
  }
  for (const path of state.staged.keys()) if (!owner.has(path)) tree.unput(`${state.id}/${path}`);
}
