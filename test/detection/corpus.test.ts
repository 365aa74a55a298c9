/** Every SigmaHQ rule under rules/ and rules-compliance/ must build into IR without errors. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildDetection } from '../../src/detection/index.js';
import { makeLocator } from './helpers.js';

const ROOT = '../shared/data/sigma';
const FOLDERS = ['rules', 'rules-compliance'];
const available = existsSync(join(ROOT, 'rules'));

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...yamlFiles(full));
    else if (entry.name.endsWith('.yml') || entry.name.endsWith('.yaml')) out.push(full);
  }
  return out.sort();
}

if (!available) console.warn('SigmaHQ corpus test skipped: ../shared/data/sigma is missing next to the repository');

describe.skipIf(!available)('SigmaHQ corpus', () => {
  it('builds every rule detection with zero errors', () => {
    const files = FOLDERS.flatMap((f) => (existsSync(join(ROOT, f)) ? yamlFiles(join(ROOT, f)) : []));
    const refused: string[] = [];
    let rules = 0;
    let warnings = 0;
    let buildMs = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const lineCounter = new LineCounter();
      for (const doc of parseAllDocuments(text, { lineCounter, schema: 'core' })) {
        if (!('contents' in doc)) continue;
        const data = doc.toJS() as Record<string, unknown> | null;
        const detection = data?.['detection'];
        if (typeof detection !== 'object' || detection === null) continue;
        rules++;
        const started = performance.now();
        const result = buildDetection(detection as Record<string, unknown>, makeLocator(text, doc, lineCounter, file));
        buildMs += performance.now() - started;
        warnings += result.diagnostics.filter((d) => d.severity === 'warning').length;
        for (const d of result.diagnostics) {
          if (d.severity === 'error')
            refused.push(`${file}:${d.span?.start.line}:${d.span?.start.col} ${d.code} ${d.message}`);
        }
        if (result.node.kind === 'const' && !refused.some((r) => r.startsWith(file))) {
          refused.push(`${file}: detection built to a constant`);
        }
      }
    }
    console.log(
      `corpus: ${rules} rules, ${refused.length} errors, ${warnings} warnings, detection build ${buildMs.toFixed(0)} ms`,
    );
    expect(rules).toBeGreaterThanOrEqual(3141);
    expect(refused).toEqual([]);
  });
});
