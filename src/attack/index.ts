/**
 * MITRE ATT&CK lookups from the compacted table shipped in data/attack/ (see its README for source and licence).
 * Tag syntax follows Sigma: `attack.<tactic-short-name>` (e.g. `attack.defense-evasion`) and `attack.t1562.001`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../backend/root.js';
import { lastOnly } from '../model/last-only.js';

/** The ATT&CK release of data/attack/attack.json (see its README). */
export const ATTACK_VERSION = 'v18.1';

export interface Tactic {
  /** `TA0005` */
  readonly id: string;
  /** `Defense Evasion` */
  readonly name: string;
  /** `defense-evasion` */
  readonly shortName: string;
  readonly url: string;
}

export interface Technique {
  /** `T1562` or `T1562.001` */
  readonly id: string;
  readonly name: string;
  readonly url: string;
  /** Short names of the tactics it belongs to. */
  readonly tactics: readonly string[];
  /** For a sub-technique: its parent's id. */
  readonly parent?: string;
}

export interface RuleAttack {
  /** Tactics named by `attack.<tactic>` tags, in tag order, known to the table. */
  readonly tactics: readonly Tactic[];
  /** Techniques and sub-techniques named by `attack.tNNNN[.NNN]` tags, in tag order, known to the table. */
  readonly techniques: readonly Technique[];
  /** Tags in the attack namespace that the bundled table does not know (newer ATT&CK versions). */
  readonly unknown: readonly string[];
}

interface Table {
  readonly tactics: Map<string, Tactic>;
  readonly techniques: Map<string, Technique>;
  readonly revoked: Readonly<Record<string, string>>;
}

let table: Table | undefined;

function load(): Table {
  if (table) return table;
  const raw = JSON.parse(readFileSync(join(packageRoot(), 'data', 'attack', 'attack.json'), 'utf8')) as {
    tactics: [string, string, string][];
    techniques: [string, string, string][];
    revoked: Record<string, string>;
  };
  const tactics = new Map<string, Tactic>();
  for (const [id, shortName, name] of raw.tactics)
    tactics.set(shortName, Object.freeze({ id, shortName, name, url: `https://attack.mitre.org/tactics/${id}/` }));
  const techniques = new Map<string, Technique>();
  for (const [id, name, tacts] of raw.techniques) {
    const [base, sub] = id.split('.');
    techniques.set(
      id,
      Object.freeze({
        id,
        name,
        url: `https://attack.mitre.org/techniques/${base}/${sub ? `${sub}/` : ''}`,
        tactics: Object.freeze(tacts ? tacts.split(',') : []),
        ...(sub ? { parent: base } : {}),
      }),
    );
  }
  return (table = { tactics, techniques, revoked: raw.revoked });
}

/** The tactic with this short name (`defense-evasion`), or undefined. */
export function tactic(shortName: string): Tactic | undefined {
  const tactics = load().tactics;
  return tactics.get(shortName) ?? tactics.get(shortName.toLowerCase().replace(/_/g, '-'));
}

/** The technique or sub-technique (`T1562`, `t1562.001`), following `revoked-by` links; undefined if unknown. */
export function technique(id: string): Technique | undefined {
  const t = load();
  let key = id.toUpperCase();
  for (let hops = 0; hops < 5 && t.revoked[key]; hops++) key = t.revoked[key]!;
  return t.techniques.get(key);
}

/** Every tactic in matrix order. */
export function allTactics(): Tactic[] {
  return [...load().tactics.values()];
}

/**
 * The ATT&CK content of a rule's tags, in tag order. Every target (and several parts of one target: tags, threat,
 * stanza) asks for the same rule's tags, so they are looked up once per list, for the list asked about last.
 * Frozen: the same object answers every caller.
 */
export const ruleAttack: (tags: readonly string[]) => RuleAttack = lastOnly(lookUpTags);

function lookUpTags(tags: readonly string[]): RuleAttack {
  const tactics: Tactic[] = [];
  const techniques: Technique[] = [];
  const unknown: string[] = [];
  for (const tag of tags) {
    const m = /^attack\.(.+)$/i.exec(tag);
    if (!m) continue;
    const value = m[1]!;
    if (/^t\d{4}(\.\d{3})?$/i.test(value)) {
      const found = technique(value);
      if (found) {
        if (!techniques.includes(found)) techniques.push(found);
      } else unknown.push(tag);
    } else if (/^(?:g|s|ds|m)\d{4}$/i.test(value)) {
      // Groups, software, data sources and mitigations: not tactics or techniques; nothing to map.
      continue;
    } else {
      const found = tactic(value);
      if (found) {
        if (!tactics.includes(found)) tactics.push(found);
      } else unknown.push(tag);
    }
  }
  return Object.freeze({
    tactics: Object.freeze(tactics),
    techniques: Object.freeze(techniques),
    unknown: Object.freeze(unknown),
  });
}
