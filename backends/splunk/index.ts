/** Splunk target: an SPL `search` with deferred `| regex`/`| where` parts, deployed as a savedsearches.conf stanza. */
import type { ArtifactFile, Backend, CompiledRule, Reporter } from '../../src/backend/types.js';
import { backendRoot } from '../../src/backend/root.js';
import { loadTemplates, type Templates } from '../../src/emit/templates.js';
import { join } from 'node:path';
import './codes.js';
import { renderSplunkCorrelation } from './correlation.js';
import { renderSpl } from './query.js';
import { ruleFileStem, stanzaView } from './stanza.js';
import { SPLUNK_LIST_REFERENCES } from './list-reference.js';

const root = backendRoot('splunk');

let templates: Templates | undefined;
function getTemplates(): Templates {
  return (templates ??= loadTemplates(join(root, 'templates')));
}

/** renderBundle has no reporter: the per-rule render already reported everything. */
const SILENT: Reporter = { warn() {}, refuse() {}, info() {} };

export const backend: Backend = {
  id: 'splunk',
  title: 'Splunk (SPL saved search)',
  aliases: ['spl'],
  root,
  placeholderReferences: SPLUNK_LIST_REFERENCES,
  renderQuery(mapped, report) {
    return { query: renderSpl(mapped, report), language: 'spl' };
  },
  renderCorrelation: renderSplunkCorrelation,
  renderArtifacts(compiled, report): readonly ArtifactFile[] {
    const view = stanzaView(compiled, report);
    return [
      { path: `${ruleFileStem(compiled.mapped.rule)}.conf`, content: getTemplates().render('savedsearch', view) },
    ];
  },
  /** One savedsearches.conf for a Splunk app, stanzas sorted by name; two rules with one name cannot share it. */
  renderBundle(compiled: readonly CompiledRule[]): readonly ArtifactFile[] {
    const stanzas = compiled
      .map((c) => stanzaView(c, SILENT))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (let i = 1; i < stanzas.length; i++)
      if (stanzas[i]!.name === stanzas[i - 1]!.name)
        throw new Error(`two rules share the saved search name '${stanzas[i]!.name}': give them distinct titles`);
    return [{ path: 'savedsearches.conf', content: getTemplates().render('savedsearches', { stanzas }) }];
  },
};
