/** Elastic Security detection rules: Kibana KQL (`type: query`), or EQL where KQL cannot keep the rule's meaning. */
import { join } from 'node:path';
import { backendRoot } from '../../src/backend/root.js';
import type { ArtifactFile, Backend, CompiledRule } from '../../src/backend/types.js';
import type { Templates } from '../../src/emit/templates.js';
import { loadTemplates } from '../../src/emit/templates.js';
import './codes.js';
import { renderElasticCorrelation } from './correlation.js';
import { fileStem } from './naming.js';
import { renderElasticQuery } from './render-query.js';
import { buildExceptionObjects, buildRuleObject } from './rule-object.js';
import { ELASTIC_LIST_REFERENCES } from './value-lists.js';

const root = backendRoot('elastic');
let templates: Templates | undefined;
const loaded = (): Templates => (templates ??= loadTemplates(join(root, 'templates')));

export const backend: Backend = {
  id: 'elastic',
  // Elastic's pipeline maps rules onto ECS documents: `rulec match --format ecs` reuses it.
  eventFormat: 'ecs',
  title: 'Elastic Security (Kibana KQL / EQL)',
  // `kql` is also Kusto's name (the sentinel target declares it too), so it is refused as ambiguous.
  aliases: ['kibana', 'elasticsearch', 'elastic-security', 'kql'],
  root,
  placeholderReferences: ELASTIC_LIST_REFERENCES,
  renderQuery: renderElasticQuery,
  renderCorrelation: renderElasticCorrelation,
  renderArtifacts(compiled: CompiledRule): readonly ArtifactFile[] {
    const rule = buildRuleObject(compiled);
    const stem = fileStem(compiled.mapped.rule);
    const exceptions = buildExceptionObjects(compiled);
    return [
      { path: `${stem}.json`, content: loaded().render('rule.json', { rule }) },
      // A rule with value lists also needs its exception container and items (./value-lists.ts).
      ...(exceptions.length > 0
        ? [{ path: `${stem}.exceptions.ndjson`, content: loaded().render('rules.ndjson', { rules: exceptions }) }]
        : []),
    ];
  },
  // NDJSON: one rule object per line, the shape Kibana's rule import takes.
  streamArtifacts(perRule: readonly (readonly ArtifactFile[])[]): string {
    // Exception lists after every rule, the order of Kibana's own export.
    const rules = perRule.flatMap((files) => files.filter((f) => f.path.endsWith('.json')));
    const lists = perRule.flatMap((files) => files.filter((f) => f.path.endsWith('.exceptions.ndjson')));
    return [...rules.map((f) => `${JSON.stringify(JSON.parse(f.content))}\n`), ...lists.map((f) => f.content)].join('');
  },
  renderBundle(compiled: readonly CompiledRule[]): readonly ArtifactFile[] {
    if (compiled.length === 0) return [];
    // Each rule object is built once and sorted by its rule_id (building it inside the comparator cost
    // O(n log n) builds: 2.6 s of a 12 s corpus build). Code-unit order, not locale order, so the bundle is the
    // same on every machine.
    const keyed = compiled.map((c) => ({ compiled: c, object: buildRuleObject(c) }));
    const key = (k: { object: Record<string, unknown> }): string => String(k.object['rule_id']);
    keyed.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    });
    // Exception containers and items of value lists follow the rules, as in Kibana's own export.
    const rules = [...keyed.map((k) => k.object), ...keyed.flatMap((k) => buildExceptionObjects(k.compiled))];
    return [{ path: 'rules.ndjson', content: loaded().render('rules.ndjson', { rules }) }];
  },
};
