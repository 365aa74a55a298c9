/**
 * Elastic-style rule tags, in the order Elastic's prebuilt rules use (seed rule, docs/reference/targets/elastic.md §1): "Domain: …",
 * "Data Source: …" (from the pipeline's destination data), "Tactic: …" per ATT&CK tactic tag in tag order (or, with
 * no tactic tag, per tactic of the rule's techniques), then
 * "Resources: Investigation Guide" when the rule carries one, then rulec's filter tags.
 */
import { ruleAttack } from '../../src/attack/index.js';
import { rulecTags } from '../../src/correlation/tune.js';
import type { Rule } from '../../src/model/rule.js';
import type { ElasticDestination } from './destination.js';
import { ruleThreat } from './threat.js';

export function elasticTags(rule: Rule, destination: ElasticDestination): string[] {
  const tags: string[] = [];
  if (destination.domain !== undefined) tags.push(`Domain: ${destination.domain}`);
  for (const source of destination.dataSources) tags.push(`Data Source: ${source}`);
  // A rule tagged with techniques only still gets the tactics they belong to (its threat entries name them too).
  const attack = ruleAttack(rule.tags);
  const tactics = attack.tactics.length > 0 ? attack.tactics : ruleThreat(rule.tags).map((entry) => entry.tactic);
  for (const t of tactics) tags.push(`Tactic: ${t.name}`);
  if (rule.deploy.investigationGuide !== undefined) tags.push('Resources: Investigation Guide');
  // The global filters that tuned the rule (`rulec.filter.<name>`, src/correlation/tune.ts), last.
  tags.push(...rulecTags(rule.tags));
  return tags;
}
