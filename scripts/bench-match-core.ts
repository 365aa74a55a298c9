/**
 * The matcher core alone, on one thread (issue 15, goal 5: the whole corpus at >= 45 % of the JSON.parse ceiling).
 * The event lines are held in memory, so reading, splitting and writing cost nothing here; each round times
 *   ceiling   JSON.parse of every line, nothing else
 *   core      JSON.parse + route + normalise + evaluate of every line with the SigmaHQ corpus router, built and warm
 * over the same lines, interleaved, and reports the median events/s of each, the core's ratio to the ceiling (taken
 * within each round: the host is shared), the matches and the rules evaluated per event. The ratio is also given in
 * CPU time of the process (`process.cpuUsage`), steadier than wall time when other processes share the cores. Both measures run in the
 * same process with the corpus loaded, so heap size and GC load are alike on both sides (scripts/bench-match.ts
 * times its ceiling before the corpus is loaded in some rounds, which skews its ratio).
 * Inputs: generated events (scripts/gen-events.ts, the shape bench-match.ts uses) and the SigmaHQ regression
 * events (../shared/data/sigma/regression_data, evtx JSON, one record per file, each put on one line).
 *
 *   npx tsx scripts/bench-match-core.ts [--events 50000] [--runs 3] [--regression-repeat 20]
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeNormalizer, makeRouteView, normalizerTexts } from '../src/match/formats.js';
import { loadRules } from '../src/match/load-rules.js';
import { readEvents } from '../src/match/read-events.js';
import { prepareRules, RuleRouter } from '../src/match/router.js';
import { factory } from '../test/match/factory.js';
import { generateEvents } from './gen-events.js';
import { numberFlag as flag } from './bench-flags.js';

const EVENTS = flag('--events', 50_000);
const RUNS = flag('--runs', 3);
const REPEAT = flag('--regression-repeat', 20);
const DATA = resolve(import.meta.dirname, '../../shared/data/sigma');
if (!existsSync(join(DATA, 'rules'))) throw new Error(`the SigmaHQ corpus is not at ${DATA}/rules`);

/** Every record of the regression files (pretty-printed, one or several per file), read as `rulec match` reads. */
async function regressionLines(dir: string): Promise<string[]> {
  const out: string[] = [];
  const files = readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of files) for await (const { event } of readEvents(file)) out.push(JSON.stringify(event));
  return out;
}

const generated = Array.from(generateEvents(EVENTS, 1), (e) => JSON.stringify(e));
const regression = await regressionLines(join(DATA, 'regression_data'));
const inputs: [string, string[]][] = [
  [`${EVENTS} generated events`, generated],
  [`${regression.length} regression events x${REPEAT}`, Array.from({ length: REPEAT }, () => regression).flat()],
];

const loaded = loadRules([join(DATA, 'rules')]);
const prepared = prepareRules(loaded.rules, factory);
const normalize = makeNormalizer('auto');
const view = makeRouteView('auto');

function ceiling(lines: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < lines.length; i++) if (JSON.parse(lines[i]!) !== null) n++;
  return n;
}

interface CoreRun {
  matches: number;
  evaluated: number;
  events: number;
}

function core(router: RuleRouter, lines: readonly string[]): CoreRun {
  const evaluated = router.evaluated;
  const events = router.events;
  let matches = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    matches += router.matchRecord(JSON.parse(line) as Record<string, unknown>, normalize, view, line).length;
  }
  return { matches, evaluated: router.evaluated - evaluated, events: router.events - events };
}

/** CPU time of this process since `since`, in milliseconds. */
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const median = (values: readonly number[]): number => [...values].sort((x, y) => x - y)[values.length >> 1]!;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(
  `${prepared.rules.length} rules evaluable (${loaded.rules.length} loaded, ${prepared.skipped.length} refused); ` +
    `${RUNS} rounds, medians`,
);
for (const [label, lines] of inputs) {
  const router = new RuleRouter(prepared.rules, { rawText: normalizerTexts('auto') });
  // Warm-up: buckets built, predicates and both loops optimised.
  ceiling(lines);
  let last = core(router, lines);
  const base: number[] = [];
  const times: number[] = [];
  const baseCpu: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < RUNS; round++) {
    let t = performance.now();
    let c = process.cpuUsage();
    ceiling(lines);
    base.push(performance.now() - t);
    baseCpu.push(cpuMs(c));
    t = performance.now();
    c = process.cpuUsage();
    last = core(router, lines);
    times.push(performance.now() - t);
    cpu.push(cpuMs(c));
  }
  const ratio = median(times.map((t, i) => base[i]! / t));
  const cpuRatio = median(cpu.map((t, i) => baseCpu[i]! / t));
  console.log(
    `${label}: ceiling ${fmt((lines.length / median(base)) * 1000)} events/s, ` +
      `core ${fmt((lines.length / median(times)) * 1000)} events/s = ${(ratio * 100).toFixed(1)} % of the ceiling ` +
      `(${(cpuRatio * 100).toFixed(1)} % in CPU time); ` +
      `${last.matches} matches, ${(last.evaluated / last.events).toFixed(2)} rules evaluated per event`,
  );
  process.stderr.write(
    `  ceiling ${base.map((t) => t.toFixed(0)).join(' ')} ms, core ${times.map((t) => t.toFixed(0)).join(' ')} ms\n`,
  );
}
