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
import { buildRuleObject } from './rule-object.js';

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
  renderQuery: renderElasticQuery,
  renderCorrelation: renderElasticCorrelation,
  renderArtifacts(compiled: CompiledRule): readonly ArtifactFile[] {
    const rule = buildRuleObject(compiled);
    return [{ path: `${fileStem(compiled.mapped.rule)}.json`, content: loaded().render('rule.json', { rule }) }];
  },
  // NDJSON: one rule object per line, the shape Kibana's rule import takes.
  streamArtifacts(perRule: readonly (readonly ArtifactFile[])[]): string {
    return perRule
      .flatMap((files) => files.filter((f) => f.path.endsWith('.json')))
      .map((f) => `${JSON.stringify(JSON.parse(f.content))}\n`)
      .join('');
  },
  renderBundle(compiled: readonly CompiledRule[]): readonly ArtifactFile[] {
    if (compiled.length === 0) return [];
    const key = (r: Record<string, unknown>): string => String(r['rule_id']);
    // Code-unit order, not locale order, so the bundle is the same on every machine.
    const rules = compiled.map(buildRuleObject).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    return [{ path: 'rules.ndjson', content: loaded().render('rules.ndjson', { rules }) }];
  },
};
