/** Shared helpers for the Elastic backend tests: render a detection with chosen field data, collect diagnostics. */
import { renderElasticQuery } from '../../../backends/elastic/render-query.js';
import type { MappedRule, Reporter } from '../../../src/backend/types.js';
import type { IrNode } from '../../../src/ir/nodes.js';
import type { Rule } from '../../../src/model/rule.js';
import { makeRule } from '../../helpers/make-rule.js';

export interface Collected {
  readonly code: string;
  readonly severity: 'error' | 'warning' | 'info';
  readonly message: string;
}

export class ListReporter implements Reporter {
  readonly items: Collected[] = [];
  warn(code: string, message: string): void {
    this.items.push({ code, severity: 'warning', message });
  }
  refuse(code: string, message: string): void {
    this.items.push({ code, severity: 'error', message });
  }
  info(code: string, message: string): void {
    this.items.push({ code, severity: 'info', message });
  }
  codes(): string[] {
    return this.items.map((i) => i.code);
  }
}

export interface RenderOptions {
  readonly fieldTypes?: Record<string, string>;
  readonly caseExact?: string[];
  readonly language?: string;
  readonly rule?: Partial<Rule>;
}

export function render(detection: IrNode, options: RenderOptions = {}) {
  const base = makeRule(detection, options.rule ?? {});
  const rule: Rule =
    options.language === undefined
      ? base
      : { ...base, deploy: { ...base.deploy, targets: { elastic: { language: options.language } } } };
  const mapped: MappedRule = {
    rule,
    detection,
    destination: { index: ['logs-*'], caseExact: options.caseExact ?? [] },
    fieldTypes: options.fieldTypes ?? {},
  };
  const report = new ListReporter();
  const result = renderElasticQuery(mapped, report);
  return { ...result, report, codes: report.codes() };
}
