// Preloaded (`node --import`) by bench-goals.ts: writes the process's peak resident set size (bytes) to the file
// named by RULEC_BENCH_RSS when it exits. No V8 flag involved.
import { appendFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.RULEC_BENCH_RSS)
    appendFileSync(process.env.RULEC_BENCH_RSS, `${process.resourceUsage().maxRSS * 1024}\n`);
});
