/**
 * Compile benchmark (`npm run bench`): the SigmaHQ corpus to each target and to all four, in one process.
 * Prints rules/s per target, whole-run time and peak memory, each the median of several runs, with a
 * YAML-parse-only baseline measured in the same run so figures compare across machines as ratios.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { BACKENDS } from '../backends/index.js';
import { buildTargets } from '../src/build/build.js';
import { loadTargets } from '../src/cli/targets.js';
import { collectRuleFiles, readRuleFile } from '../src/frontend.js';
import type { Rule } from '../src/model/rule.js';

const corpus = process.argv[2] ?? '../shared/data/sigma/rules';
const runs = Number(process.env.BENCH_RUNS ?? 5);

const files = collectRuleFiles([corpus]).map((f) => ({ file: f, content: readFileSync(f) }));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
let peakRss = process.memoryUsage().rss;
const sample = (): void => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
};
const timer = setInterval(sample, 20);

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  sample();
  return performance.now() - t0;
}

function frontEnd(): Rule[] {
  const rules: Rule[] = [];
  for (const { file, content } of files) rules.push(...readRuleFile(file, content).rules);
  return rules;
}

const yamlOnly = median(
  Array.from({ length: runs }, () =>
    time(() => {
      for (const { content } of files) parseAllDocuments(content.toString('utf8'));
    }),
  ),
);
let rules: Rule[] = [];
const front = median(Array.from({ length: runs }, () => time(() => (rules = frontEnd()))));
const all = loadTargets(BACKENDS);
const rows: [string, number][] = [];
for (const target of all) {
  rows.push([target.backend.id, median(Array.from({ length: runs }, () => time(() => buildTargets(rules, [target]))))]);
}
const fourTargets = median(Array.from({ length: runs }, () => time(() => buildTargets(rules, all))));
const wholeRun = median(
  Array.from({ length: runs }, () =>
    time(() => {
      buildTargets(frontEnd(), all);
    }),
  ),
);
clearInterval(timer);

const rps = (ms: number): string => `${Math.round((rules.length * 1000) / ms).toLocaleString('en-US')} rules/s`;
console.log(`corpus: ${files.length} files, ${rules.length} rules; median of ${runs} runs; Node ${process.version}`);
console.log(`yaml parse only (baseline)   ${yamlOnly.toFixed(0).padStart(6)} ms  ${rps(yamlOnly)}`);
console.log(
  `front end (load+validate+IR) ${front.toFixed(0).padStart(6)} ms  ${rps(front)}  ×${(front / yamlOnly).toFixed(2)} baseline`,
);
for (const [id, ms] of rows)
  console.log(
    `${`target ${id}`.padEnd(29)}${ms.toFixed(0).padStart(6)} ms  ${rps(ms)}  ×${(ms / yamlOnly).toFixed(2)} baseline`,
  );
console.log(`all four targets (from IR)   ${fourTargets.toFixed(0).padStart(6)} ms  ${rps(fourTargets)}`);
console.log(
  `whole run (files → 4 targets)${wholeRun.toFixed(0).padStart(6)} ms  ×${(wholeRun / yamlOnly).toFixed(2)} baseline`,
);
console.log(`peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
