/** A validated rule: metadata, deployment settings and the detection as one IR tree. */
import type { IrNode } from '../ir/nodes.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';

/** Sigma logsource: any of category/product/service plus free keys; `definition` is never evaluated. */
export type Logsource = Readonly<Record<string, string>>;

/**
 * Deployment settings, from rulec's extension keys (`schedule`, `max_alerts`, `risk_score`, `version`,
 * `investigation_guide`, `setup`, `targets`), with defaults filled in.
 */
export interface Deploy {
  /** How often the rule runs, as `<n><s|m|h|d>`. Default 5m. */
  readonly interval: string;
  /** How far back each run looks, as `<n><s|m|h|d>`. Default 6m (Kibana's: interval plus one minute). */
  readonly lookback: string;
  /** Maximum alerts per run. Default 100. */
  readonly maxAlerts: number;
  /** 0–100; default from `level` in Elastic's bands: low 21, medium 47, high 73, critical 99. */
  readonly riskScore: number;
  /** Rule version, an integer that grows with each change. Default 1. */
  readonly version: number;
  /**
   * Whether the deployed rule is switched on: the rule's `enabled` key, else false for a rule whose `status` says it
   * is not ready or no longer kept (`DISABLED_STATUSES`), true otherwise.
   */
  readonly enabled: boolean;
  /** Markdown: triage, false-positive analysis, response. */
  readonly investigationGuide?: string;
  /** Markdown: what data and configuration the rule needs. */
  readonly setup?: string;
  /** Per-target overrides, opaque here; each backend validates its own entry. */
  readonly targets: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface Rule {
  /** The path the rule was read from, as given (relative paths stay relative). */
  readonly file: string;
  /** Index of the YAML document inside the file (0 for single-document files). */
  readonly documentIndex: number;
  readonly id?: string;
  readonly title: string;
  readonly name?: string;
  readonly status?: string;
  readonly description?: string;
  readonly license?: string;
  /** The `author` string as written. */
  readonly author?: string;
  /** `author` split on commas and trimmed; kept for attribution (DRL 1.1). */
  readonly authors: readonly string[];
  readonly references: readonly string[];
  /** `YYYY-MM-DD`, whatever the YAML loader made of it. */
  readonly date?: string;
  readonly modified?: string;
  readonly logsource: Logsource;
  readonly level?: Level;
  readonly tags: readonly string[];
  readonly falsepositives: readonly string[];
  readonly fields: readonly string[];
  readonly detection: IrNode;
  readonly deploy: Deploy;
  /** The validated document as plain JSON data (dates as strings), for targets that need a raw key. */
  readonly document: Readonly<Record<string, unknown>>;
}

/**
 * Sigma statuses of rules that are deployed switched off unless the rule sets `enabled`: experimental rules have not
 * been tuned against real data, deprecated and unsupported ones are no longer maintained or cannot run as written.
 */
export const DISABLED_STATUSES: ReadonlySet<string> = new Set(['experimental', 'deprecated', 'unsupported']);

export const RISK_SCORE_BY_LEVEL: Readonly<Record<Level, number>> = Object.freeze({
  informational: 21,
  low: 21,
  medium: 47,
  high: 73,
  critical: 99,
});
