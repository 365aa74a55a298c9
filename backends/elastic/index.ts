/** Elastic Security detection rules: Kibana KQL (`type: query`), or EQL where KQL cannot keep the rule's meaning. */
import { join } from 'node:path';
import { bundleParts, keyedFragment, sortFragments, spliceVerbatim } from '../../src/backend/bundle.js';
import { LastBuilt } from '../../src/backend/last-built.js';
import type { ArtifactFile, Backend, BundleFile, CompiledRule, FragmentList } from '../../src/backend/types.js';
import type { Templates } from '../../src/emit/templates.js';
import { loadTemplates } from '../../src/emit/templates.js';
import './codes.js';
import { renderElasticCorrelation } from './correlation.js';
import { fileStem } from './naming.js';
import { renderElasticQuery } from './render-query.js';
import { meta } from './target.js';
import { buildExceptionObjects, buildRuleObject } from './rule-object.js';

const root = meta.root;
let templates: Templates | undefined;
const loaded = (): Templates => (templates ??= loadTemplates(join(root, 'templates')));

/** The rule object and its exception objects, built once for the rule's file and its bundle fragment. */
const objects = new LastBuilt((compiled) => ({
  rule: buildRuleObject(compiled),
  exceptions: buildExceptionObjects(compiled),
}));

export const backend: Backend = {
  ...meta,
  renderQuery: renderElasticQuery,
  renderCorrelation: renderElasticCorrelation,
  renderArtifacts(compiled, report): readonly ArtifactFile[] {
    const { rule, exceptions } = objects.reported(compiled, report);
    const stem = fileStem(compiled.mapped.rule);
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
  // NDJSON: every rule object sorted by its rule_id, then the exception containers and items of value lists, as
  // in Kibana's own export. A fragment holds the rule's line and its exception lines, rendered once.
  ...bundleParts({
    fragment(compiled: CompiledRule): string {
      const { rule: object, exceptions } = objects.silent(compiled);
      return keyedFragment(
        String(object['rule_id']),
        loaded().render('rules.ndjson', { rules: [object] }),
        exceptions.length > 0 ? loaded().render('rules.ndjson', { rules: exceptions }) : '',
      );
    },
    files(fragments: FragmentList): readonly BundleFile[] {
      if (fragments.length === 0) return [];
      const sorted = sortFragments(fragments);
      const write = (out: (text: string) => void): void => {
        for (let i = 0; i < sorted.keys.length; i++) out(sorted.parts(i)[1]!);
        for (let i = 0; i < sorted.keys.length; i++) out(sorted.parts(i)[2]!);
      };
      return [{ path: 'rules.ndjson', write }];
    },
  }),
  // The file prints both pieces of every fragment verbatim: the rule's line, then its exception lines.
  spliceBundle: spliceVerbatim('rules.ndjson'),
};
