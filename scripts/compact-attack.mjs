// Regenerates data/attack/attack.json from the ATT&CK tables in ../shared/data/attack (run by hand when ATT&CK
// is updated; the product reads only the compacted copy).
import { readFileSync, writeFileSync, copyFileSync } from 'node:fs';
const src = new URL('../../shared/data/attack/', import.meta.url);
const rows = (f) =>
  readFileSync(new URL(f, src), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'));
const tactics = rows('tactics.tsv').map(([id, shortName, name]) => [id, shortName, name]);
const techniques = rows('techniques.tsv')
  .filter((r) => r[4] !== 'true')
  .map(([id, name, tacts]) => [id, name, tacts]);
const revoked = Object.fromEntries(rows('revoked_by.tsv'));
const out = {
  source: 'MITRE ATT&CK Enterprise v18.1 (mitre/cti 421deacb77191b38bdd1bf63268954e93da91365)',
  tactics,
  techniques,
  revoked,
};
writeFileSync(new URL('../data/attack/attack.json', import.meta.url), JSON.stringify(out) + '\n');
copyFileSync(new URL('LICENSE.txt', src), new URL('../data/attack/LICENSE.txt', import.meta.url));
console.log(`${tactics.length} tactics, ${techniques.length} techniques, ${Object.keys(revoked).length} revoked`);
