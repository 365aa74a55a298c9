/**
 * MITRE ATT&CK lookups from the compacted table shipped in data/attack/ (see its README for source and licence).
 * Tag syntax follows Sigma: `attack.<tactic-short-name>` (e.g. `attack.defense-evasion`) and `attack.t1562.001`.
 */
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
