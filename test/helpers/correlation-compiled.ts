/**
 * A correlation rule as a CompiledRule, the shape the build gives a backend's `renderArtifacts` for it: a synthetic
 * detection rule carrying the correlation's metadata (detection TRUE, no logsource), the first referenced rule's
 * destination with its list values unioned over every referenced rule, and the correlation's query. Lets the
 * artifact tests run before (and independently of) the build's own plumbing.
 */
import type { CompiledRule, QueryResult } from '../../src/backend/types.js';
import type { LoadedTarget } from '../../src/compile.js';
import { compileRule } from '../../src/compile.js';
import type { ResolvedCorrelation } from '../../src/correlation/resolve.js';
import { TRUE } from '../../src/ir/build.js';
import type { Rule } from '../../src/model/rule.js';

export function correlationCompiled(
  resolved: ResolvedCorrelation,
  query: QueryResult,
  target: LoadedTarget,
): CompiledRule {
  const c = resolved.correlation;
  const referenced = resolved.targets.map((t) => compileRule(t as Rule, target).compiled!);
  const destination: Record<string, unknown> = { ...referenced[0]!.mapped.destination };
  for (const r of referenced.slice(1))
    for (const [key, value] of Object.entries(r.mapped.destination)) {
      const mine = destination[key];
      if (Array.isArray(mine) && Array.isArray(value))
        destination[key] = [
          ...mine,
          ...value.filter((v) => !mine.some((m) => JSON.stringify(m) === JSON.stringify(v))),
        ];
    }
  const first = resolved.targets[0] as Rule;
  // The referenced rule's deployment defaults and authorship; its identity and metadata replaced by the correlation's.
  const { id: _id, name: _name, description: _description, level: _level, ...base } = first;
  const rule: Rule = {
    ...base,
    file: c.file,
    documentIndex: c.documentIndex,
    title: c.title,
    ...(c.id !== undefined ? { id: c.id } : {}),
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.level !== undefined ? { level: c.level } : {}),
    tags: c.tags,
    references: [],
    falsepositives: [],
    fields: [],
    logsource: {},
    detection: TRUE,
    document: c.document,
  };
  return {
    mapped: { rule, detection: TRUE, destination, fieldTypes: {} },
    query,
    correlation: c,
  };
}
