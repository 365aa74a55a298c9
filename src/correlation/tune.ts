/**
 * A detection rule as deployed after global filters: its detection with each filter's condition excluded
 * (`filters.ts`), plus what a reviewer of the artifacts needs to see the tuning — a tag per filter and a line in the
 * description. Every target shows the description; the tag reaches the targets' tag fields.
 */
import type { Rule } from '../model/rule.js';
import { applyFilters } from './filters.js';
import type { Filter } from './model.js';

/**
 * `rulec.filter.<name or id>`: a valid Sigma tag (`namespace.name`, lower-case `[a-z0-9._-]`), so it passes
 * through every target's tag field as written; the filter's name is preferred because people read it.
 */
export function filterTag(filter: Filter): string {
  const key = filter.name ?? filter.id ?? filter.title;
  const slug = key
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return `rulec.filter.${slug === '' ? 'unnamed' : slug}`;
}

/** rulec's own tags of a rule (`rulec.filter.…`), for targets whose tag field shows only some tags (ATT&CK). */
export function rulecTags(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith('rulec.'));
}

/** `Tuned by the filter 'Title' (name): events it matches are excluded.` (one line, several filters listed). */
export function filterLine(filters: readonly Filter[]): string {
  const names = filters.map((f) => {
    const key = f.name ?? f.id;
    return `'${f.title}'${key !== undefined && key !== f.title ? ` (${key})` : ''}`;
  });
  return filters.length === 1
    ? `Tuned by the filter ${names[0]}: events it matches are excluded.`
    : `Tuned by the filters ${names.join(', ')}: events they match are excluded.`;
}

/** The rule as deployed with `filters` applied; the same object when none applies. */
export function tunedRule(rule: Rule, filters: readonly Filter[] | undefined): Rule {
  if (!filters || filters.length === 0) return rule;
  const tags = [...rule.tags];
  for (const f of filters) if (!tags.includes(filterTag(f))) tags.push(filterTag(f));
  const line = filterLine(filters);
  return {
    ...applyFilters(rule, filters),
    // Targets show the title where a rule has no description; the filter line goes after whichever it is.
    description: `${rule.description ?? rule.title}\n\n${line}`,
    tags,
  };
}
