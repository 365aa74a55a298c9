/**
 * Property tests run with a fixed seed in `npm test`, so CI is reproducible; `FC_SEED` picks another seed and
 * `npm run fuzz` raises the number of runs.
 */
import fc from 'fast-check';

fc.configureGlobal({
  seed: Number(process.env.FC_SEED ?? 20261128),
  ...(process.env.FC_RUNS ? { numRuns: Number(process.env.FC_RUNS) } : {}),
});
