/**
 * `--config` / `--pipeline` for `rulec match` and `rulec test`: the predicate runs rules mapped through the same
 * layered pipeline a build uses (profile, the configuration's pipelines and placeholders, `--pipeline` files), for
 * the target whose data has the events' shape: the predicate target's own for raw events, e.g. Elastic's for ECS.
 */
import type { PredicateFactory } from '../match/types.js';
import type { Pipeline } from '../pipeline/types.js';
import type { CliIo } from './io.js';
import { predicateFactory } from './predicates.js';
import type { SiteCliOptions } from './site-options.js';
import { openSiteConfig, resolveCliSite } from './site-options.js';
import type { Registry } from './targets.js';

/** Formats read as they are by the predicate target's own pipeline (the others are mapped to a target's data). */
const RAW_FORMATS = new Set(['raw', 'auto', 'evtx']);

export interface SiteFactory {
  readonly factory: PredicateFactory;
  /** The configuration's rule paths, the default when the command is given none. */
  readonly rules?: readonly string[];
  /** The site's pipeline that factory maps rules through, for `--jobs` workers to make the same predicates. */
  readonly pipeline?: Pipeline;
}

/**
 * The predicate factory of this run's site; undefined after printing the configuration's or pipelines' errors
 * (the command then exits 1 before reading a rule). An unknown format falls back to `fallback`, so the command
 * reports it as it does without a site.
 */
export function siteFactory(
  registry: Registry,
  io: CliIo,
  opts: SiteCliOptions,
  format: string,
  fallback: PredicateFactory,
): SiteFactory | undefined {
  const opened = openSiteConfig(registry, opts);
  const raw = RAW_FORMATS.has(format);
  const mapper = raw
    ? registry.find((b) => b.createPredicate !== undefined)
    : registry.find((b) => b.eventFormat === format);
  const rules = opened.config?.rules ? { rules: opened.config.rules } : {};
  if (!mapper) return { factory: fallback, ...rules };
  const site = resolveCliSite(registry, [mapper.id], opts, opened, io);
  if (!site) return undefined;
  const pipeline = site.pipelines[mapper.id];
  const factory = predicateFactory(registry, raw ? undefined : format, pipeline);
  if (!factory) return { factory: fallback, ...rules };
  return { factory, ...rules, ...(pipeline ? { pipeline } : {}) };
}
