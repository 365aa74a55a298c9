/** Splunk target: an SPL `search` with deferred `| regex`/`| where` parts, deployed as a savedsearches.conf stanza. */
import type { ArtifactFile, Backend, BundleFile, CompiledRule, FragmentList } from '../../src/backend/types.js';
import { bundleParts, keyedFragment, sortFragments, spliceVerbatim } from '../../src/backend/bundle.js';
import { LastBuilt } from '../../src/backend/last-built.js';
import { loadTemplates, normalisingWriter, type Templates } from '../../src/emit/templates.js';
import { join } from 'node:path';
import { SPLUNK_CODES } from './codes.js';
import { renderSplunkCorrelation } from './correlation.js';
import { renderSpl } from './query.js';
import { ruleFileStem, stanzaView } from './stanza.js';
import { isDataModelDestination, renderTstats } from './tstats.js';
import { meta } from './target.js';

const root = meta.root;

let templates: Templates | undefined;
function getTemplates(): Templates {
  return (templates ??= loadTemplates(join(root, 'templates')));
}

/** The stanza's view, built once for the rule's file and its bundle fragment (which has no reporter). */
const views = new LastBuilt(stanzaView);

export const backend: Backend = {
  ...meta,
  renderQuery(mapped, report) {
    // A destination naming a data model (the `cim` profile) is searched with `| tstats`; every other one with a
    // base search.
    const query = isDataModelDestination(mapped.destination) ? renderTstats(mapped, report) : renderSpl(mapped, report);
    return { query, language: 'spl' };
  },
  renderCorrelation(input, report) {
    // A data-model search returns aggregated rows (count, firstTime, lastTime), not events: bins and counts over
    // them would count rows, and `_time` is gone. Refused until correlations have a tstats form of their own.
    if (input.rules.some((r) => isDataModelDestination(r.compiled.mapped.destination))) {
      report.refuse(
        SPLUNK_CODES.SP607.code,
        'a referenced rule is a data-model search (| tstats), whose rows are aggregates, not events: it cannot be correlated',
      );
      return { query: '', language: 'spl' };
    }
    return renderSplunkCorrelation(input, report);
  },
  renderArtifacts(compiled, report): readonly ArtifactFile[] {
    const view = views.reported(compiled, report);
    return [
      { path: `${ruleFileStem(compiled.mapped.rule)}.conf`, content: getTemplates().render('savedsearch', view) },
    ];
  },
  /**
   * One savedsearches.conf for a Splunk app, stanzas sorted by name; two rules with one name cannot share it. A
   * fragment is the rule's stanza as the file prints it: the file rendered for that rule alone, less its header.
   */
  ...bundleParts({
    fragment(compiled: CompiledRule): string {
      const view = views.silent(compiled);
      return keyedFragment(
        view.name,
        getTemplates()
          .render('savedsearches', { stanzas: [view] })
          .slice(header().length),
      );
    },
    files(fragments: FragmentList): readonly BundleFile[] {
      const stanzas = sortFragments(fragments);
      for (let i = 1; i < stanzas.keys.length; i++)
        if (stanzas.keys[i] === stanzas.keys[i - 1])
          throw new Error(`two rules share the saved search name '${stanzas.keys[i]}': give them distinct titles`);
      const write = (out: (text: string) => void): void => {
        const normalised = normalisingWriter(out);
        normalised.write(header());
        for (let i = 0; i < stanzas.keys.length; i++) normalised.write(stanzas.parts(i)[1]!);
        normalised.end();
      };
      return [{ path: 'savedsearches.conf', write }];
    },
  }),
  /**
   * Stanzas are printed verbatim, except where `normaliseText` changed them: carriage returns, and the newlines
   * ending the last stanza. Only stanzas free of both are spliced, so the file stays as `normaliseText` leaves it.
   */
  spliceBundle: spliceVerbatim('savedsearches.conf', (before, after) => [before, after].every(normalStanza)),
};

const normalStanza = (stanza: string): boolean =>
  !stanza.includes('\r') && stanza.endsWith('\n') && !stanza.endsWith('\n\n');

/** The file's text before its first stanza (the file of no rule). */
let headerText: string | undefined;
const header = (): string => (headerText ??= getTemplates().render('savedsearches', { stanzas: [] }));
