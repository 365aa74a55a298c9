/** Compiles a rule for the JS target, writes the module next to runtime.js in a temp folder and imports it. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { backend, runtimeFiles } from '../../../backends/js/index.js';
import { compileRule, type TargetResult } from '../../../src/compile.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import type { Rule } from '../../../src/model/rule.js';
import { loadPipeline } from '../../../src/pipeline/load.js';
import { makeRule } from '../../helpers/make-rule.js';

export const target = { backend, pipeline: loadPipeline(backend.root, 'js') };

let dir: string | undefined;
let counter = 0;

export interface LoadedRule {
  readonly match: (event: unknown) => boolean;
  readonly rule: Record<string, unknown>;
  readonly result: TargetResult;
  readonly source: string;
}

export function compile(detection: IrNode, overrides: Partial<Rule> = {}): TargetResult {
  return compileRule(makeRule(detection, overrides), target);
}

/** Writes `source` as a module beside the runtime and imports it. */
export async function importModule(source: string): Promise<Record<string, unknown>> {
  if (dir === undefined) {
    dir = mkdtempSync(join(tmpdir(), 'rulec-js-'));
    for (const file of runtimeFiles()) writeFileSync(join(dir, file.path), file.content);
  }
  const file = join(dir, `m${counter++}.js`);
  writeFileSync(file, `${source}\n`);
  return (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
}

/** Compiles (must succeed) and imports the module. */
export async function load(detection: IrNode, overrides: Partial<Rule> = {}): Promise<LoadedRule> {
  const result = compile(detection, overrides);
  if (result.status === 'refused' || !result.compiled)
    throw new Error(`refused: ${result.diagnostics.map((d) => `${d.code} ${d.message}`).join('; ')}`);
  const source = result.compiled.query.query;
  const mod = await importModule(source);
  return {
    match: mod['match'] as (event: unknown) => boolean,
    rule: mod['rule'] as Record<string, unknown>,
    result,
    source,
  };
}
