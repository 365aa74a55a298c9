/**
 * A streaming build's worker thread (stream-pool.ts): compiles the chunks of rule files the main thread gives it,
 * writes their per-rule files into the build's staging folder itself (a StagedTree over the main thread's), and
 * sends back only what the main thread keeps of each rule: its summary, diagnostics, paths and bundle fragments.
 * The target registry module is passed in by URL, so this module stays target-agnostic.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Backend } from '../backend/types.js';
import { loadTargets } from '../cli/targets.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { Pipeline } from '../pipeline/types.js';
import type { Rule } from '../model/rule.js';
import { WriteError } from './atomic.js';
import { StagedTree } from './staged-tree.js';
import type { FileSink, LightRule, SlimResult } from './stream-file.js';
import { emptyLists, slimOf, streamFile, WRITES_IN_FLIGHT } from './stream-file.js';
import type { ChunkReply, PoolRequest, StreamWorkerJob } from './stream-pool.js';

const job = workerData as StreamWorkerJob;
const { BACKENDS } = (await import(job.registryModule)) as { BACKENDS: readonly Backend[] };
const targets = loadTargets(BACKENDS, job.targetIds, job.pipelines as Readonly<Record<string, Pipeline>> | undefined);
const tree = new StagedTree(job.out, job.write, new Map(job.current));
/** Per target, the paths this thread staged (the first result of its share to make each). */
const staged = targets.map(() => new Set<string>());
const port = parentPort!;

const lightOf = (rule: Rule): LightRule => ({
  file: rule.file,
  documentIndex: rule.documentIndex,
  ...(rule.id !== undefined ? { id: rule.id } : {}),
  ...(rule.name !== undefined ? { name: rule.name } : {}),
  title: rule.title,
  logsource: rule.logsource,
});

async function compileChunk(chunk: number, files: readonly string[]): Promise<ChunkReply> {
  const rules: LightRule[] = [];
  const results: SlimResult[][] = targets.map(() => []);
  const stagedNow: [number, number, string, string][] = [];
  const metaFiles = new Set<string>();
  const sink: FileSink = {
    ...emptyLists(),
    keepDiagnostics: (diagnostics: readonly Diagnostic[]) => [...diagnostics],
    rule: (rule) => {
      const light = lightOf(rule);
      rules.push(light);
      return light;
    },
    result: (i, result) => {
      const slim = slimOf(result, targets[i]!);
      result.artifacts.forEach((artifact) => {
        if (staged[i]!.has(artifact.path)) return;
        const path = `${job.targetIds[i]}/${artifact.path}`;
        tree.putSoon(path, artifact.content);
        staged[i]!.add(artifact.path);
        stagedNow.push([i, results[i]!.length, artifact.path, tree.stateOf(path)!]);
      });
      results[i]!.push(slim);
    },
  };
  for (const file of files) {
    const before = sink.correlations.length + sink.filters.length;
    streamFile(file, targets, job.knownTargets, sink);
    // Correlation rules and filters are read again by the main thread (their objects are not sent over).
    if (sink.correlations.length + sink.filters.length > before) metaFiles.add(file);
    await tree.queue.drain(WRITES_IN_FLIGHT);
  }
  return {
    chunk,
    loadDiagnostics: sink.loadDiagnostics,
    unknownTargets: sink.unknownTargets,
    badFiles: sink.badFiles,
    hashes: [...sink.hashes],
    metaFiles: [...metaFiles],
    rules,
    results,
    staged: stagedNow as ChunkReply['staged'],
  };
}

/** A failed write as plain data (the main thread makes the build's WriteError of it again). */
function failure(error: unknown): { message: string; fsError?: NodeJS.ErrnoException } {
  if (error instanceof WriteError) {
    const { code, errno, syscall, path, message } = error.fsError;
    return { message: error.message, fsError: Object.assign(new Error(message), { code, errno, syscall, path }) };
  }
  return { message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}

async function serve(request: PoolRequest): Promise<void> {
  try {
    if (request.kind === 'chunk')
      port.postMessage({ kind: 'chunk', reply: await compileChunk(request.chunk, request.files) });
    else {
      await tree.queue.drain(0);
      port.postMessage({ kind: 'done' });
    }
  } catch (error) {
    await tree.queue.settle();
    port.postMessage({ kind: 'failed', ...failure(error) });
  }
}

// One request at a time, in the order given: a chunk's files are staged in file order, after the chunks before.
let served = Promise.resolve();
port.on('message', (request: PoolRequest) => {
  served = served.then(() => serve(request));
});
port.postMessage({ kind: 'ready' });
