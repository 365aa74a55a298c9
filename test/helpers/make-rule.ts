/** Builds a `Rule` by hand, for backend tests that must not depend on the YAML front end. */
import type { IrNode } from '../../src/ir/nodes.js';
import type { Rule } from '../../src/model/rule.js';

export function makeRule(detection: IrNode, overrides: Partial<Rule> = {}): Rule {
  return {
    file: 'test/rule.yml',
    documentIndex: 0,
    id: '00000000-0000-4000-8000-000000000001',
    title: 'Test rule',
    description: 'A rule built by a test.',
    authors: ['Tester'],
    author: 'Tester',
    references: [],
    logsource: { product: 'test' },
    level: 'medium',
    tags: [],
    falsepositives: [],
    fields: [],
    detection,
    deploy: { interval: '5m', lookback: '6m', maxAlerts: 100, riskScore: 47, version: 1, enabled: true, targets: {} },
    document: {},
    ...overrides,
  };
}
