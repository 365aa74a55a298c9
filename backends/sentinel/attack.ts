/**
 * ATT&CK tags → Sentinel `tactics` and `relevantTechniques`. Sentinel's tactic enum is the tactic name without
 * spaces (docs/reference/targets/sentinel.md §1), and every tactic of each technique must appear in `tactics`
 * (`NoTechniquesWithoutMatchingTactics`), so technique tactics are added.
 */
import type { Reporter } from '../../src/backend/types.js';
import { allTactics, ruleAttack, tactic as tacticByShortName } from '../../src/attack/index.js';
import type { Tactic } from '../../src/attack/index.js';
import { SENTINEL_CODES } from './codes.js';

/** The values Azure-Sentinel's template schema accepts for `tactics` (§1). */
export const SENTINEL_TACTICS: ReadonlySet<string> = new Set([
  'InitialAccess',
  'Execution',
  'Persistence',
  'PrivilegeEscalation',
  'DefenseEvasion',
  'CredentialAccess',
  'Discovery',
  'LateralMovement',
  'Collection',
  'Exfiltration',
  'CommandAndControl',
  'Impact',
  'Reconnaissance',
  'ResourceDevelopment',
  'ImpairProcessControl',
  'InhibitResponseFunction',
]);

/** `Command and Control` → `CommandAndControl`. */
export function sentinelTacticName(t: Tactic): string {
  return t.name
    .split(/\s+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

export interface SentinelAttack {
  /** Sentinel tactic names in ATT&CK matrix order. */
  readonly tactics: readonly string[];
  /** Technique and sub-technique ids in tag order (`T1562.001`). */
  readonly techniques: readonly string[];
  /** Parent technique ids in tag order (`T1562`), for ARM `techniques`. */
  readonly parentTechniques: readonly string[];
}

export function sentinelAttack(tags: readonly string[], report: Reporter): SentinelAttack {
  const attack = ruleAttack(tags);
  const wanted = new Set(attack.tactics.map((t) => t.shortName));
  for (const technique of attack.techniques) for (const short of technique.tactics) wanted.add(short);
  const tactics: string[] = [];
  for (const t of allTactics()) {
    if (!wanted.has(t.shortName)) continue;
    const name = sentinelTacticName(t);
    if (SENTINEL_TACTICS.has(name)) tactics.push(name);
    else report.warn(SENTINEL_CODES.SN008.code, `ATT&CK tactic '${t.name}' has no Sentinel tactic name`);
  }
  // A tactic known to a technique but missing from the bundled tactic table cannot be named either.
  for (const short of wanted)
    if (!tacticByShortName(short))
      report.warn(SENTINEL_CODES.SN008.code, `ATT&CK tactic '${short}' is not in the bundled table`);
  const techniques = attack.techniques.map((t) => t.id);
  const parentTechniques = [...new Set(attack.techniques.map((t) => t.parent ?? t.id))];
  return { tactics, techniques, parentTechniques };
}
