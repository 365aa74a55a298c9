/**
 * Lists, for a rule corpus, every logsource with its rule count and the fields its rules test (with counts):
 * the checklist for writing a target's mapping pack. `npx tsx scripts/corpus-fields.ts <dir> [out.json]`
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { collectRuleFiles, readRuleFile } from '../src/frontend.js';
import { fieldsOf } from '../src/ir/visit.js';

const dir = process.argv[2] ?? '../shared/data/sigma/rules';
const out = process.argv[3];
const table = new Map<string, { rules: number; fields: Map<string, number> }>();
for (const file of collectRuleFiles([dir])) {
  for (const rule of readRuleFile(file, readFileSync(file)).rules) {
    const ls = ['product', 'category', 'service'].map((k) => `${k}=${rule.logsource[k] ?? ''}`).join(' ');
    const entry = table.get(ls) ?? { rules: 0, fields: new Map<string, number>() };
    entry.rules++;
    for (const f of fieldsOf(rule.detection)) entry.fields.set(f, (entry.fields.get(f) ?? 0) + 1);
    table.set(ls, entry);
  }
}
const result = [...table]
  .sort((a, b) => b[1].rules - a[1].rules)
  .map(([logsource, e]) => ({
    logsource,
    rules: e.rules,
    fields: Object.fromEntries([...e.fields].sort((a, b) => b[1] - a[1])),
  }));
if (out) writeFileSync(out, `${JSON.stringify(result, null, 1)}\n`);
for (const r of result)
  console.log(`${String(r.rules).padStart(5)}  ${r.logsource}  (${Object.keys(r.fields).length} fields)`);
