/**
 * Every target loaded, in the registry's order (./targets.ts lists them): for tests, scripts and worker threads,
 * which need them all.
 */
import type { Backend } from '../src/backend/types.js';
import { TARGETS } from './targets.js';

export const BACKENDS: readonly Backend[] = Object.freeze(await Promise.all(TARGETS.map((t) => t.load())));
