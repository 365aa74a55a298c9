/** The event predicate of a rule, from whichever registered target can run rules in this process. */
import type { Backend, Reporter } from '../backend/types.js';
import type { PredicateFactory } from '../match/types.js';
import { applyPipeline } from '../pipeline/apply.js';
import type { Pipeline } from '../pipeline/types.js';
import type { Registry } from './targets.js';
import { loadTargets } from './targets.js';

/**
 * Undefined when no registered target has the `createPredicate` capability. With `eventFormat`, rules are first
 * mapped through the pipeline of the target whose data has that shape (its field names and values), so the
 * predicate runs on such events as they are. `pipeline` replaces that target's built-in one (a site's layered
 * pipeline: `--config`, `--pipeline`).
 */
export function predicateFactory(
  registry: Registry,
  eventFormat?: string,
  pipeline?: Pipeline,
): PredicateFactory | undefined {
  const backend = registry.find((b: Backend) => b.createPredicate !== undefined);
  if (!backend) return undefined;
  const mapper = eventFormat === undefined ? backend : registry.find((b) => b.eventFormat === eventFormat);
  if (!mapper) return undefined;
  const [target] = loadTargets(registry, [mapper.id]);
  return (rule) => {
    // The first refusal says why the rule cannot run (e.g. RC209 naming a placeholder with no value); the match
    // and test commands print a thrown message as the reason.
    let refusal: string | undefined;
    const report: Reporter = {
      warn() {},
      info() {},
      refuse(code, message) {
        refusal ??= `${code}: ${message}`;
      },
    };
    const mapped = applyPipeline(rule, pipeline ?? target!.pipeline, report);
    if (refusal !== undefined) throw new Error(refusal);
    const predicate = backend.createPredicate!(mapped, report);
    if (refusal !== undefined) throw new Error(refusal);
    return predicate;
  };
}
