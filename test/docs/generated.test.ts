/**
 * Issue 10 §7: the documentation stands alone. The generated pages (diagnostics catalogue, mapping reference) match
 * the code and pipeline data they are generated from, and no tracked file points at documentation outside the
 * repository or at a page or section that does not exist.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDocs } from '../../scripts/gen-docs.js';
import { REPO_ROOT } from '../helpers/run-rulec.js';

describe('generated docs', () => {
  it('are committed as `npm run docs` writes them (run it after changing codes or pipelines)', async () => {
    const pages = await generateDocs();
    expect([...pages.keys()].sort()).toEqual([
      'docs/diagnostics.md',
      'docs/mapping/elastic-winlogbeat.md',
      'docs/mapping/elastic.md',
      'docs/mapping/js.md',
      'docs/mapping/sentinel-asim.md',
      'docs/mapping/sentinel-security-4688.md',
      'docs/mapping/sentinel-windows-events.md',
      'docs/mapping/sentinel.md',
      'docs/mapping/splunk-cim.md',
      'docs/mapping/splunk-security-4688.md',
      'docs/mapping/splunk.md',
    ]);
    const stale = [...pages].filter(([path, content]) => {
      const file = join(REPO_ROOT, path);
      return !existsSync(file) || readFileSync(file, 'utf8') !== content;
    });
    expect(stale.map(([path]) => path)).toEqual([]);
  });

  it('list every registered code, including the target ones', async () => {
    const catalogue = (await generateDocs()).get('docs/diagnostics.md')!;
    for (const code of ['RC001', 'RC140', 'RC402', 'EL311', 'SN013', 'SP406', 'RC905'])
      expect(catalogue).toMatch(new RegExp(`^\\| ${code} \\|`, 'm'));
  });
});

/** Tracked text files, as git lists them (the generated corpus report and dist-rules are data, not prose). */
function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => /\.(ts|js|mjs|md|yml|yaml|hbs|json)$/.test(f))
    .filter((f) => !f.startsWith('dist-rules/') && !f.startsWith('docs/coverage/') && !f.startsWith('docs/reference/'))
    .filter((f) => f !== 'test/docs/generated.test.ts');
}

describe('documentation references', () => {
  const files = trackedFiles().map((f) => ({ file: f, text: readFileSync(join(REPO_ROOT, f), 'utf8') }));

  it('never point at documentation outside the repository', () => {
    const outside = files.flatMap(({ file, text }) =>
      [...text.matchAll(/(?:\.\.\/shared|\/work\/shared|shared)\/docs\/[\w./-]*/g)].map((m) => `${file}: ${m[0]}`),
    );
    expect(outside).toEqual([]);
  });

  it('name pages and sections that exist', () => {
    const broken: string[] = [];
    for (const { file, text } of files) {
      for (const m of text.matchAll(/\b(docs\/[\w/.-]+\.md)(?: §(\d+))?/g)) {
        // Elasticsearch's own docs tree, cited as a source by path in its repository.
        if (m[1]!.startsWith('docs/reference/query-languages/')) continue;
        const page = join(REPO_ROOT, m[1]!);
        if (!existsSync(page)) {
          broken.push(`${file}: ${m[1]}`);
          continue;
        }
        if (m[2] !== undefined && !new RegExp(`^#{2,3} ${m[2]}\\.`, 'm').test(readFileSync(page, 'utf8')))
          broken.push(`${file}: ${m[1]} §${m[2]}`);
      }
      // A bare reference-doc name (`elastic.md §3`) must say where it is.
      for (const m of text.matchAll(/(?<![\w/.-])(elastic|sentinel|splunk|sigma|style)\.md\b/g))
        broken.push(`${file}: bare ${m[0]}`);
    }
    expect(broken).toEqual([]);
  });
});
