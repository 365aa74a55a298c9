/** Compiles hand-built rules for the Splunk target and checks every emitted query with the SPL checker. */
import { expect } from 'vitest';
import { backend } from '../../../backends/splunk/index.js';
import { checkSpl } from '../../../backends/splunk/spl-check.js';
import { compileRule, type TargetResult } from '../../../src/compile.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import type { Rule } from '../../../src/model/rule.js';
import { loadPipeline } from '../../../src/pipeline/load.js';
import { makeRule } from '../../helpers/make-rule.js';

export const pipeline = loadPipeline(backend.root, backend.id);
export const target = { backend, pipeline };

/** A rule on the M365 audit logsource, so the query starts with the O365 sourcetype. */
export const M365 = { logsource: { product: 'm365', service: 'audit' } };
export const PREFIX = 'sourcetype="o365:management:activity"';

export function compile(detection: IrNode, overrides: Partial<Rule> = {}): TargetResult {
  return compileRule(makeRule(detection, overrides), target);
}

/** The query of a rule that must compile; it must pass the SPL checker. */
export function spl(detection: IrNode, overrides: Partial<Rule> = M365): string {
  const result = compile(detection, overrides);
  expect(result.status, JSON.stringify(result.diagnostics)).not.toBe('refused');
  const query = result.compiled!.query.query;
  expect(checkSpl(query), query).toEqual([]);
  return query;
}

/** The query without the M365 prefix, for terse expectations. */
export function body(detection: IrNode): string {
  const query = spl(detection);
  expect(query.startsWith(PREFIX)).toBe(true);
  const rest = query.slice(PREFIX.length);
  expect(rest === '' || rest.startsWith(' ') || rest.startsWith('\n')).toBe(true);
  return rest.slice(1);
}

export function codes(result: TargetResult): string[] {
  return result.diagnostics.map((d) => d.code);
}

/**
 * A tiny savedsearches.conf reader: `[stanza]`, `key = value`, `#` comments, and a value line ending in ` \`
 * continued on the next line (the newline kept), the convention of the `conf` template helper.
 */
export function readConf(text: string): Map<string, Map<string, string>> {
  const stanzas = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const header = /^\[(.*)\]$/.exec(line);
    if (header) {
      if (stanzas.has(header[1]!)) throw new Error(`duplicate stanza ${header[1]}`);
      current = new Map();
      stanzas.set(header[1]!, current);
      continue;
    }
    const kv = /^([^=\s]+) = (.*)$/.exec(line);
    if (!kv || !current) throw new Error(`bad conf line ${i + 1}: ${line}`);
    let value = kv[2]!;
    while (value.endsWith(' \\')) {
      i++;
      value = `${value.slice(0, -2)}\n${lines[i] ?? ''}`;
    }
    if (current.has(kv[1]!)) throw new Error(`duplicate key ${kv[1]}`);
    current.set(kv[1]!, value);
  }
  return stanzas;
}
