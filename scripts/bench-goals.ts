/**
 * The goals of issue 15 that are whole processes, each a ratio measured in this run (`npm run bench`):
 *   floor      read + parse every corpus file with the YAML reader rulec locates rules with (scripts/bench-floor.mjs)
 *   compile    `rulec compile --target splunk <corpus>`                        goal 1: ≤ 1.3 × floor
 *   build      `rulec build --no-cache <corpus>`, 4 targets, files written      goal 1: ≤ 2 × floor; goal 2: ≤ 120 MB
 *   start-up   `rulec compile --target elastic <seed rule>` against `node -e 0` goal 3: ≤ 3 ×
 *   incremental `rulec build` of a copy of the corpus after one rule changed, cache on (built once before the
 *              rounds, untimed), against the cold build of the same round      goal 4: ≤ 5 %
 * Every round runs every command once, in turn (the host is shared: a slow spell slows all of them); figures are the
 * medians over the rounds, and each ratio is the ratio of medians. Peak RSS comes from the child itself
 * (scripts/max-rss.mjs, process.resourceUsage), not from a V8 flag. rulec runs as `bin/rulec.js` does: from lib/
 * when it is built (`npm run build:ts`), else from the sources through tsx, which is slower to start.
 *
 *   npx tsx scripts/bench-goals.ts [corpus] [--rounds 5] [--startup-runs 10]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const corpus = resolve(
  args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? '../shared/data/sigma/rules',
);
const rounds = option('--rounds', Number(process.env.BENCH_RUNS ?? 3));
const startupRuns = option('--startup-runs', 10);
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'rulec.js');
const seed = join(root, 'rules', 'm365', 'o365_mailbox_audit_logging_bypass.yml');

if (!existsSync(corpus)) {
  console.log(`bench-goals: no corpus at ${corpus}; skipped (pass a folder of Sigma rules)`);
  process.exit(0);
}
if (!existsSync(join(root, 'lib', 'src', 'cli', 'main.js')))
  console.log('note: lib/ is not built; rulec runs from the sources through tsx (run `npm run build:ts` first)');

const work = mkdtempSync(join(tmpdir(), 'rulec-bench-'));
// Goal 4 builds a copy of the corpus (one of its rules is edited each round) into a folder of its own.
const copy = join(work, 'corpus');
const incrementalOut = join(work, 'incremental');
const rssFile = join(work, 'rss');

interface Run {
  readonly ms: number;
  readonly rss: number;
}

function run(argv: readonly string[]): Run {
  rmSync(rssFile, { force: true });
  const t0 = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--import', pathToFileURL(join(root, 'scripts', 'max-rss.mjs')).href, ...argv],
    {
      cwd: root,
      env: { ...process.env, RULEC_BENCH_RSS: rssFile },
      stdio: ['ignore', 'ignore', 'ignore'],
      maxBuffer: 0,
    },
  );
  const ms = performance.now() - t0;
  if (child.error) throw child.error;
  const rss = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  return { ms, rss };
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const out = join(work, 'out');
const heavy: Record<string, readonly string[]> = {
  floor: [join(root, 'scripts', 'bench-floor.mjs'), corpus],
  compile: [bin, 'compile', '--target', 'splunk', corpus],
  build: [bin, 'build', corpus, '--no-cache', '--allow-refusals', '--allow-errors', '--quiet', '--out', out],
};
const light: Record<string, readonly string[]> = {
  node: ['-e', '0'],
  startup: [bin, 'compile', '--target', 'elastic', seed],
};
const times: Record<string, number[]> = {};
const rss: Record<string, number[]> = {};
const record = (name: string, r: Run): void => {
  (times[name] ??= []).push(r.ms);
  (rss[name] ??= []).push(r.rss);
};
/** A one-line plain description: text appended to it keeps the YAML valid and changes every target's output. */
const PLAIN_DESCRIPTION = /^description: [^|>'"\n][^\n]*$/m;
/** The first rule file of the copy with one, by name: the one each round edits. */
function firstRule(dir: string): string {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      const found = firstRule(full);
      if (found) return found;
    } else if (/\.ya?ml$/.test(name) && PLAIN_DESCRIPTION.test(readFileSync(full, 'utf8'))) return full;
  }
  return '';
}
const incremental = [bin, 'build', copy, '--allow-refusals', '--allow-errors', '--quiet', '--out', incrementalOut];
try {
  cpSync(corpus, copy, { recursive: true });
  const edited = firstRule(copy);
  const original = readFileSync(edited, 'utf8');
  // Untimed: fills the result cache, as the build before an edit does.
  run(incremental);
  for (let i = 0; i < rounds; i++) {
    for (const [name, argv] of Object.entries(heavy)) {
      rmSync(out, { recursive: true, force: true });
      record(name, run(argv));
    }
    writeFileSync(
      edited,
      original.replace(PLAIN_DESCRIPTION, (line) => `${line} (edit ${i + 1})`),
    );
    record('incremental', run(incremental));
  }
  for (let i = 0; i < startupRuns; i++) for (const [name, argv] of Object.entries(light)) record(name, run(argv));
} finally {
  rmSync(work, { recursive: true, force: true });
  // The result cache of the incremental folder (about 100 MB for the corpus), its tree manifest and its
  // incremental state go with it.
  const { resultCacheFile } = await import('../src/build/result-cache.js');
  const pack = resultCacheFile(incrementalOut);
  for (const file of [pack, pack.replace(/\.bin$/, '.delta.bin')]) rmSync(file, { force: true });
  const { dropManifest } = await import('../src/build/tree-manifest.js');
  dropManifest(incrementalOut);
  const { incrementalFiles } = await import('../src/build/incremental.js');
  for (const file of incrementalFiles(incrementalOut)) rmSync(file, { force: true });
}

const m = (name: string): number => median(times[name]!);
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const row = (label: string, value: string, ratio: string, goal: string, met: boolean): void =>
  console.log(
    `${label.padEnd(44)}${value.padStart(10)}  ${ratio.padStart(8)}  ${goal.padEnd(9)} ${met ? 'met' : 'NOT met'}`,
  );
console.log(
  `goals of issue 15 — ${corpus}; medians of ${rounds} rounds (start-up: ${startupRuns}); Node ${process.version}`,
);
console.log(`${'floor: read + yaml parse, whole process'.padEnd(44)}${`${m('floor').toFixed(0)} ms`.padStart(10)}`);
const compileRatio = m('compile') / m('floor');
row(
  '1. compile --target splunk (whole process)',
  `${m('compile').toFixed(0)} ms`,
  `×${compileRatio.toFixed(2)}`,
  '≤ ×1.3',
  compileRatio <= 1.3,
);
const buildRatio = m('build') / m('floor');
row(
  '1. build --no-cache, 4 targets, written',
  `${m('build').toFixed(0)} ms`,
  `×${buildRatio.toFixed(2)}`,
  '≤ ×2',
  buildRatio <= 2,
);
const peak = median(rss['build']!);
row('2. peak RSS of that build', mib(peak), '', '≤ 120 MB', peak <= 120 * 1e6);
const startRatio = m('startup') / m('node');
row(
  `3. start-up: seed compile vs node -e 0 (${m('node').toFixed(0)} ms)`,
  `${m('startup').toFixed(0)} ms`,
  `×${startRatio.toFixed(2)}`,
  '≤ ×3',
  startRatio <= 3,
);
const incrementalRatio = m('incremental') / m('build');
row(
  '4. incremental build, one rule edited',
  `${m('incremental').toFixed(0)} ms`,
  `${(incrementalRatio * 100).toFixed(1)} %`,
  '≤ 5 %',
  incrementalRatio <= 0.05,
);
console.log(`   (peak RSS: compile ${mib(median(rss['compile']!))}, floor ${mib(median(rss['floor']!))})`);
