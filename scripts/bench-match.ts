/**
 * Matching throughput, measured in one process on one generated NDJSON file (scripts/gen-events.ts):
 *   ceiling   chunked read + line split + JSON.parse per line, nothing else
 *   reader    the event reader (src/match/read-events.ts) alone
 *   1 rule    reader + evtx normalisation + router with the seed rule
 *   N rules   the same with a synthetic rule set, and with the SigmaHQ corpus when ../shared is present; each run
 *             includes setup (compiling the predicates of rules some event reaches, witnesses, index buckets), and a
 *             second row ("matching only")
 *             times reading and matching with the router already built and warm
 * With the SigmaHQ corpus, three more measures for `rulec match --jobs` (issue 15, goals 5 and 6):
 *   workers   the corpus matched through the worker pool (src/cli/match-parallel.ts) as `rulec match --jobs N` runs
 *             it (N - 1 workers, and the main thread matching too), warm, with --jobs 1 (the main thread alone,
 *             reading and matching every block) and with --jobs N (default: the cores available): the N-thread /
 *             1-thread throughput ratio; then the same ratio measured by scripts/bench-jobs.ts, each setup in a child
 *             process of its own (as `rulec match` runs), the fair measure
 *   whole     the real CLI in a child process (`node bin/rulec.js match --rules <corpus> <file>`, default --jobs)
 *             over --whole-events events (200,000), against the matching-only throughput of the same round; the
 *             warm-up run fills the rule cache (src/match/rule-cache.ts), so the rounds read the rules from it, as
 *             every run after the first does
 * The "ceiling" row is not a reliable denominator once the corpus is loaded: this process then holds the corpus's
 * rules, routers and predicates (peak RSS over 1 GB), and JSON.parse of the same file runs slower than in a fresh
 * process (more GC work per event); ratios "of ceiling" are then understated, not the rules' fault. Goal 6 is a
 * ratio of two measures of this run instead, and goal 5a one of two pools.
 * Each figure is the median over --runs rounds, every round timing every measure in turn; a ratio to the ceiling is
 * taken within each round (the host is shared: a slow spell then slows both sides), then its median reported (goal
 * 5b also in CPU time, which waiting for a core on a loaded host does not stretch). Peak
 * RSS is sampled after each batch.
 * Correlations: the synthetic rule set plus two broad rules (every Sysmon process creation, every Security logon)
 * and three correlation rules over them (event_count, value_count, temporal, per computer and day: the generated
 * events spread over 30 days out of order, so windows open, close and fire throughout), run as `rulec match`
 * runs them (src/cli/match.ts: event time, normalising only when needed, Correlator.push); reported as events/s
 * and as a ratio to plain matching of the same rules with the same warm router, taken within each round.
 * Predicates come from the JS target through the registry (test/match/factory.ts), as in `rulec match`. The
 * host is shared: run twice and expect ±30 % between runs.
 *
 *   npx tsx scripts/bench-match.ts [--events 100000] [--runs 5] [--rules 3000] [--no-sigma] [--jobs N]
 *                                  [--whole-events 200000] [--no-whole] [--no-workers]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MatchPool, matchParallel } from '../src/cli/match-parallel.js';
import { StringDecoder } from 'node:string_decoder';
import * as b from '../src/ir/build.js';
import type { IrNode } from '../src/ir/nodes.js';
import { ANY_CHARS, literalPart, literalPattern, pattern } from '../src/ir/pattern.js';
import { Correlator, eventTime, valueOf } from '../src/correlation/correlator.js';
import type { ResolvedCorrelation } from '../src/correlation/resolve.js';
import { resolveReferences } from '../src/correlation/resolve.js';
import { readRuleFile } from '../src/frontend.js';
import type { BlockSetup } from '../src/match/block-matcher.js';
import { BlockMatcher } from '../src/match/block-matcher.js';
import { makeNormalizer, makeRouteView, normalizerTexts } from '../src/match/formats.js';
import { loadRules } from '../src/match/load-rules.js';
import { readEventBatches } from '../src/match/read-events.js';
import { lazyRules, prepareRules, RuleRouter } from '../src/match/router.js';
import type { Rule } from '../src/model/rule.js';
import { makeRule } from '../test/helpers/make-rule.js';
import { factory } from '../test/match/factory.js';
import { IMAGES, prng, writeEvents } from './gen-events.js';
import { numberFlag as flag } from './bench-flags.js';

/** How bin/rulec.js runs here: the compiled lib/ when built, else the TypeScript sources through tsx. */
const RULEC_MODE =
  existsSync(resolve(import.meta.dirname, '../lib/src/cli/main.js')) && process.env.RULEC_FROM_SOURCE !== '1'
    ? 'compiled lib/'
    : 'from sources through tsx';

const args = process.argv.slice(2);
const EVENTS = flag('--events', 100_000);
const RUNS = flag('--runs', 5);
const RULES = flag('--rules', 3000);
const SIGMA = resolve(import.meta.dirname, '../../shared/data/sigma/rules');
const useSigma = !args.includes('--no-sigma') && existsSync(SIGMA);
const JOBS = flag('--jobs', availableParallelism());
const WHOLE_EVENTS = flag('--whole-events', 200_000);
const useWorkers = useSigma && !args.includes('--no-workers');
const useWhole = useSigma && !args.includes('--no-whole');
/** As `rulec match` makes its routers for evtx/auto events (src/cli/match.ts). */
const ROUTER_OPTIONS = { rawText: normalizerTexts('auto') };
const REGISTRY = pathToFileURL(resolve(import.meta.dirname, '../backends/index.ts')).href;
const RULEC = resolve(import.meta.dirname, '../bin/rulec.js');

let peakRss = 0;
const sampleRss = (): void => {
  const rss = process.memoryUsage().rss;
  if (rss > peakRss) peakRss = rss;
};

/**
 * Each chunk is split as decoded, a flat string: only the line cut by a chunk boundary is joined. Prepending the
 * previous chunk's tail to every chunk (a 1 MiB cons string, sliced ~1,000 times) made this "ceiling" 1.3-1.6x
 * slower than the event reader itself (20,000 events, warm: 592-697 ms against 439-537 ms; now 332-480 ms).
 */
async function ceiling(file: string): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let n = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const text = decoder.write(chunk as Buffer);
    let eol = text.indexOf('\n');
    if (eol < 0) {
      rest += text;
      continue;
    }
    const first = rest + text.slice(0, eol);
    if (first.length > 0) {
      JSON.parse(first);
      n++;
    }
    let from = eol + 1;
    for (eol = text.indexOf('\n', from); eol >= 0; eol = text.indexOf('\n', from)) {
      if (eol > from) {
        JSON.parse(text.slice(from, eol));
        n++;
      }
      from = eol + 1;
    }
    rest = text.slice(from);
    sampleRss();
  }
  if (rest.trim()) {
    JSON.parse(rest);
    n++;
  }
  return n;
}

async function readerOnly(file: string): Promise<number> {
  let n = 0;
  for await (const batch of readEventBatches(file)) {
    n += batch.length;
    sampleRss();
  }
  return n;
}

interface MatchRun {
  events: number;
  matches: number;
  fraction: number;
}

/** As `rulec match` runs: predicates built when a rule is first a candidate (router.ts `lazyRules`). */
async function matchAll(file: string, rules: readonly Rule[]): Promise<MatchRun> {
  return matchWith(file, new RuleRouter(lazyRules(rules, factory), ROUTER_OPTIONS));
}

/** Reading and matching only: the router (predicates, index buckets) is already built and warm. */
async function matchWith(file: string, router: RuleRouter): Promise<MatchRun> {
  const normalize = makeNormalizer('auto');
  const view = makeRouteView('auto');
  let events = 0;
  let matches = 0;
  for await (const batch of readEventBatches(file)) {
    for (const record of batch)
      matches += router.matchRecord(record.event as Record<string, unknown>, normalize, view, record.text).length;
    events += batch.length;
    sampleRss();
  }
  return { events, matches, fraction: router.evaluatedFraction };
}

/** Two broad rules and three correlations over them, for the correlation row. */
const CORRELATION_RULES = `title: Any process creation
name: bench_process
logsource: {product: windows, category: process_creation}
detection: {selection: {Image|endswith: '.exe'}, condition: selection}
---
title: Any logon
name: bench_logon
logsource: {product: windows, service: security}
detection: {selection: {EventID: 4624}, condition: selection}
---
title: Burst of process creations
correlation: {type: event_count, rules: [bench_process], group-by: [Computer], timespan: 1d, condition: {gte: 5}}
---
title: Many images
correlation:
  type: value_count
  rules: [bench_process]
  group-by: [Computer]
  timespan: 1d
  condition: {field: Image, gte: 4}
---
title: Process and logon
correlation: {type: temporal, rules: [bench_process, bench_logon], group-by: [Computer], timespan: 1d}
`;

interface CorrelatedRun extends MatchRun {
  pushes: number;
  alerts: number;
}

/** Matching as above, and every match of a rule a correlation refers to fed to the correlator as `rulec match` does. */
async function matchCorrelated(
  file: string,
  router: RuleRouter,
  rules: readonly Rule[],
  correlations: readonly ResolvedCorrelation[],
): Promise<CorrelatedRun> {
  const normalize = makeNormalizer('auto');
  const view = makeRouteView('auto');
  const correlator = new Correlator(correlations);
  let events = 0;
  let matches = 0;
  let pushes = 0;
  let alerts = 0;
  for await (const batch of readEventBatches(file)) {
    for (const record of batch) {
      const event = record.event as Record<string, unknown>;
      const hits = router.matchRecord(event, normalize, view, record.text);
      matches += hits.length;
      for (const i of hits) {
        const rule = rules[i];
        if (!correlator.uses(rule)) continue;
        const raw = correlator.fieldsRead(rule).every((f) => valueOf(event, f) !== undefined);
        const timeRaw = eventTime(event);
        const normalized = raw && timeRaw !== undefined ? event : normalize(event);
        const time = timeRaw ?? eventTime(normalized);
        if (time === undefined) continue;
        pushes++;
        alerts += correlator.push(rule, time, normalized, event).length;
      }
    }
    events += batch.length;
    sampleRss();
  }
  alerts += correlator.finish().length;
  return { events, matches, fraction: router.evaluatedFraction, pushes, alerts };
}

/** The file matched through a warm worker pool, as `rulec match --jobs N` does (results counted, not written). */
async function matchPooled(file: string, pool: MatchPool, main: BlockMatcher): Promise<MatchRun> {
  let events = 0;
  let matches = 0;
  await matchParallel([file], {
    pool,
    main,
    mainMatches: true,
    read: () => ({}),
    emit: (_pre, result) => {
      events += result.events;
      matches += result.hits.length;
      sampleRss();
      return Promise.resolve(true);
    },
  });
  return { events, matches, fraction: 0 };
}

/**
 * `threads` matching (the main thread and `threads - 1` workers) with the rules loaded and warm (predicates and
 * buckets built by a first pass).
 */
async function warmPool(threads: number, rules: readonly Rule[], file: string): Promise<[MatchPool, BlockMatcher]> {
  const setup: BlockSetup = { format: 'auto', formatOptions: {}, routerOptions: ROUTER_OPTIONS, pointer: false };
  const pool = new MatchPool(threads - 1, { recipe: { registryModule: REGISTRY }, setup });
  pool.start();
  pool.rules(rules);
  const main = new BlockMatcher(lazyRules(rules, factory), setup);
  await matchPooled(file, pool, main);
  return [pool, main];
}

/**
 * Goal 5a measured as scripts/bench-jobs.ts measures it: --jobs 1 and --jobs N each in a child process of its own,
 * holding only what `rulec match` holds. Measured here, the main thread's share of the blocks ran in a heap that
 * also held the two other rule sets, their routers and the correlation rows (over 1 GB): its collections took the
 * core its worker needed, an unfair handicap `rulec match` does not have.
 */
function jobsApart(): string {
  const script = resolve(import.meta.dirname, 'bench-jobs.ts');
  const flags = ['--events', String(EVENTS), '--runs', String(RUNS), '--jobs', String(JOBS), '--no-before'];
  const run = spawnSync(process.execPath, [...process.execArgv, script, ...flags], { encoding: 'utf8' });
  const lines = run.stdout.split('\n').filter((l) => l.startsWith('goal 5a'));
  return lines.length > 0 ? lines.join('\n  ') : `bench-jobs failed: ${run.stderr.slice(-500)}`;
}

/** The real CLI over `file`, whole process (start, rule loading, reading, matching, writing to /dev/null). */
function wholeProcess(file: string, events: number): Promise<number> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [RULEC, 'match', '--rules', SIGMA, '-o', '/dev/null', file], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', () => {
      const read = /^(\d+) events,/m.exec(stderr);
      if (Number(read?.[1]) !== events) fail(new Error(`rulec match read ${read?.[1]} events: ${stderr.slice(-500)}`));
      else done(events);
    });
  });
}

const eq = (field: string, text: string): IrNode => b.stringMatch(field, literalPattern(text));
const contains = (field: string, text: string): IrNode =>
  b.stringMatch(field, pattern([ANY_CHARS, literalPart(text), ANY_CHARS]));
const endsWith = (field: string, text: string): IrNode => b.stringMatch(field, pattern([ANY_CHARS, literalPart(text)]));

/**
 * A synthetic rule set shaped like SigmaHQ's Windows rules: most test an image name (`endswith '\x.exe'`) plus
 * command-line fragments, some only fragments or registry paths (no witness: evaluated on every routed event),
 * and some O365 operations and Security logons (exact witnesses).
 */
function syntheticRules(count: number): Rule[] {
  const rand = prng(42);
  const names = IMAGES.map((i) => i.slice(i.lastIndexOf('\\')));
  const rules: Rule[] = [];
  const proc = { product: 'windows', category: 'process_creation' };
  for (let i = 0; i < count; i++) {
    const r = rand();
    const tool = rand() < 0.1 ? names[i % names.length]! : `\\tool${i}.exe`;
    let detection: IrNode;
    let logsource: Record<string, string> = proc;
    if (r < 0.45)
      detection = b.and([
        endsWith('Image', tool),
        b.or([contains('CommandLine', ` -x${i}`), contains('CommandLine', `/c ${i}`)]),
      ]);
    else if (r < 0.55)
      detection = b.and([contains('CommandLine', `payload${i}`), b.not(endsWith('ParentImage', '\\explorer.exe'))]);
    else if (r < 0.65) {
      logsource = { product: 'windows', category: 'registry_set' };
      detection = b.and([contains('TargetObject', `\\Key${i}\\`), eq('Details', 'DWORD (0x00000001)')]);
    } else if (r < 0.75) {
      logsource = { product: 'windows', category: 'network_connection' };
      detection = b.and([endsWith('Image', tool), b.numberMatch('DestinationPort', 4000 + (i % 100))]);
    } else if (r < 0.85) {
      logsource = { product: 'windows', category: 'image_load' };
      detection = b.and([
        endsWith('ImageLoaded', `\\lib${i}.dll`),
        b.not(b.stringMatch('Image', pattern([literalPart('C:\\Windows\\'), ANY_CHARS]))),
      ]);
    } else if (r < 0.93) {
      logsource = { product: 'm365', service: 'audit' };
      detection = b.and([eq('Operation', `Op-${i}`), eq('ResultStatus', 'True')]);
    } else {
      logsource = { product: 'windows', service: 'security' };
      detection = b.and([b.numberMatch('EventID', 4624), eq('TargetUserName', `user${i}`)]);
    }
    rules.push(
      makeRule(detection, {
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        title: `synthetic ${i}`,
        logsource,
      }),
    );
  }
  return rules;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measure {
  readonly label: string;
  readonly fn: () => Promise<unknown>;
  readonly times: number[];
  /** CPU time of the process over each round's run (all its threads), seconds. */
  readonly cpu: number[];
  last?: unknown;
}

const dir = mkdtempSync(join(tmpdir(), 'rulec-bench-'));
const file = join(dir, 'events.ndjson');
try {
  await writeEvents(EVENTS, 1, file);
  const bytes = statSync(file).size;
  console.log(
    `input: ${EVENTS} events, ${(bytes / 1e6).toFixed(1)} MB (${Math.round(bytes / EVENTS)} B/event); ${RUNS} rounds, medians`,
  );
  const seed = loadRules([resolve(import.meta.dirname, '../rules/m365/o365_mailbox_audit_logging_bypass.yml')]).rules;
  const sets: [string, Rule[]][] = [
    ['1 rule (seed)', seed],
    [`${RULES} synthetic rules`, syntheticRules(RULES)],
  ];
  if (useSigma) {
    const corpus = loadRules([SIGMA]).rules;
    sets.push([`SigmaHQ rules/ (${corpus.length} loaded)`, corpus]);
  }
  const measure = (label: string, fn: () => Promise<unknown>): Measure => ({ label, fn, times: [], cpu: [] });
  const base = measure('ceiling', () => ceiling(file));
  const measures: Measure[] = [base, measure('reader', () => readerOnly(file))];
  const corpusRules = sets[2]?.[1];
  const pools: MatchPool[] = [];
  let one: Measure | undefined;
  let many: Measure | undefined;
  if (useWorkers && corpusRules) {
    const [pool1, main1] = await warmPool(1, corpusRules, file);
    const [poolN, mainN] = await warmPool(JOBS, corpusRules, file);
    pools.push(pool1, poolN);
    one = measure('corpus, --jobs 1: main thread alone (warm)', () => matchPooled(file, pool1, main1));
    const workers = `${JOBS - 1} worker${JOBS === 2 ? '' : 's'}`;
    many = measure(`corpus, --jobs ${JOBS}: main thread and ${workers} (warm)`, () => matchPooled(file, poolN, mainN));
  }
  let whole: Measure | undefined;
  const wholeFile = join(dir, 'whole.ndjson');
  if (useWhole) {
    await writeEvents(WHOLE_EVENTS, 2, wholeFile);
    whole = measure(`rulec match, whole process, ${WHOLE_EVENTS} events`, () => wholeProcess(wholeFile, WHOLE_EVENTS));
  }
  const described = sets.map(([label, rules]) => {
    const prepared = prepareRules(rules, factory);
    const router = new RuleRouter(prepared.rules, ROUTER_OPTIONS);
    const { indexed } = router.witnessSummary();
    const run = measure(label, () => matchAll(file, rules));
    // The same without setup (building predicates, finding witnesses, building buckets), which the row above
    // pays once per run: the steady rate a long input sees.
    const warm = measure(`${label}, warm`, () => matchWith(file, router));
    measures.push(run, warm);
    return { label, evaluable: prepared.rules.length, indexed, run, warm };
  });
  // Correlations: the synthetic set plus the broad rules, plain and with the correlator, both with a warm router.
  const read = readRuleFile('bench-correlations.yml', CORRELATION_RULES);
  const correlatedRules = [...syntheticRules(RULES), ...read.rules];
  const resolution = resolveReferences(correlatedRules, read.correlations, read.filters);
  if (
    resolution.diagnostics.some((d) => d.severity === 'error') ||
    read.diagnostics.some((d) => d.severity === 'error')
  )
    throw new Error(
      `bench correlations do not load: ${JSON.stringify([...read.diagnostics, ...resolution.diagnostics])}`,
    );
  const correlatedRouter = new RuleRouter(prepareRules(correlatedRules, factory).rules, ROUTER_OPTIONS);
  const plain = measure(`${RULES} synthetic + 2 broad rules, warm`, () => matchWith(file, correlatedRouter));
  const correlated = measure('  the same with 3 correlation rules', () =>
    matchCorrelated(file, correlatedRouter, correlatedRules, resolution.correlations),
  );
  measures.push(plain, correlated);
  if (one && many) measures.push(one, many);
  if (whole) measures.push(whole);
  // Rounds interleave every measure, so a slow spell of the shared host hits a round's ceiling and rule sets
  // alike: each ratio to the ceiling is taken within a round, then the median over rounds is reported.
  for (const m of measures) await m.fn(); // warm-up
  for (let round = 0; round < RUNS; round++) {
    for (const m of measures) {
      const t = performance.now();
      const c = process.cpuUsage();
      m.last = await m.fn();
      m.times.push((performance.now() - t) / 1000);
      const used = process.cpuUsage(c);
      m.cpu.push((used.user + used.system) / 1e6);
    }
  }
  for (const m of measures) process.stderr.write(`  ${m.label}: ${m.times.map((t) => t.toFixed(3)).join(' ')} s\n`);
  const rate = (m: Measure): string => fmt(EVENTS / median(m.times));
  const ofCeiling = (m: Measure): string => pct(median(m.times.map((t, i) => base.times[i]! / t)));
  const rows: string[][] = [['JSON.parse ceiling', rate(base), '100 %', '', '']];
  rows.push(['event reader only', rate(measures[1]!), ofCeiling(measures[1]!), '', '']);
  for (const { label, evaluable, indexed, run, warm } of described) {
    const last = run.last as MatchRun;
    rows.push([
      `${label}: ${evaluable} evaluable, ${indexed} indexed`,
      rate(run),
      ofCeiling(run),
      `${last.matches}`,
      `${(last.fraction * 100).toFixed(2)} % (${(last.fraction * evaluable).toFixed(1)} rules)`,
    ]);
    rows.push(['  matching only (router built and warm)', rate(warm), ofCeiling(warm), '', '']);
  }
  const lastPlain = plain.last as MatchRun;
  const lastCorrelated = correlated.last as CorrelatedRun;
  rows.push([plain.label, rate(plain), ofCeiling(plain), `${lastPlain.matches}`, '']);
  rows.push([
    `${correlated.label}: ${lastCorrelated.pushes} correlated matches, ${lastCorrelated.alerts} alerts`,
    rate(correlated),
    ofCeiling(correlated),
    `${lastCorrelated.matches}`,
    '',
  ]);
  const header = ['run', 'events/s', 'of ceiling', 'matches', 'rules evaluated per event'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join('  '));
  // Within each round, as for the ceiling ratios.
  const ratio = median(correlated.times.map((t, i) => plain.times[i]! / t));
  console.log(`correlation throughput: ${pct(ratio)} of plain matching (same rules, same run, median of rounds)`);
  console.log(`peak RSS: ${(peakRss / 1e6).toFixed(0)} MB (input file ${(bytes / 1e6).toFixed(0)} MB)`);
  // Issue 15's goals, each a ratio within a round (median over rounds).
  const corpus = described[2];
  const perRound = (f: (round: number) => number): number => median(Array.from({ length: RUNS }, (_, r) => f(r)));
  if (corpus) {
    const ofBase = (m: Measure) => perRound((r) => base.times[r]! / m.times[r]!);
    // The same ratios in CPU time: on a shared host, time spent waiting for a core stretches the wall times of
    // one measure and not another, where the CPU each needed does not change with the load.
    const cpuOfBase = (m: Measure) => perRound((r) => base.cpu[r]! / m.cpu[r]!);
    console.log(
      `goal 5b, corpus on one core: ${pct(ofBase(corpus.run))} of the JSON.parse ceiling end to end, ` +
        `${pct(ofBase(corpus.warm))} matching only (goal >= 45 %); in CPU time ${pct(cpuOfBase(corpus.run))} ` +
        `and ${pct(cpuOfBase(corpus.warm))} (load average ${loadavg()[0]!.toFixed(1)})`,
    );
  }
  for (const m of pools) await m.close();
  if (one && many) {
    console.log(
      `goal 5a, --jobs, in this process (old figure, kept one session beside the new one): ${JOBS} threads ` +
        `${rate(many)} events/s (${median(many.times).toFixed(2)} s), ` +
        `1 thread ${rate(one)} events/s (${median(one.times).toFixed(2)} s): ` +
        `${perRound((r) => one.times[r]! / many.times[r]!).toFixed(2)}x (goal >= 1.8x on 2 cores; ` +
        `${availableParallelism()} available, load average ${loadavg()[0]!.toFixed(1)})`,
    );
    console.log(`goal 5a, --jobs, each setup in a process of its own (bench-jobs.ts):\n  ${jobsApart()}`);
  }
  if (whole && corpus) {
    const wholeRate = perRound((r) => WHOLE_EVENTS / whole.times[r]!);
    const ratio = perRound((r) => WHOLE_EVENTS / whole.times[r]! / (EVENTS / corpus.warm.times[r]!));
    console.log(
      `goal 6, whole process: ${fmt(wholeRate)} events/s over ${WHOLE_EVENTS} events (${RULEC_MODE}), ` +
        `${pct(ratio)} of matching only on one thread (goal >= 80 %; rule cache warm)`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
function pct(x: number): string {
  return `${(x * 100).toFixed(0)} %`;
}
