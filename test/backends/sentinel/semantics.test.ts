/**
 * Sentinel places where the query meant something other than the rule (issue 13), each with the event,
 * compiled through the real Sentinel pipeline and read back by the test-only Kusto evaluator, against the JS
 * predicate (the rule's executable meaning) on the same event in Sigma field names.
 */
import { describe, expect, it } from 'vitest';
import { BACKENDS } from '../../../backends/index.js';
import { loadTargets } from '../../../src/cli/targets.js';
import { compileRule } from '../../../src/compile.js';
import { readRuleFile } from '../../../src/frontend.js';
import type { KustoType } from '../../fidelity/evaluators/kusto.js';
import { importPredicate } from '../../fidelity/js-module.js';
import { readQuery } from '../../fidelity/readers.js';

const targets = loadTargets(BACKENDS, ['sentinel', 'js']);

function compile(yaml: string, target: 'sentinel' | 'js') {
  const { rules } = readRuleFile('test/semantics.yml', Buffer.from(yaml));
  expect(rules).toHaveLength(1);
  return compileRule(
    rules[0]!,
    targets.find((t) => t.backend.id === target)!,
  );
}

/** The Kusto query as an evaluator over rows; computed (`| extend`) columns are given in the row directly. */
function kusto(yaml: string, columns: Record<string, KustoType>) {
  const result = compile(yaml, 'sentinel');
  expect(result.status).not.toBe('refused');
  const evaluate = readQuery(result, {
    kustoColumns: columns,
    kustoText: (q) => q.replace(/\n\| extend [^\n]*/, ''),
  });
  return { query: result.compiled!.query.query, codes: result.diagnostics.map((d) => d.code), evaluate };
}

async function js(yaml: string) {
  return importPredicate(compile(yaml, 'js').compiled!.query.query);
}

describe('fieldref with both fields missing (cause 3): a missing field equals nothing', () => {
  const OWN_IMAGE = `title: Delete own image (shape of file_delete_win_delete_own_image)
id: 10000000-0000-4000-8000-0000000000c1
logsource: { product: windows, category: file_delete }
detection:
  selection:
    TargetFilename|fieldref: Image
  condition: selection
level: medium
`;
  const LOGIN_PROFILE = `title: Update login profile (shape of aws_update_login_profile)
id: 10000000-0000-4000-8000-0000000000c2
logsource: { product: aws, service: cloudtrail }
detection:
  selection:
    eventSource: 'iam.amazonaws.com'
    eventName: 'UpdateLoginProfile'
  filter_main_user_identity:
    userIdentity.arn|fieldref: requestParameters.userName
  condition: selection and not 1 of filter_main_*
level: medium
`;

  it('FolderPath =~ InitiatingProcessFolderPath no longer fires when both are empty', async () => {
    const q = kusto(OWN_IMAGE, { FolderPath: 'string', InitiatingProcessFolderPath: 'string', ActionType: 'string' });
    expect(q.query).toContain('isnotempty(FolderPath) and FolderPath =~ InitiatingProcessFolderPath');
    expect(q.codes).toContain('SN002');
    expect(q.evaluate({ ActionType: 'FileDeleted' })).toBe(false);
    expect(
      q.evaluate({ ActionType: 'FileDeleted', FolderPath: 'C:\\x.exe', InitiatingProcessFolderPath: 'c:\\X.EXE' }),
    ).toBe(true);
    expect((await js(OWN_IMAGE))({})).toBe(false);
  });

  it('not(UserIdentityArn =~ requestParameters_userName) keeps events where both are absent', async () => {
    const q = kusto(LOGIN_PROFILE, {
      EventSource: 'string',
      EventName: 'string',
      UserIdentityArn: 'string',
      requestParameters_userName: 'string',
    });
    const row = { EventSource: 'iam.amazonaws.com', EventName: 'UpdateLoginProfile' };
    expect(q.evaluate(row)).toBe(true);
    expect(
      q.evaluate({
        ...row,
        UserIdentityArn: 'arn:aws:iam::1:user/bob',
        requestParameters_userName: 'arn:aws:iam::1:user/bob',
      }),
    ).toBe(false);
    expect((await js(LOGIN_PROFILE))({ eventSource: 'iam.amazonaws.com', eventName: 'UpdateLoginProfile' })).toBe(true);
  });
});
