/**
 * `rulec match --jobs` throughput (issue 15, goal 5a) in a process that holds only what `rulec match` holds: the
 * SigmaHQ corpus and the matchers. bench-match.ts measures it too, but its process also holds two other rule sets,
 * their routers and the correlation rows (peak RSS over 1 GB): now that the main thread matches blocks too, its
 * share runs in that heap, whose collections then take the core its worker needs (there --jobs 2 came out at
 * 0.84-0.94x of one thread in two runs at load average 4, here 1.17x and 1.54x in two runs at load average 3-4).
 *
 * Each round times, warm, on one generated NDJSON file (scripts/gen-events.ts) through src/cli/match-parallel.ts:
 *   --jobs 1     the main thread alone reading and matching every block
 *   --jobs N     the main thread and N - 1 workers, as `rulec match --jobs N` runs (default N: the cores available)
 *   N workers    N workers and the main thread only reading (how --jobs N ran before the main thread matched)
 * and prints medians, the per-round ratios and, on Linux, each thread's CPU time (/proc/self/task), which says how
 * much of a slow round was other processes of a shared host.
 *
 *   npx tsx scripts/bench-jobs.ts [--events 100000] [--runs 5] [--jobs N]
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParallelStats } from '../src/cli/match-parallel.js';
import { emptyStats, MatchPool, matchParallel } from '../src/cli/match-parallel.js';
import type { BlockSetup } from '../src/match/block-matcher.js';
import { BlockMatcher } from '../src/match/block-matcher.js';
import { normalizerTexts } from '../src/match/formats.js';
import { loadRules } from '../src/match/load-rules.js';
import { lazyRules } from '../src/match/router.js';
import type { Rule } from '../src/model/rule.js';
import { factory } from '../test/match/factory.js';
import { writeEvents } from './gen-events.js';
import { numberFlag as flag } from './bench-flags.js';

const EVENTS = flag('--events', 100_000);
const RUNS = flag('--runs', 5);
const JOBS = flag('--jobs', availableParallelism());
const SIGMA = resolve(import.meta.dirname, '../../shared/data/sigma/rules');
const REGISTRY = pathToFileURL(resolve(import.meta.dirname, '../backends/index.ts')).href;
/** As `rulec match` sets up matching of evtx/auto events (src/cli/match.ts). */
const SETUP: BlockSetup = {
  format: 'auto',
  formatOptions: {},
  routerOptions: { rawText: normalizerTexts('auto') },
  pointer: false,
};

/** CPU milliseconds of each thread of this process, by thread id (empty where /proc is missing). */
function threadCpu(): Map<string, number> {
  const out = new Map<string, number>();
  if (!existsSync('/proc/self/task')) return out;
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks (100 per second on Linux); keyed by thread name too (V8 helpers: GC).
      const name =
        tid === String(process.pid) ? 'main' : `${readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()}:${tid}`;
      out.set(name, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      // A thread that ended meanwhile.
    }
  }
  return out;
}

interface Setup {
  readonly label: string;
  readonly pool: MatchPool;
  readonly main: BlockMatcher;
  readonly mainMatches: boolean;
  readonly times: number[];
  readonly cpu: string[];
  /** Per round: where the main thread's and the workers' wall time went. */
  readonly spent: string[];
}

async function pass(file: string, s: Setup, stats?: ParallelStats): Promise<number> {
  let events = 0;
  await matchParallel([file], {
    pool: s.pool,
    main: s.main,
    mainMatches: s.mainMatches,
    ...(stats ? { stats } : {}),
    read: () => ({}),
    emit: (_pre, result) => {
      events += result.events;
      return Promise.resolve(true);
    },
  });
  return events;
}

/** A pool of `workers` with the rules loaded, warmed by a first pass (predicates and buckets built). */
async function setUp(label: string, workers: number, mainMatches: boolean, rules: readonly Rule[], file: string) {
  const pool = new MatchPool(workers, { recipe: { registryModule: REGISTRY }, setup: SETUP });
  pool.start();
  pool.rules(rules);
  const s: Setup = {
    label,
    pool,
    main: new BlockMatcher(lazyRules(rules, factory), SETUP),
    mainMatches,
    times: [],
    cpu: [],
    spent: [],
  };
  await pass(file, s);
  return s;
}

/** The main thread's wall time by activity and each worker's busy and idle time, in ms. */
function spent(wall: number, stats: ParallelStats, busy: readonly number[], before: readonly number[]): string {
  const ms = (x: number): string => x.toFixed(0);
  const rest = wall - stats.mainMatch - stats.waitResult - stats.waitRead - stats.emit;
  const main =
    `main: match ${ms(stats.mainMatch)} (${stats.mainBlocks} blocks), wait result ${ms(stats.waitResult)}, ` +
    `wait read ${ms(stats.waitRead)}, emit ${ms(stats.emit)}, rest ${ms(rest)}`;
  const each = busy.map((b, i) => `worker ${i}: busy ${ms(b - before[i]!)}, idle ${ms(wall - b + before[i]!)}`);
  return [main, ...each].join('; ') + ` (${stats.workerBlocks} blocks to workers)`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (!existsSync(SIGMA)) {
  console.log(`skipped: ${SIGMA} is missing (the shared reference data)`);
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'rulec-bench-jobs-'));
const file = join(dir, 'events.ndjson');
try {
  await writeEvents(EVENTS, 1, file);
  const rules = loadRules([SIGMA]).rules;
  const setups = [
    await setUp('--jobs 1 (main thread alone)', 0, true, rules, file),
    await setUp(
      `--jobs ${JOBS} (main thread and ${JOBS - 1} worker${JOBS === 2 ? '' : 's'})`,
      JOBS - 1,
      true,
      rules,
      file,
    ),
    await setUp(`${JOBS} workers, main thread reading (before)`, JOBS, false, rules, file),
  ];
  const [one, many, before] = setups as [Setup, Setup, Setup];
  for (let round = 0; round < RUNS; round++) {
    for (const s of setups) {
      const cpu0 = threadCpu();
      const stats = emptyStats();
      const busy0 = [...s.pool.busy];
      const t = performance.now();
      const events = await pass(file, s, stats);
      const wall = performance.now() - t;
      s.times.push(wall / 1000);
      s.spent.push(spent(wall, stats, s.pool.busy, busy0));
      if (events !== EVENTS) throw new Error(`${s.label}: ${events} events, not ${EVENTS}`);
      const used = [...threadCpu()]
        .map(([tid, ms]) => [tid, ms - (cpu0.get(tid) ?? 0)] as const)
        .filter(([, ms]) => ms >= 50)
        .sort((a, b) => b[1] - a[1])
        .map(([tid, ms]) => `${tid} ${ms}`);
      s.cpu.push(used.join(', '));
    }
  }
  console.log(`input: ${EVENTS} events, SigmaHQ corpus (${rules.length} rules); ${RUNS} rounds, medians`);
  for (const s of setups) {
    console.log(`${s.label}: ${Math.round(EVENTS / median(s.times)).toLocaleString('en-US')} events/s`);
    console.log(`  wall ${s.times.map((t) => t.toFixed(3)).join(' ')} s; CPU ms per thread: ${s.cpu.join(' | ')}`);
    console.log(`  wall ms spent: ${s.spent.join(' | ')}`);
  }
  const ratio = (a: Setup, b: Setup): number => median(a.times.map((t, r) => t / b.times[r]!));
  console.log(
    `goal 5a: --jobs ${JOBS} ${ratio(one, many).toFixed(2)}x --jobs 1 (goal >= 1.8x on 2 cores), ` +
      `${ratio(before, many).toFixed(2)}x ${before.label}; load average ${loadavg()[0]!.toFixed(1)}`,
  );
  for (const s of setups) await s.pool.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
