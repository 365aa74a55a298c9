/**
 * Incremental `rulec build` (issue 15 goal 4): the per-file result cache (src/build/result-cache.ts) and the
 * in-place update of the output folder (src/build/atomic.ts updateTree). Each key of the cache is changed in turn
 * and the test sees what was compiled (the cache's hit and miss counts) and which output files were rewritten
 * (inode and mtime): the affected ones, and no other. In-process (buildCommand) for speed.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BACKENDS } from '../../backends/index.js';
import type * as CacheModule from '../../src/build/cache.js';
import { recoverInterruptedUpdate, updateDir, updateTree, WriteError } from '../../src/build/atomic.js';
import type { FileResult } from '../../src/build/result-cache.js';
import { dropManifest, KnownFile, readKnownTree } from '../../src/build/tree-manifest.js';
import { ResultCache, resultCacheFile, resultCacheKey } from '../../src/build/result-cache.js';
import { foldersAsLeft, incrementalFiles, walkedFiles } from '../../src/build/incremental.js';
import { checkAhead } from '../../src/build/output-check.js';
import type { OutputRecord } from '../../src/build/output-folder.js';
import { checkOutputFolder, renderRecord } from '../../src/build/output-folder.js';
import { patchRecord } from '../../src/build/record-patch.js';
import { fragmentKey, fragmentParts, keyedFragment, onlyPlace, spliceVerbatim } from '../../src/backend/bundle.js';
import { loadPipeline } from '../../src/pipeline/load.js';
import type { Pipeline } from '../../src/pipeline/types.js';
import type { BuildCommandOptions } from '../../src/cli/build-command.js';
import { buildCommand } from '../../src/cli/build-command.js';
import type { ProduceOptions } from '../../src/cli/produce.js';
import { snapshot } from '../helpers/build-fixtures.js';

/**
 * rulec's own key (cache.ts rulecKey: its code, templates, data and version), replaced when a test sets `value`:
 * another rulec is another key for the result cache and the incremental state.
 */
const codeKey = vi.hoisted(() => ({ value: undefined as string | undefined }));
vi.mock('../../src/build/cache.js', async (importOriginal) => {
  const actual = await importOriginal<typeof CacheModule>();
  return { ...actual, rulecKey: () => codeKey.value ?? actual.rulecKey() };
});

const FIXTURES = fileURLToPath(new URL('../correlation/fixtures/build/', import.meta.url));

let dir: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rulec-incremental-'));
  cpSync(join(FIXTURES, 'rules'), join(dir, 'rules'), { recursive: true });
  cpSync(join(FIXTURES, 'tuning'), join(dir, 'tuning'), { recursive: true });
  out = join(dir, 'dist');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  // The packs live in the shared cache folder, named after the output folder: removed with it.
  rmSync(resultCacheFile(out), { force: true });
  rmSync(resultCacheFile(out).replace(/\.bin$/, '.delta.bin'), { force: true });
  dropManifest(out);
  for (const file of incrementalFiles(out)) rmSync(file, { force: true });
});

interface Built {
  readonly status: number;
  readonly stderr: string;
  readonly hits: number;
  readonly misses: number;
  /** The build was incremental (build/incremental.ts): compiled the changed files only, edited the output. */
  readonly inPlace?: true;
  /** It used the check of its output made ahead (build/output-check.ts). */
  readonly checkedAhead?: true;
}

async function build(options: Partial<BuildCommandOptions> = {}, produce: ProduceOptions = {}): Promise<Built> {
  let stderr = '';
  let stats: { hits: number; misses: number; inPlace?: true; checkedAhead?: true } = { hits: -1, misses: -1 };
  const status = await buildCommand(
    [join(dir, 'rules')],
    {
      out,
      check: false,
      targets: ['splunk', 'sentinel', 'elastic', 'js'],
      allowRefusals: true,
      quiet: false,
      cache: true,
      filters: [join(dir, 'tuning')],
      ...options,
    },
    BACKENDS,
    { isTty: false, stdout: () => undefined, stderr: (t) => void (stderr += t) },
    { ...produce, onResultCache: (s) => void (stats = { ...s }) },
  );
  return { status, stderr, ...stats };
}

/** Every output file → `inode:mtime`, to see which files a build rewrote. */
function stamps(): Map<string, string> {
  const stamp = new Map<string, string>();
  const walk = (d: string, prefix: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const stat = statSync(full, { bigint: true });
      if (stat.isDirectory()) walk(full, `${prefix}${name}/`);
      else stamp.set(`${prefix}${name}`, `${stat.ino}:${stat.mtimeNs}`);
    }
  };
  walk(out, '');
  return stamp;
}

function rewritten(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after.keys()].filter((path) => before.get(path) !== after.get(path)).sort();
}

/** What a cold build (no cache at all) writes for the same inputs: the reference every incremental build meets. */
async function coldSnapshot(
  produce: ProduceOptions = {},
  options: Partial<BuildCommandOptions> = {},
): Promise<Map<string, string>> {
  const saved = out;
  out = join(dir, 'cold');
  try {
    expect((await build({ ...options, cache: false }, produce)).status).toBe(0);
    return snapshot(out);
  } finally {
    rmSync(out, { recursive: true, force: true });
    out = saved;
  }
}

const RULE_FILES = 6;
const FAILED = '7c1e0f3a-0b6d-4c8e-9a21-3f5d6e7a8b01';
const EXPLICIT = '7c1e0f3a-0b6d-4c8e-9a21-3f5d6e7a8b03';
const SUCCESS = '7c1e0f3a-0b6d-4c8e-9a21-3f5d6e7a8b02';
const BUNDLES = ['elastic/rules.ndjson', 'js/index.js', 'sentinel/rules.arm.json', 'splunk/savedsearches.conf'];

describe('incremental rulec build', () => {
  it('a first build compiles every file and stores them; a build after one rule changed compiles that file only', async () => {
    const first = await build();
    expect(first.status).toBe(0);
    expect(first).toMatchObject({ hits: 0, misses: RULE_FILES });
    const before = stamps();

    const file = join(dir, 'rules', 'explicit_credentials.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('level: medium', 'level: high'));
    const second = await build();
    expect(second).toMatchObject({ status: 0, hits: RULE_FILES - 1, misses: 1 });
    // Only the edited rule's files, the combined files and the record were written; every other file is the same
    // file (same inode, same mtime).
    const changed = rewritten(before, stamps());
    expect(changed.filter((p) => !p.includes(EXPLICIT) && !BUNDLES.includes(p))).toEqual(['.rulec-output']);
    expect(changed.filter((p) => p.includes(EXPLICIT)).length).toBeGreaterThanOrEqual(4);
    expect(changed.some((p) => p.includes(SUCCESS))).toBe(false);
    // And the folder is byte for byte what a cold build writes.
    expect(snapshot(out)).toEqual(await coldSnapshot());
  });

  it('an edited filter (--filters) re-tunes the rules it names from cached results: only their files change', async () => {
    await build();
    const before = stamps();
    const filter = join(dir, 'tuning', readdirSync(join(dir, 'tuning'))[0]!);
    writeFileSync(filter, readFileSync(filter, 'utf8').replace('10.0.0.5', '10.0.0.6'));
    const again = await build();
    // Nothing to compile afresh from the rule files: the filter acts on the cached results (build/meta.ts).
    expect(again).toMatchObject({ status: 0, hits: RULE_FILES, misses: 0 });
    const changed = rewritten(before, stamps());
    expect(changed.length).toBeGreaterThan(0);
    // The filter names failed_login (deployed only through its correlation) and explicit_credentials: the
    // successful_login rule's own files are untouched.
    expect(changed.some((p) => p.includes(SUCCESS))).toBe(false);
    expect(changed.some((p) => p.includes(EXPLICIT) || p.includes(FAILED) || BUNDLES.includes(p))).toBe(true);
    expect(snapshot(out)).toEqual(await coldSnapshot());
  });

  it('other site settings compile every file again, and files whose output is the same are not rewritten', async () => {
    await build();
    const before = stamps();
    const again = await build({}, { siteKey: 'another site configuration' });
    expect(again).toMatchObject({ status: 0, hits: 0, misses: RULE_FILES });
    expect(rewritten(before, stamps())).toEqual([]);
  });

  it('other targets (another global key) do not reuse the results of these', async () => {
    await build({ targets: ['splunk'] });
    const again = await build({ targets: ['splunk', 'js'] });
    expect(again).toMatchObject({ hits: 0, misses: RULE_FILES });
  });

  it('--no-cache is a cold build: it neither reads nor writes the result cache', async () => {
    await build();
    const cold = await build({ cache: false });
    expect(cold).toMatchObject({ hits: -1, misses: -1 });
  });

  it('a damaged or truncated cache is ignored: everything is compiled and the output is exact', async () => {
    await build();
    const pack = resultCacheFile(out);
    const bytes = readFileSync(pack);
    // One byte flipped in the middle (the checksum catches it), then a file cut in half; a rule file touched each
    // time, or the whole-build cache (cache.ts) would answer before any result is looked up.
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(pack, bytes);
    const file = join(dir, 'rules', 'explicit_credentials.yml');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    expect(await build()).toMatchObject({ hits: 0, misses: RULE_FILES });
    writeFileSync(pack, readFileSync(pack).subarray(0, 100));
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    expect(await build()).toMatchObject({ hits: 0, misses: RULE_FILES });
    expect(snapshot(out)).toEqual(await coldSnapshot());
  });

  it('files rulec left as they were are known by their stamp, not read; a file edited by hand is read and restored', async () => {
    await build();
    const known = readKnownTree(out, new Set(['.rulec-output']));
    expect(typeof known.get('.rulec-output')).toBe('string');
    const conf = [...known.keys()].find((p) => p.startsWith('splunk/') && p.includes(SUCCESS))!;
    expect(known.get(conf)).toBeInstanceOf(KnownFile);
    const expected = snapshot(out);
    // Same size, other bytes: the mtime tells it apart, so the next build reads it, sees the drift and rewrites it
    // (the whole-build cache too: its output key hashes the file as read).
    const text = readFileSync(join(out, conf), 'utf8');
    writeFileSync(join(out, conf), text.replace('=', '~'));
    expect(readKnownTree(out, new Set()).get(conf)).toBe(text.replace('=', '~'));
    expect((await build()).status).toBe(0);
    expect(snapshot(out)).toEqual(expected);
    expect(readKnownTree(out, new Set()).get(conf)).toBeInstanceOf(KnownFile);
  });

  it('the cache keeps per-rule files by hash: one edited by hand or deleted makes its rule compile again', async () => {
    // Plain rules (no filter tunes them, no correlation names them, titles unique): their files are written as
    // compiled.
    rmSync(join(dir, 'rules'), { recursive: true });
    mkdirSync(join(dir, 'rules'));
    const plain = readFileSync(join(FIXTURES, 'rules', 'successful_login.yml'), 'utf8');
    for (const n of [1, 2, 3])
      writeFileSync(
        join(dir, 'rules', `plain_${n}.yml`),
        plain
          .replace(/8b02/, `9c0${n}`)
          .replace(/successful_login/, `plain_${n}`)
          .replace(/^title: .*$/m, `title: Plain ${n}`),
      );
    expect(await build({ filters: [] })).toMatchObject({ status: 0, misses: 3 });
    const expected = snapshot(out);
    const edited = [...expected.keys()].find((p) => p.startsWith('sentinel/') && p.includes('9c01'))!;
    const deleted = [...expected.keys()].find((p) => p.startsWith('js/') && p.includes('9c02'))!;
    // The pack holds no per-rule text (the folder has it).
    expect(readFileSync(resultCacheFile(out)).includes(readFileSync(join(out, edited)))).toBe(false);
    writeFileSync(join(out, edited), `${readFileSync(join(out, edited), 'utf8')}# by hand\n`);
    rmSync(join(out, deleted));
    // Those two rules are compiled again (the third comes from the cache) and the folder is restored.
    expect(await build({ filters: [] })).toMatchObject({ status: 0, hits: 1, misses: 2 });
    expect(snapshot(out)).toEqual(expected);
  });

  it('the global key changes with each of its parts; a pack of another key is never read', () => {
    const key = resultCacheKey(['splunk'], undefined, 'site');
    expect(resultCacheKey(['splunk', 'js'], undefined, 'site')).not.toBe(key);
    expect(resultCacheKey(['splunk'], { splunk: { name: 'p' } }, 'site')).not.toBe(key);
    expect(resultCacheKey(['splunk'], undefined, 'other')).not.toBe(key);
    // rulec's own code, data and templates are hashed into every key (cache.ts rulecKey): another rulec version
    // is another key, which finds nothing.
    const file = join(dir, 'pack.bin');
    const entry: FileResult = { rules: [], correlations: [], filters: [], diagnostics: [], bad: false, results: [] };
    const first = new ResultCache(file, 'rulec 1', new Map());
    first.set('a', entry);
    first.save(new Map());
    expect(new ResultCache(file, 'rulec 1', new Map()).get('a')).toEqual(entry);
    expect(new ResultCache(file, 'rulec 2', new Map()).get('a')).toBeUndefined();
  });

  it('keeps a small delta beside the base pack, and drops the results of files gone when it rewrites the base', () => {
    const file = join(dir, 'pack.bin');
    const entry = (n: number): FileResult => ({
      rules: [],
      correlations: [],
      filters: [],
      diagnostics: [{ code: `RC${n}`, severity: 'info', message: String(n) }],
      bad: false,
      results: [],
    });
    const base = new ResultCache(file, 'k', new Map());
    for (let i = 0; i < 100; i++) base.set(`f${i}`, entry(i));
    base.save(new Map());
    const next = new ResultCache(file, 'k', new Map());
    for (let i = 1; i < 100; i++) expect(next.get(`f${i}`)).toEqual(entry(i));
    next.set('new', entry(1000));
    next.save(new Map());
    expect(existsSync(file.replace(/\.bin$/, '.delta.bin'))).toBe(true);
    const third = new ResultCache(file, 'k', new Map());
    expect(third.get('new')).toEqual(entry(1000));
    expect(third.get('f0')).toEqual(entry(0));
  });
});

/** Plain rule `n` (no filter tunes it, no correlation names it, its title unique). */
function plainRule(n: number): string {
  return readFileSync(join(FIXTURES, 'rules', 'successful_login.yml'), 'utf8')
    .replace(/8b02/, `9c0${n}`)
    .replace(/successful_login/, `plain_${n}`)
    .replace(/^title: .*$/m, `title: Plain ${n}\ndescription: Plain rule ${n}`);
}

/** Plain rules in place of the fixtures. */
function plainRules(count: number): void {
  rmSync(join(dir, 'rules'), { recursive: true });
  mkdirSync(join(dir, 'rules'));
  for (let n = 1; n <= count; n++) writeFileSync(join(dir, 'rules', `plain_${n}.yml`), plainRule(n));
}

/** Edits rule file `n` of `plainRules` (`change` of its text). */
function editPlain(n: number, change: (text: string) => string): void {
  const file = join(dir, 'rules', `plain_${n}.yml`);
  writeFileSync(file, change(readFileSync(file, 'utf8')));
}

/** The report without its last line (which names the output folder). */
const report = (stderr: string): string => stderr.replace(/[^\n]*\n$/, '');

describe('incremental rulec build in place (build/incremental.ts)', () => {
  it('after one rule changed, compiles it only, writes its files, the combined files and the record: a cold build', async () => {
    plainRules(3);
    expect(await build({ filters: [] })).toMatchObject({ status: 0, misses: 3 });
    const before = stamps();
    editPlain(2, (text) => text.replace('Plain rule 2', 'Plain rule 2, edited — with a non-ASCII dash'));
    const again = await build({ filters: [] });
    expect(again).toMatchObject({ status: 0, hits: 2, misses: 1, inPlace: true });
    const changed = rewritten(before, stamps());
    expect(changed.filter((p) => !p.includes('9c02') && !BUNDLES.includes(p))).toEqual(['.rulec-output']);
    expect(changed.filter((p) => p.includes('9c02')).length).toBeGreaterThanOrEqual(3);
    expect(changed.some((p) => p.includes('9c01') || p.includes('9c03'))).toBe(false);
    // Byte for byte the folder, and line for line the report, of a cold build.
    const saved = out;
    out = join(dir, 'cold');
    const cold = await build({ filters: [], cache: false });
    const expected = snapshot(out);
    rmSync(out, { recursive: true });
    out = saved;
    expect(snapshot(out)).toEqual(expected);
    expect(report(again.stderr)).toBe(report(cold.stderr));
    expect(again.stderr).toMatch(/0 added, \d+ changed, 0 removed/);
    // And twice in a row (the state it left is the next build's), then with nothing changed.
    editPlain(2, (text) => text.replace('edited', 'edited again'));
    expect(await build({ filters: [] })).toMatchObject({ misses: 1, inPlace: true });
    expect((await build({ filters: [] })).stderr).toContain('nothing to do');
    editPlain(2, (text) => text.replace(', edited again — with a non-ASCII dash', ''));
    expect(await build({ filters: [] })).toMatchObject({ misses: 1, inPlace: true });
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
  });

  it('an output file edited, deleted or added by hand sends the build the whole way, which restores the folder', async () => {
    plainRules(3);
    await build({ filters: [] });
    const expected = snapshot(out);
    const edited = [...expected.keys()].find((p) => p.startsWith('sentinel/') && p.includes('9c01'))!;
    const deleted = [...expected.keys()].find((p) => p.startsWith('js/') && p.includes('9c03'))!;
    // Same size, other bytes.
    writeFileSync(join(out, edited), readFileSync(join(out, edited), 'utf8').replace('"', "'"));
    rmSync(join(out, deleted));
    writeFileSync(join(out, 'splunk', 'by-hand.conf'), '[by hand]\n');
    editPlain(2, (text) => text.replace('level: informational', 'level: low'));
    const again = await build({ filters: [] });
    expect(again.inPlace).toBeUndefined();
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
    // Restored, the folder takes the incremental path again.
    editPlain(2, (text) => text.replace('level: low', 'level: high'));
    expect(await build({ filters: [] })).toMatchObject({ misses: 1, inPlace: true });
  });

  it('a target folder is listed again only when its mtime changed: a repository or a link added there is refused', async () => {
    plainRules(3);
    await build({ filters: [] });
    const elastic = join(out, 'elastic');
    const asLeft = foldersAsLeft(out);
    expect([...asLeft.keys()].sort()).toEqual(['elastic', 'js', 'sentinel', 'splunk']);
    expect(asLeft.get('elastic')).toBe(statSync(elastic).mtimeMs);
    // A folder of the mtime given is not listed: a link there passes unseen (only the mtime says it is new).
    symlinkSync(join(dir, 'rules'), join(elastic, 'linked'));
    const ids = ['elastic', 'js', 'sentinel', 'splunk'];
    expect(checkOutputFolder(out, ids, new Map([['elastic', statSync(elastic).mtimeMs]]))).toEqual([]);
    const other = new Map([['elastic', statSync(elastic).mtimeMs + 1]]);
    expect(checkOutputFolder(out, ids, other)[0]!.message).toContain("'elastic/linked'");
    rmSync(join(elastic, 'linked'));
    // As anything is added, the folder's mtime changes: listed, and a repository there is refused.
    mkdirSync(join(elastic, '.git'));
    editPlain(2, (text) => text.replace('level: informational', 'level: low'));
    const refused = await build({ filters: [] });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('RC909');
    expect(refused.stderr).toContain('elastic/.git');
  });

  it('a check of the output made ahead on another thread serves the state it checked, and no other', async () => {
    plainRules(3);
    await build({ filters: [] });
    editPlain(2, (text) => text.replace('level: informational', 'level: low'));
    const ahead = await checkAhead(out);
    expect(ahead).toMatchObject({ rules: [[1, expect.any(Number), expect.any(Number)]] });
    expect(ahead!.notAsLeft).toBeUndefined();
    expect(await build({ filters: [], ahead: Promise.resolve(ahead) })).toMatchObject({
      misses: 1,
      inPlace: true,
      checkedAhead: true,
    });
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
    // Again, the state now patched (the other thread applies the patch as the build does).
    editPlain(2, (text) => text.replace('level: low', 'level: medium'));
    expect(await build({ filters: [], ahead: checkAhead(out) })).toMatchObject({ inPlace: true, checkedAhead: true });
    // A check that found a file edited by hand; the build after it restores the folder and keeps another state.
    const edited = [...snapshot(out).keys()].find((p) => p.startsWith('splunk/') && p.includes('9c01'))!;
    writeFileSync(join(out, edited), readFileSync(join(out, edited), 'utf8').replace('=', ':'));
    const stale = await checkAhead(out);
    expect(stale!.notAsLeft).toContain(edited);
    expect((await build({ filters: [] })).inPlace).toBeUndefined();
    // Its answer is not that state's: the next build checks on its own, and edits in place.
    editPlain(2, (text) => text.replace('level: medium', 'level: high'));
    const again = await build({ filters: [], ahead: Promise.resolve(stale) });
    expect(again).toMatchObject({ misses: 1, inPlace: true });
    expect(again.checkedAhead).toBeUndefined();
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
  });

  it('lists no rule folder whose mtime it saw listing it; a rule added to any folder, an empty one too, is found', async () => {
    plainRules(3);
    const folders = ['rules', 'rules/empty', 'rules/nested', 'rules/nested/deeper'];
    for (const folder of folders) mkdirSync(join(dir, folder), { recursive: true });
    // Folders changed just before the walk are listed again next time (a coarse clock could hide a later change).
    await build({ filters: [] });
    const paths = [join(dir, 'rules')];
    expect(walkedFiles(out, paths)).toBeUndefined();
    // Last changed an hour ago: trusted while their mtimes stay.
    const hourAgo = Date.now() / 1000 - 3600;
    for (const folder of folders) utimesSync(join(dir, folder), hourAgo, hourAgo);
    await build({ filters: [] });
    const plain = [1, 2, 3].map((n) => join(dir, 'rules', `plain_${n}.yml`));
    expect(walkedFiles(out, paths)?.files).toEqual(plain);
    expect(walkedFiles(out, [...paths, join(dir, 'tuning')])).toBeUndefined();
    // A rule added to the empty folder: its mtime alone changes, and the build finds the rule.
    writeFileSync(join(dir, 'rules', 'empty', 'plain_4.yml'), plainRule(4));
    expect(walkedFiles(out, paths)).toBeUndefined();
    const added = await build({ filters: [] });
    expect(added.inPlace).toBeUndefined();
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
    expect([...snapshot(out).keys()].some((p) => p.includes('9c04'))).toBe(true);
    // What is trusted: a rule added with its folder's mtime put back (no tool does that unasked) is not seen.
    for (const folder of folders) utimesSync(join(dir, folder), hourAgo, hourAgo);
    await build({ filters: [] });
    writeFileSync(join(dir, 'rules', 'nested', 'deeper', 'plain_5.yml'), plainRule(5));
    utimesSync(join(dir, 'rules', 'nested', 'deeper'), hourAgo, hourAgo);
    expect((await build({ filters: [] })).stderr).toContain('nothing to do');
    rmSync(join(dir, 'rules', 'nested', 'deeper', 'plain_5.yml'));
    // A symlink in a folder: the listing is not the whole story, so the folders are listed every time.
    for (const folder of folders) utimesSync(join(dir, folder), hourAgo, hourAgo);
    symlinkSync(join(dir, 'rules', 'plain_1.yml'), join(dir, 'rules', 'nested', 'linked.yml'));
    utimesSync(join(dir, 'rules', 'nested'), hourAgo - 60, hourAgo - 60);
    await build({ filters: [] });
    expect(walkedFiles(out, paths)).toBeUndefined();
  });

  it('writes its changes to the state as a patch beside it; a patch of another state is not used', async () => {
    plainRules(3);
    await build({ filters: [] });
    const [stateFile, patchFile] = incrementalFiles(out);
    const whole = readFileSync(stateFile!);
    editPlain(2, (text) => text.replace('level: informational', 'level: low'));
    expect(await build({ filters: [] })).toMatchObject({ inPlace: true });
    editPlain(2, (text) => text.replace('level: low', 'level: medium'));
    expect(await build({ filters: [] })).toMatchObject({ inPlace: true });
    expect(readFileSync(stateFile!)).toEqual(whole);
    expect(existsSync(patchFile!)).toBe(true);
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
    // A patch naming another state (two files not of one build's): no state, the whole build, a state anew.
    const patch = JSON.parse(readFileSync(patchFile!, 'utf8')) as Record<string, unknown>;
    writeFileSync(patchFile!, JSON.stringify({ ...patch, base: 'another state' }));
    editPlain(2, (text) => text.replace('level: medium', 'level: high'));
    expect((await build({ filters: [] })).inPlace).toBeUndefined();
    expect(existsSync(patchFile!)).toBe(false);
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
  });

  it('a changed title or id, or a correlation rule, links files: the whole build runs, and its output is exact', async () => {
    plainRules(3);
    await build({ filters: [] });
    editPlain(1, (text) => text.replace('Plain 1', 'Plain 3'));
    const renamed = await build({ filters: [] });
    expect(renamed.inPlace).toBeUndefined();
    expect(renamed.stderr).toContain('RC907');
    editPlain(1, (text) => text.replace('Plain 3', 'Plain one').replace('9c01', '9d01'));
    expect((await build({ filters: [] })).inPlace).toBeUndefined();
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
    // A correlation rule and the rule it names: the build links them, so no edit is made in place.
    for (const name of ['brute_force.yml', 'failed_login.yml'])
      cpSync(join(FIXTURES, 'rules', name), join(dir, 'rules', name));
    expect((await build({ filters: [] })).status).toBe(0);
    editPlain(3, (text) => text.replace('level: informational', 'level: low'));
    expect((await build({ filters: [] })).inPlace).toBeUndefined();
    expect(snapshot(out)).toEqual(await coldSnapshot({}, { filters: [] }));
  });

  it('another rulec (code, templates, data) compiles every file again and rewrites only the files that differ', async () => {
    plainRules(3);
    await build({ filters: [] });
    const before = stamps();
    editPlain(1, (text) => text.replace('level: informational', 'level: low'));
    codeKey.value = 'another rulec';
    try {
      const again = await build({ filters: [] });
      expect(again).toMatchObject({ status: 0, hits: 0, misses: 3 });
      expect(again.inPlace).toBeUndefined();
      const changed = rewritten(before, stamps());
      expect(changed.filter((p) => !p.includes('9c01') && !BUNDLES.includes(p))).toEqual(['.rulec-output']);
      // The state it left is this rulec's: the next edit is made in place.
      editPlain(1, (text) => text.replace('level: low', 'level: high'));
      expect(await build({ filters: [] })).toMatchObject({ misses: 1, inPlace: true });
    } finally {
      codeKey.value = undefined;
    }
  });

  it("another pipeline of one target rebuilds that target's files only; the state of other pipelines is not used", async () => {
    plainRules(3);
    await build({ filters: [] });
    const before = stamps();
    const splunk = BACKENDS.find((b) => b.id === 'splunk')!;
    const pipeline = loadPipeline(splunk.root, 'splunk');
    const renamed: Pipeline = {
      ...pipeline,
      fields: { ...pipeline.fields, EventID: 'renamed_event_id' },
      logsources: pipeline.logsources.map((l) => ({ ...l, fields: { ...l.fields, EventID: 'renamed_event_id' } })),
    };
    // The site's key changes with its pipelines (rulec.config.yml); both are given here as the CLI would.
    const site = { pipelines: { splunk: renamed }, siteKey: 'splunk EventID renamed' };
    const again = await build({ filters: [] }, site);
    expect(again).toMatchObject({ hits: 0, misses: 3 });
    expect(again.inPlace).toBeUndefined();
    const changed = rewritten(before, stamps());
    expect(changed.filter((p) => p !== '.rulec-output').every((p) => p.startsWith('splunk/'))).toBe(true);
    expect(changed.filter((p) => p.startsWith('splunk/')).length).toBe(4);
    expect(readFileSync(join(out, 'splunk', 'savedsearches.conf'), 'utf8')).toContain('renamed_event_id');
    // The same pipeline again: the state it left serves an edit.
    editPlain(1, (text) => text.replace('level: informational', 'level: low'));
    expect(await build({ filters: [] }, site)).toMatchObject({
      misses: 1,
      inPlace: true,
    });
  });
});

describe('patchRecord', () => {
  const hash = (c: string): string => c.repeat(64);
  const record = (sources: Record<string, string>, rules: Record<string, string>): OutputRecord => ({
    generator: 'rulec',
    format: 1,
    targets: Object.fromEntries(
      ['js', 'splunk'].map((id) => [
        id,
        {
          bundles: ['index'],
          rules: Object.fromEntries(Object.entries(rules).map(([file, source]) => [file, { source, files: [file] }])),
        },
      ]),
    ),
    sources,
  });
  const patched = (before: OutputRecord, changes: Parameters<typeof patchRecord>[1]): string | undefined =>
    ((patched) => patched && Buffer.concat(patched.parts).toString('utf8'))(
      patchRecord(Buffer.from(renderRecord(before)), changes),
    );

  it('gives what rendering the changed record gives: entries renamed, old text gone, new text in hash order', () => {
    const before = record(
      { [hash('2')]: 'two — ✓', [hash('5')]: 'five\n"quoted"', [hash('8')]: 'eight' },
      { '../r/a.yml': hash('2'), '../r/b.yml': hash('5'), '../r/c.yml': hash('8') },
    );
    // b's text changes to one that sorts first, then to one that sorts last.
    for (const [next, text] of [
      [hash('0'), 'zero'],
      [hash('9'), 'nine'],
    ] as const) {
      const after = record(
        { [hash('2')]: 'two — ✓', [next]: text, [hash('8')]: 'eight' },
        { '../r/a.yml': hash('2'), '../r/b.yml': next, '../r/c.yml': hash('8') },
      );
      expect(patched(before, [{ key: '../r/b.yml', before: hash('5'), after: next, text }])).toBe(renderRecord(after));
    }
  });

  it('keeps a text another file still has, and adds none a file already has; skips files without entries', () => {
    const before = record({ [hash('3')]: 'same' }, { '../r/a.yml': hash('3'), '../r/b.yml': hash('3') });
    const after = record(
      { [hash('3')]: 'same', [hash('7')]: 'new' },
      { '../r/a.yml': hash('7'), '../r/b.yml': hash('3') },
    );
    const changes = [
      { key: '../r/a.yml', before: hash('3'), after: hash('7'), text: 'new' },
      { key: '../r/refused-everywhere.yml', before: hash('4'), after: hash('6'), text: 'x' },
    ];
    expect(patched(before, changes)).toBe(renderRecord(after));
    // A change of files the record does not list leaves it as read, and says so.
    const bytes = Buffer.from(renderRecord(before));
    expect(patchRecord(bytes, changes.slice(1))).toEqual({ parts: [bytes], changed: false });
    const back = record({ [hash('3')]: 'same' }, { '../r/a.yml': hash('3'), '../r/b.yml': hash('3') });
    expect(patched(after, [{ key: '../r/a.yml', before: hash('7'), after: hash('3'), text: 'same' }])).toBe(
      renderRecord(back),
    );
  });

  it('refuses a record whose entry does not name the text it had', () => {
    const before = record({ [hash('3')]: 'a' }, { '../r/a.yml': hash('3') });
    expect(patched(before, [{ key: '../r/a.yml', before: hash('4'), after: hash('5'), text: 'b' }])).toBeUndefined();
  });
});

describe('splicing combined files', () => {
  it('finds a piece found exactly once, and refuses one found twice, nowhere, or empty', () => {
    const bytes = Buffer.from('head [a] [b] [c] tail');
    expect(onlyPlace(bytes, '[b]')).toBe(9);
    expect(onlyPlace(Buffer.from('[b] [b]'), '[b]')).toBeUndefined();
    expect(onlyPlace(bytes, '[d]')).toBeUndefined();
    expect(onlyPlace(bytes, '')).toBeUndefined();
  });

  it('reads back the key and the texts of a keyed fragment, whatever they hold', () => {
    const texts = ['', '["x",1]', 'a "quoted" \\ path]', '— ✓ 😀\n\r\u2028', '[', ''];
    for (const key of ['', 'k', 'a"b\\]c', '[x]', '😀']) {
      const fragment = keyedFragment(key, ...texts);
      expect(fragmentParts(fragment)).toEqual([key, ...texts]);
      expect(fragmentKey(fragment)).toBe(key);
    }
    expect(fragmentParts(keyedFragment('only'))).toEqual(['only']);
  });

  it('splices a keyed fragment whose key stays, and refuses one whose key (its place) changes', () => {
    const splice = spliceVerbatim('all.txt');
    const read = (): Buffer => Buffer.from('<[a][b]>{A}{B}');
    const text = (before: string, after: string): string | undefined => {
      const spliced = splice(read, before, after);
      return spliced && Buffer.concat(spliced[0]!.content).toString();
    };
    const before = keyedFragment('b', '[b]', '{B}');
    expect(text(before, keyedFragment('b', '[b2] — ✓', '{B2}'))).toBe('<[a][b2] — ✓>{A}{B2}');
    // Each piece is found in the file as read, whatever the other pieces become; an unchanged piece is not sought.
    expect(text(before, keyedFragment('b', '{B}', '{B3}'))).toBe('<[a]{B}>{A}{B3}');
    // Two pieces each found once, but overlapping: not printed one after the other.
    expect(text(keyedFragment('b', '[a][', '][b]'), keyedFragment('b', '(a)(', ')(b)'))).toBeUndefined();
    expect(text(before, keyedFragment('0', '[b2]', '{B2}'))).toBeUndefined();
  });
});

describe('updateTree', () => {
  const tree = (): string => join(dir, 'tree');
  const seed = (): void => {
    mkdirSync(join(tree(), 'a'), { recursive: true });
    writeFileSync(join(tree(), 'a', 'same.txt'), 'same\n');
    writeFileSync(join(tree(), 'a', 'old.txt'), 'old\n');
    writeFileSync(join(tree(), 'gone.txt'), 'gone\n');
  };
  const changes = {
    write: new Map([
      ['a/old.txt', 'new\n'],
      ['b/added.txt', 'added\n'],
    ]),
    remove: ['gone.txt'],
  };

  it('writes the changed files only: an unchanged file keeps its inode and mtime', () => {
    seed();
    const before = statSync(join(tree(), 'a', 'same.txt'), { bigint: true });
    updateTree(tree(), changes);
    const after = statSync(join(tree(), 'a', 'same.txt'), { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([before.ino, before.mtimeNs]);
    expect(snapshot(tree())).toEqual(
      new Map([
        ['a/old.txt', 'new\n'],
        ['a/same.txt', 'same\n'],
        ['b/added.txt', 'added\n'],
      ]),
    );
    expect(readdirSync(dir).filter((n) => n.startsWith('tree.'))).toEqual([]);
  });

  it('a write that fails while staging leaves the previous tree and no staging folder', () => {
    seed();
    const previous = snapshot(tree());
    const fail = (): never => {
      throw Object.assign(new Error('ENOSPC: no space left on device, open'), { code: 'ENOSPC', syscall: 'open' });
    };
    const writer = {
      mkdir: (path: string) => void mkdirSync(path, { recursive: true }),
      writeFile: fail,
      rename: fail,
    };
    expect(() => updateTree(tree(), changes, writer)).toThrow(WriteError);
    expect(snapshot(tree())).toEqual(previous);
    expect(readdirSync(dir).filter((n) => n.startsWith('tree.'))).toEqual([]);
  });

  it('a failure while applying the committed update puts the previous files back', () => {
    seed();
    const previous = snapshot(tree());
    let renames = 0;
    const writer = {
      mkdir: (path: string) => void mkdirSync(path, { recursive: true }),
      writeFile: (path: string, content: string) => writeFileSync(path, content),
      // The commit rename and the first file go through; the second file fails (say, a read-only folder).
      rename: (from: string, to: string) => {
        if (++renames > 2) throw Object.assign(new Error('EACCES: permission denied, rename'), { code: 'EACCES' });
        renameSync(from, to);
      },
    };
    expect(() => updateTree(tree(), changes, writer)).toThrow(WriteError);
    expect(snapshot(tree())).toEqual(previous);
    expect(existsSync(updateDir(tree()))).toBe(false);
  });

  it('an update committed by a build that was killed is completed by the next one', () => {
    seed();
    // The state a kill leaves in step 3: committed (<tree>.update holds the journal and what is left to move),
    // the first file already moved in, the rest not.
    const update = updateDir(tree());
    mkdirSync(join(update, 'new', 'b'), { recursive: true });
    writeFileSync(join(update, 'new', 'b', 'added.txt'), 'added\n');
    writeFileSync(join(tree(), 'a', 'old.txt'), 'new\n');
    writeFileSync(
      join(update, 'journal.json'),
      JSON.stringify({ write: [...changes.write.keys()], remove: ['gone.txt'] }),
    );
    recoverInterruptedUpdate(tree());
    expect(snapshot(tree())).toEqual(
      new Map([
        ['a/old.txt', 'new\n'],
        ['a/same.txt', 'same\n'],
        ['b/added.txt', 'added\n'],
      ]),
    );
    expect(existsSync(update)).toBe(false);
  });

  it('a staging folder never committed (no rename to <tree>.update) leaves the previous tree', () => {
    seed();
    const previous = snapshot(tree());
    mkdirSync(join(dir, 'tree.update'));
    // A committed update always has its journal; without one there is nothing to apply.
    recoverInterruptedUpdate(tree());
    expect(snapshot(tree())).toEqual(previous);
    expect(existsSync(updateDir(tree()))).toBe(false);
  });
});
