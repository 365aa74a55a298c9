// The floor of goal 1 (issue 15), as a whole process: read every rule file of a folder and parse it with the YAML
// reader rulec locates rules with (`yaml`, parseAllDocuments, core schema), nothing else. Run by bench-goals.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

let files = 0;
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path);
    else if (/\.ya?ml$/.test(e.name)) {
      parseAllDocuments(readFileSync(path, 'utf8'), { schema: 'core', uniqueKeys: true });
      files++;
    }
  }
};
walk(process.argv[2]);
if (files === 0) process.exitCode = 1;
