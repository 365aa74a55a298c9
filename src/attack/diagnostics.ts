/**
 * Warnings for ATT&CK tags the bundled table does not know (RC140): a typo or a tag from another ATT&CK version
 * would otherwise vanish from every target's tactic and technique fields without a word.
 */
import { defineCodes } from '../diagnostics/codes.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { closest } from '../schema/suggest.js';
import type { Locator } from '../source/locator.js';
import { allTactics, ATTACK_VERSION, technique } from './index.js';

export const ATTACK_CODES = defineCodes({
  RC140: {
    severity: 'warning',
    summary:
      'an attack.* tag names no tactic or technique of the bundled ATT&CK table: no target maps it (a typo, or another ATT&CK version)',
  },
});

/** Sigma tag values in the attack namespace that are not tactics or techniques: groups, software, data sources. */
const OTHER_ATTACK_OBJECT = /^(?:g|s|ds|m)\d{4}$/i;

/** The suggestion for an unknown `attack.<value>`, as a whole tag, or undefined. */
export function suggestAttackTag(value: string): string | undefined {
  const technique_ = /^t(\d{4})\.\d{3}$/i.exec(value);
  // An unknown sub-technique of a known technique: the parent is what the table can map.
  if (technique_ && technique(`T${technique_[1]}`)) return `attack.t${technique_[1]}`;
  if (/^t\d/i.test(value)) return undefined;
  const name = closest(
    value.replace(/_/g, '-'),
    allTactics().map((t) => t.shortName),
  );
  return name === undefined ? undefined : `attack.${name}`;
}

/** RC140 for each unknown ATT&CK tag of a rule document, on the tag itself. */
export function attackTagDiagnostics(tags: unknown, locator: Locator): Diagnostic[] {
  if (!Array.isArray(tags)) return [];
  const out: Diagnostic[] = [];
  tags.forEach((tag, index) => {
    if (typeof tag !== 'string') return;
    const m = /^attack\.(.+)$/i.exec(tag);
    if (!m || OTHER_ATTACK_OBJECT.test(m[1]!)) return;
    const verdict = verdictOf(m[1]!);
    if (verdict === KNOWN) return;
    const suggestion = verdict;
    const span = locator.span(['tags', index]);
    out.push({
      code: 'RC140',
      severity: 'warning',
      message: `ATT&CK tag '${tag}' is not in the bundled ATT&CK ${ATTACK_VERSION} table: no target maps it to a tactic or technique`,
      file: locator.file,
      ...(span ? { span } : {}),
      ...(suggestion ? { label: `did you mean '${suggestion}'?` } : {}),
    });
  });
  return out;
}

const KNOWN = Symbol('known');
/**
 * Per tag value: known, or the suggestion for it (undefined when none). A corpus repeats a few unknown tags on
 * hundreds of rules (`attack.stealth` on 944 SigmaHQ rules): each is looked up, and its edit distances to every
 * tactic computed, once.
 */
const verdicts = new Map<string, typeof KNOWN | string | undefined>();
function verdictOf(value: string): typeof KNOWN | string | undefined {
  if (verdicts.has(value)) return verdicts.get(value);
  const verdict = isKnown(value) ? KNOWN : suggestAttackTag(value);
  verdicts.set(value, verdict);
  return verdict;
}

function isKnown(value: string): boolean {
  if (/^t\d{4}(\.\d{3})?$/i.test(value)) return technique(value) !== undefined;
  return allTactics().some((t) => t.shortName === value.toLowerCase().replace(/_/g, '-'));
}
