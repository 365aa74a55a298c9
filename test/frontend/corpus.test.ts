/** The whole SigmaHQ corpus must load and validate unchanged: rulec accepts what Sigma accepts. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectRuleFiles } from '../../src/frontend.js';
import { formatDiagnostic } from '../../src/diagnostics/format.js';
import { validateRule } from '../../src/schema/validate.js';
import { loadSource } from '../../src/source/load.js';

const SIGMA = fileURLToPath(new URL('../../../shared/data/sigma', import.meta.url));
const FOLDERS = [`${SIGMA}/rules`, `${SIGMA}/rules-compliance`];
const available = FOLDERS.every((f) => existsSync(f));
if (!available)
  console.warn(`corpus test skipped: ${FOLDERS.join(', ')} not found (needs ../shared next to the repository)`);

describe.skipIf(!available)('SigmaHQ corpus', () => {
  it('loads and validates every rule with zero errors and zero warnings', () => {
    const files = collectRuleFiles(FOLDERS);
    const started = performance.now();
    let documents = 0;
    const problems: string[] = [];
    for (const file of files) {
      const text = readFileSync(file);
      const loaded = loadSource(file, text);
      const ds = [...loaded.diagnostics];
      for (const doc of loaded.documents) {
        documents++;
        ds.push(...validateRule(doc.data, doc.locator));
      }
      for (const d of ds) problems.push(formatDiagnostic(d, loaded.text));
    }
    const ms = Math.round(performance.now() - started);
    console.log(
      `SigmaHQ corpus: ${files.length} files, ${documents} rule documents validated in ${ms} ms, ${problems.length} diagnostics`,
    );
    expect(problems.slice(0, 20)).toEqual([]);
    expect(files.length).toBeGreaterThanOrEqual(3141 + 3);
    expect(documents).toBe(files.length);
  });
});
