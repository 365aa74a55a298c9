/**
 * A `rulec match --jobs N` worker: builds the predicate factory from the target registry (passed by URL, so this
 * module stays target-agnostic), receives the rules once (v8-serialised by the main thread, which has read and
 * resolved them), then matches blocks of input lines and replies with each block's result (block-matcher.ts).
 * Predicates are built lazily, as on one thread: only the rules some event of this worker reaches.
 */
import { deserialize } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import type { Backend } from '../backend/types.js';
import type { Block, BlockResult, BlockSetup } from '../match/block-matcher.js';
import { BlockMatcher } from '../match/block-matcher.js';
import { lazyRules } from '../match/router.js';
import type { Rule } from '../model/rule.js';
import type { Pipeline } from '../pipeline/types.js';
import { predicateFactory } from './predicates.js';

/** How a worker makes the same predicates as the main thread's factory (plain data). */
export interface FactoryRecipe {
  readonly registryModule: string;
  /** The mapped event format (e.g. `ecs`); undefined for raw events. */
  readonly eventFormat?: string;
  /** The site's layered pipeline for that format's target (`--config`, `--pipeline`). */
  readonly pipeline?: Pipeline;
}

export interface WorkerInit {
  readonly recipe: FactoryRecipe;
  readonly setup: BlockSetup;
}

/** The rules as the main thread sends them (match-parallel.ts `serializeRules`). */
export type RulesText = { readonly json: string } | { readonly v8: Uint8Array };

export type ToWorker =
  | { readonly type: 'rules'; readonly rules: RulesText }
  | { readonly type: 'block'; readonly seq: number; readonly block: Block };

/** A block's result, and the worker's time on it (ms; the bench reads it). */
export interface FromWorker {
  readonly seq: number;
  readonly result: BlockResult;
  readonly busy: number;
}

const init = workerData as WorkerInit;
const port = parentPort!;
// The registry loads while the main thread reads the rules.
const { BACKENDS } = (await import(init.recipe.registryModule)) as { BACKENDS: readonly Backend[] };
const factory = predicateFactory(BACKENDS, init.recipe.eventFormat, init.recipe.pipeline);
let matcher: BlockMatcher | undefined;
/** A fresh buffer per block's output (never a pooled one, which could not be handed over). */
const encoder = new TextEncoder();

port.on('message', (message: ToWorker) => {
  if (message.type === 'rules') {
    const text = message.rules;
    const rules = ('json' in text ? JSON.parse(text.json) : deserialize(text.v8)) as Rule[];
    matcher = new BlockMatcher(
      lazyRules(rules, (rule) => factory?.(rule)),
      init.setup,
    );
    return;
  }
  const start = performance.now();
  const result = matcher!.run(message.block, matcher!.splitter(message.block));
  if (result.output.length === 0) {
    port.postMessage({ seq: message.seq, result, busy: performance.now() - start } satisfies FromWorker);
    return;
  }
  const bytes = encoder.encode(result.output);
  const reply: FromWorker = {
    seq: message.seq,
    result: { ...result, output: '', bytes },
    busy: performance.now() - start,
  };
  port.postMessage(reply, [bytes.buffer]);
});
