/**
 * One rule file of a streaming build (stream.ts): read, hashed, and compiled for every target, each result handed
 * to a sink that stages its files and keeps its summary. The main thread and a build worker (stream-worker.ts) do
 * the same with each file of their share.
 */
import { createHash } from 'node:crypto';
import type { LoadedTarget, TargetResult } from '../compile.js';
import { compileRule } from '../compile.js';
import type { Correlation, Filter } from '../correlation/model.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { readRuleFile } from '../frontend.js';
import type { Rule } from '../model/rule.js';
import { unknownTargetIds } from '../model/target-ids.js';
import { updateText } from '../source/hash-text.js';
import { readRuleBytes } from './build.js';
import { slimResult } from './built.js';

/** What the build's decisions across files read of a rule (identity.ts, correlation/resolve.ts). */
export type LightRule = Pick<Rule, 'file' | 'documentIndex' | 'id' | 'name' | 'title' | 'logsource'>;

/** One rule's result for one target as the stream keeps it before storing it: plain data, its fragment a text. */
export interface SlimResult {
  readonly status: TargetResult['status'];
  readonly diagnostics: readonly Diagnostic[];
  /** Whether it compiled, and the mapping id of the coverage table. */
  readonly compiled: boolean;
  readonly logsourceId?: string;
  readonly withheld?: string;
  readonly paths: readonly string[];
  readonly fragment?: string;
  readonly fragmentError?: string;
}

/** A fresh result as the stream keeps it: its files are staged by the caller; the bundle fragment made now. */
export function slimOf(result: TargetResult, target: LoadedTarget): SlimResult {
  const slim = slimResult(result, target);
  const compiled = slim.compiled;
  return {
    status: result.status,
    diagnostics: result.diagnostics,
    compiled: compiled !== undefined,
    ...(compiled?.mapped.logsourceId !== undefined ? { logsourceId: compiled.mapped.logsourceId } : {}),
    ...(result.withheld !== undefined ? { withheld: result.withheld } : {}),
    paths: result.artifacts.map((a) => a.path),
    ...(compiled?.fragment !== undefined ? { fragment: compiled.fragment } : {}),
    ...(compiled?.fragmentError !== undefined ? { fragmentError: compiled.fragmentError } : {}),
  };
}

/** What `streamFile` finds in files, in file order. */
export interface FileLists {
  readonly loadDiagnostics: Diagnostic[];
  readonly unknownTargets: Diagnostic[];
  readonly badFiles: string[];
  readonly correlations: Correlation[];
  readonly filters: Filter[];
  /** File → sha256 of its text (the record's key of it). */
  readonly hashes: Map<string, string>;
}

export const emptyLists = (): FileLists => ({
  loadDiagnostics: [],
  unknownTargets: [],
  badFiles: [],
  correlations: [],
  filters: [],
  hashes: new Map(),
});

/** Where `streamFile` puts what it finds. */
export interface FileSink extends FileLists {
  /** The diagnostics as kept (copies sharing no string with the file's text, on the main thread). */
  keepDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[];
  /** The rule's summary, kept in order and given to each of its results. */
  rule(rule: Rule): LightRule;
  /** One result of the rule, for `targets[target]`. */
  result(target: number, result: TargetResult, rule: LightRule): void;
}

/**
 * Bytes of files and fragments a build lets be in flight on the thread pool (write-queue.ts) while it compiles on:
 * enough for a few rules' files, little memory.
 */
export const WRITES_IN_FLIGHT = 2 ** 21;

export const sha256 = (text: string): string => updateText(createHash('sha256'), text).digest('hex');

export function streamFile(
  file: string,
  targets: readonly LoadedTarget[],
  knownTargets: readonly string[],
  sink: FileSink,
): void {
  const content = readRuleBytes(file, sink.loadDiagnostics, sink.badFiles);
  if (content === undefined) return;
  const text = content.toString('utf8');
  sink.hashes.set(file, sha256(text));
  const read = readRuleFile(file, content);
  sink.loadDiagnostics.push(...sink.keepDiagnostics(read.diagnostics));
  sink.correlations.push(...read.correlations);
  sink.filters.push(...read.filters);
  if (read.diagnostics.some((d) => d.severity === 'error')) sink.badFiles.push(file);
  const sources = new Map([[file, text]]);
  for (const rule of read.rules) {
    const light = sink.rule(rule);
    sink.unknownTargets.push(...sink.keepDiagnostics(unknownTargetIds([rule], knownTargets, sources)));
    targets.forEach((target, i) => sink.result(i, compileRule(rule, target), light));
  }
}
