/**
 * Kibana's `threat` array from a rule's ATT&CK tags (docs/reference/targets/elastic.md §2: `framework`, `tactic{id,name,reference}`,
 * `technique[{id,name,reference,subtechnique[…]}]`).
 *
 * Each technique is filed under the rule's tactics it belongs to (or, when it belongs to none of them, under all of
 * its own tactics); sub-techniques sit under their parent. A tactic tag with no technique gets an entry only when
 * the rule names no technique at all, as in Elastic's seed rule, where "Initial Access" is a tag but not a threat.
 */
import type { Tactic, Technique } from '../../src/attack/index.js';
import { ruleAttack, tactic as tacticByName, technique as techniqueById } from '../../src/attack/index.js';

export interface ThreatRef {
  readonly id: string;
  readonly name: string;
  readonly reference: string;
}
export interface ThreatTechnique extends ThreatRef {
  readonly subtechnique?: readonly ThreatRef[];
}
export interface ThreatEntry {
  readonly framework: 'MITRE ATT&CK';
  readonly tactic: ThreatRef;
  readonly technique?: readonly ThreatTechnique[];
}

const ref = (x: { id: string; name: string; url: string }): ThreatRef => ({ id: x.id, name: x.name, reference: x.url });

export function ruleThreat(tags: readonly string[]): ThreatEntry[] {
  const attack = ruleAttack(tags);
  const tactics: Tactic[] = [...attack.tactics];
  const byTactic = new Map<string, Technique[]>();
  for (const tech of attack.techniques) {
    let homes = tactics.filter((t) => tech.tactics.includes(t.shortName));
    if (homes.length === 0) {
      homes = tech.tactics.flatMap((name) => {
        const found = tacticByName(name);
        return found ? [found] : [];
      });
      for (const home of homes) if (!tactics.includes(home)) tactics.push(home);
    }
    for (const home of homes) byTactic.set(home.id, [...(byTactic.get(home.id) ?? []), tech]);
  }
  const anyTechnique = attack.techniques.length > 0;
  const entries: ThreatEntry[] = [];
  for (const t of tactics) {
    const techniques = byTactic.get(t.id) ?? [];
    if (anyTechnique && techniques.length === 0) continue;
    entries.push({
      framework: 'MITRE ATT&CK',
      tactic: ref(t),
      ...(techniques.length > 0 ? { technique: groupTechniques(techniques) } : {}),
    });
  }
  return entries;
}

/** Parents in first-seen order, each with its sub-techniques in tag order. */
function groupTechniques(techniques: readonly Technique[]): ThreatTechnique[] {
  const parents = new Map<string, { parent: Technique; subs: Technique[] }>();
  for (const tech of techniques) {
    const parentId = tech.parent ?? tech.id;
    const parent = tech.parent ? techniqueById(tech.parent) : tech;
    if (!parent) continue;
    const slot = parents.get(parentId) ?? { parent, subs: [] };
    if (tech.parent && !slot.subs.includes(tech)) slot.subs.push(tech);
    parents.set(parentId, slot);
  }
  return [...parents.values()].map(({ parent, subs }) => ({
    ...ref(parent),
    ...(subs.length > 0 ? { subtechnique: subs.map(ref) } : {}),
  }));
}
