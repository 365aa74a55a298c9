/**
 * The Splunk mapping pack (backends/splunk/pipeline/*.yml): corpus-shaped rules per logsource family compile to the
 * expected source/sourcetype and Splunk field names, every query passing the SPL checker; fields with no
 * counterpart are refusals naming the field. Then the whole SigmaHQ corpus (skipped when ../shared is missing).
 */
import { describe, expect, it } from 'vitest';
import { backend } from '../../../backends/splunk/index.js';
import { checkSpl } from '../../../backends/splunk/spl-check.js';
import { compileRule, type TargetResult } from '../../../src/compile.js';
import { readRuleFile } from '../../../src/frontend.js';
import { corpusRules, sigmaCorpusPresent, uncodedDiagnostics } from '../../helpers/sigma-corpus.js';
import { codes, pipeline, target } from './helpers.js';

/** A rule file from a logsource and a detection, both as YAML text (indented by the caller). */
function ruleYaml(logsource: string, detection: string): string {
  return [
    'title: Pack test rule',
    'id: 5a4f7c1e-0000-4000-8000-000000000001',
    'status: test',
    'level: medium',
    'logsource:',
    logsource,
    'detection:',
    detection,
    '',
  ].join('\n');
}

function compileYaml(logsource: string, detection: string): TargetResult {
  const read = readRuleFile('pack.yml', ruleYaml(logsource, detection));
  expect(read.rules, JSON.stringify(read.diagnostics)).toHaveLength(1);
  return compileRule(read.rules[0]!, target);
}

/** The query of a rule that must compile with a real mapping (no fallback) and pass the SPL checker. */
function query(logsource: string, detection: string, logsourceId: string): string {
  const result = compileYaml(logsource, detection);
  expect(result.status, JSON.stringify(result.diagnostics)).not.toBe('refused');
  expect(codes(result)).not.toContain('RC401');
  expect(result.compiled!.mapped.logsourceId).toBe(logsourceId);
  const spl = result.compiled!.query.query;
  expect(checkSpl(spl), spl).toEqual([]);
  return spl;
}

describe('splunk pack: Windows', () => {
  it('process_creation is Sysmon EventCode 1 with Sysmon field names', () => {
    const spl = query(
      '    product: windows\n    category: process_creation',
      "    selection:\n        Image|endswith: '\\\\rundll32.exe'\n        OriginalFileName: RUNDLL32.EXE\n        ParentImage|endswith: '\\\\winword.exe'\n    condition: selection",
      'windows-process-creation',
    );
    expect(spl).toBe(
      'source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" EventCode=1 Image="*\\\\rundll32.exe" ' +
        'OriginalFileName="RUNDLL32.EXE" ParentImage="*\\\\winword.exe"',
    );
  });

  it('registry_set is Sysmon EventCode 13 (TargetObject, Details kept)', () => {
    const spl = query(
      '    product: windows\n    category: registry_set',
      "    selection:\n        TargetObject|contains: '\\\\CurrentVersion\\\\Run'\n        Details|contains: 'AppData'\n    condition: selection",
      'windows-registry-set',
    );
    expect(spl).toMatch(/^source="XmlWinEventLog:Microsoft-Windows-Sysmon\/Operational" EventCode=13 /);
    expect(spl).toContain('TargetObject="*\\\\CurrentVersion\\\\Run*"');
    expect(spl).toContain('Details="*AppData*"');
  });

  it('registry_event covers Sysmon 12, 13 and 14; pipe_created 17 and 18', () => {
    const registry = query(
      '    product: windows\n    category: registry_event',
      '    selection:\n        TargetObject|contains: x\n    condition: selection',
      'windows-registry-event',
    );
    expect(registry).toBe(
      'source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" (EventCode=12 OR EventCode=13 OR EventCode=14) TargetObject="*x*"',
    );
    const pipe = query(
      '    product: windows\n    category: pipe_created',
      '    selection:\n        PipeName: \\x\n    condition: selection',
      'windows-pipe-created',
    );
    expect(pipe).toBe(
      'source="XmlWinEventLog:Microsoft-Windows-Sysmon/Operational" (EventCode=17 OR EventCode=18) PipeName="\\\\x"',
    );
  });

  it('security keeps the XML field names and renames EventID to EventCode', () => {
    const spl = query(
      '    product: windows\n    service: security',
      "    selection:\n        EventID: 4769\n        TicketEncryptionType: '0x17'\n        ServiceName|endswith: '$'\n    condition: selection",
      'windows-security',
    );
    expect(spl).toBe('source="XmlWinEventLog:Security" EventCode=4769 TicketEncryptionType="0x17" ServiceName="*$"');
  });

  it('system renames Provider_Name to SourceName', () => {
    const spl = query(
      '    product: windows\n    service: system',
      "    selection:\n        Provider_Name: 'Service Control Manager'\n        EventID: 7045\n        ImagePath|contains: 'powershell'\n    condition: selection",
      'windows-system',
    );
    expect(spl).toBe(
      'source="XmlWinEventLog:System" SourceName="Service Control Manager" EventCode=7045 ImagePath="*powershell*"',
    );
  });

  it('ps_script is PowerShell Operational 4104 on ScriptBlockText', () => {
    const spl = query(
      '    product: windows\n    category: ps_script\n    definition: Script Block Logging must be enabled',
      "    selection:\n        ScriptBlockText|contains: 'Invoke-Mimikatz'\n    condition: selection",
      'windows-ps-script',
    );
    expect(spl).toBe(
      'source IN ("XmlWinEventLog:Microsoft-Windows-PowerShell/Operational", "XmlWinEventLog:PowerShellCore/Operational") ' +
        'EventCode=4104 ScriptBlockText="*Invoke-Mimikatz*"',
    );
  });

  it('file_access maps to Security 4663 and refuses ParentImage', () => {
    const spl = query(
      '    product: windows\n    category: file_access',
      "    selection:\n        FileName|endswith: '\\\\Login Data'\n        Image|endswith: '\\\\evil.exe'\n    condition: selection",
      'windows-file-access',
    );
    expect(spl).toBe(
      'source="XmlWinEventLog:Security" EventCode=4663 ObjectName="*\\\\Login Data" ProcessName="*\\\\evil.exe"',
    );
    const refused = compileYaml(
      '    product: windows\n    category: file_access',
      '    selection:\n        FileName: x\n        ParentImage: y\n    condition: selection',
    );
    expect(refused.status).toBe('refused');
    expect(codes(refused)).toContain('RC403');
  });
});

describe('splunk pack: Linux and macOS', () => {
  it('auditd keeps auditd names on the linux:audit / auditd sourcetypes', () => {
    const spl = query(
      '    product: linux\n    service: auditd',
      "    selection:\n        type: EXECVE\n        a0: base64\n        a1: '-d'\n    condition: selection",
      'linux-auditd',
    );
    expect(spl).toBe('sourcetype IN ("linux:audit", "auditd") type="EXECVE" a0="base64" a1="-d"');
  });

  it('linux process_creation is Sysmon for Linux', () => {
    const spl = query(
      '    product: linux\n    category: process_creation',
      "    selection:\n        Image|endswith: '/curl'\n        CommandLine|contains: ' -d '\n    condition: selection",
      'linux-process-creation',
    );
    expect(spl).toBe('sourcetype="sysmon:linux" EventCode=1 Image="*/curl" CommandLine="* -d *"');
  });

  it('macOS process_creation uses CIM Endpoint.Processes names and refuses the rest', () => {
    const spl = query(
      '    product: macos\n    category: process_creation',
      "    selection:\n        Image|endswith: '/osascript'\n        CommandLine|contains: 'password'\n    condition: selection",
      'macos-process-creation',
    );
    expect(spl).toBe('tag="process" process_path="*/osascript" process="*password*"');
    const refused = compileYaml(
      '    product: macos\n    category: process_creation',
      '    selection:\n        Hashes: x\n    condition: selection',
    );
    expect(refused.status).toBe('refused');
    expect(codes(refused)).toContain('RC402');
  });
});

describe('splunk pack: cloud', () => {
  it('CloudTrail keeps JSON paths on aws:cloudtrail; a whole-object test is refused', () => {
    const spl = query(
      '    product: aws\n    service: cloudtrail',
      '    selection:\n        eventSource: iam.amazonaws.com\n        eventName: CreateAccessKey\n        userIdentity.type: Root\n    condition: selection',
      'aws-cloudtrail',
    );
    expect(spl).toBe(
      'sourcetype="aws:cloudtrail" eventSource="iam.amazonaws.com" eventName="CreateAccessKey" userIdentity.type="Root"',
    );
    const refused = compileYaml(
      '    product: aws\n    service: cloudtrail',
      '    selection:\n        eventName: PutBucketVersioning\n        requestParameters|contains: Suspended\n    condition: selection',
    );
    expect(refused.status).toBe('refused');
    expect(codes(refused)).toContain('RC403');
  });

  it('Entra ID sign-ins are azure:monitor:aad records with properties.* names', () => {
    const spl = query(
      '    product: azure\n    service: signinlogs',
      '    selection:\n        Status: Success\n        AuthenticationRequirement: singleFactorAuthentication\n    condition: selection',
      'azure-signinlogs',
    );
    expect(spl).toBe(
      'sourcetype="azure:monitor:aad" category IN ("SignInLogs", "NonInteractiveUserSignInLogs") ' +
        'resultType="0" properties.authenticationRequirement="singleFactorAuthentication"',
    );
  });

  it('Entra ID audit: properties.message is operationName', () => {
    const spl = query(
      '    product: azure\n    service: auditlogs',
      '    selection:\n        properties.message: Add member to group\n    condition: selection',
      'azure-auditlogs',
    );
    expect(spl).toBe('sourcetype="azure:monitor:aad" category="AuditLogs" operationName="Add member to group"');
  });

  it('Entra ID audit: a contains test on the whole TargetResources array is an OR over its value leaves', () => {
    const spl = query(
      '    product: azure\n    service: auditlogs',
      "    selection:\n        TargetResources|contains: 'Administrator'\n    condition: selection",
      'azure-auditlogs',
    );
    expect(spl).toBe(
      'sourcetype="azure:monitor:aad" category="AuditLogs" (properties.targetResources{}.id="*Administrator*" OR ' +
        'properties.targetResources{}.displayName="*Administrator*" OR properties.targetResources{}.userPrincipalName="*Administrator*" OR ' +
        'properties.targetResources{}.modifiedProperties{}.newValue="*Administrator*")',
    );
  });

  it('Azure activity log is mscs:azure:audit with operationName.value', () => {
    const spl = query(
      '    product: azure\n    service: activitylogs',
      '    selection:\n        operationName: MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE\n    condition: selection',
      'azure-activitylogs',
    );
    expect(spl).toBe(
      'sourcetype="mscs:azure:audit" operationName.value="MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE"',
    );
  });

  it('GCP audit is the Pub/Sub message with data.protoPayload.*', () => {
    const spl = query(
      '    product: gcp\n    service: gcp.audit',
      '    selection:\n        gcp.audit.method_name: storage.buckets.delete\n    condition: selection',
      'gcp-audit',
    );
    expect(spl).toBe('sourcetype="google:gcp:pubsub:message" data.protoPayload.methodName="storage.buckets.delete"');
  });

  it('Okta keeps System Log names; target is an array', () => {
    const spl = query(
      '    product: okta\n    service: okta',
      '    selection:\n        eventType: user.mfa.factor.deactivate\n        target.displayName: x\n    condition: selection',
      'okta',
    );
    expect(spl).toBe('sourcetype="OktaIM2:log" eventType="user.mfa.factor.deactivate" target{}.displayName="x"');
  });

  it('GitHub audit and M365 Exchange', () => {
    expect(
      query(
        '    product: github\n    service: audit',
        '    selection:\n        action: repo.destroy\n    condition: selection',
        'github-audit',
      ),
    ).toBe('sourcetype IN ("github:cloud:audit", "github:enterprise:audit") action="repo.destroy"');
    expect(
      query(
        '    product: m365\n    service: exchange',
        '    selection:\n        eventSource: Exchange\n        eventName: Add-FederatedDomain\n        status: success\n    condition: selection',
        'm365-exchange',
      ),
    ).toBe(
      'sourcetype="o365:management:activity" Workload="Exchange" Workload="Exchange" Operation="Add-FederatedDomain" ResultStatus="True"',
    );
  });

  it('M365 alert rules refuse status, which alert records do not have', () => {
    const refused = compileYaml(
      '    product: m365\n    service: threat_management',
      "    selection:\n        eventSource: SecurityComplianceCenter\n        eventName: 'Potential ransomware activity'\n        status: success\n    condition: selection",
    );
    expect(refused.status).toBe('refused');
    expect(refused.diagnostics.map((d) => d.message).join('\n')).toContain("'status'");
  });
});

describe('splunk pack: network and application', () => {
  it('Zeek DNS keeps Zeek names on bro/zeek sourcetypes', () => {
    const spl = query(
      '    product: zeek\n    service: dns',
      "    selection:\n        query|endswith: '.onion'\n    condition: selection",
      'zeek-dns',
    );
    expect(spl).toBe('sourcetype IN ("bro:dns*", "bro_dns", "zeek:dns*") query="*.onion"');
  });

  it('proxy rules use CIM Web names under tag=proxy; c-uri-extension is refused', () => {
    const spl = query(
      '    category: proxy',
      "    selection:\n        c-useragent|contains: 'sqlmap'\n        cs-method: POST\n        c-uri|contains: '/admin'\n    condition: selection",
      'proxy',
    );
    expect(spl).toBe('tag="proxy" http_user_agent="*sqlmap*" http_method="POST" url="*/admin*"');
    const refused = compileYaml(
      '    category: proxy',
      '    selection:\n        c-uri-extension: exe\n    condition: selection',
    );
    expect(refused.status).toBe('refused');
    expect(codes(refused)).toContain('RC403');
  });

  it('webserver rules use CIM Web names under tag=web', () => {
    const spl = query(
      '    category: webserver',
      "    selection:\n        cs-uri-query|contains: '../'\n        sc-status: 200\n    condition: selection",
      'webserver',
    );
    expect(spl).toBe('tag="web" uri_query="*../*" status=200');
  });

  it('RPC Firewall events are Windows event log records: EventLog → Channel', () => {
    const spl = query(
      '    product: rpc_firewall\n    category: application',
      '    selection:\n        EventLog: RPCFW\n        EventID: 3\n        InterfaceUuid: 367abb81-9844-35f1-ad32-98f038001003\n    condition: selection',
      'rpc-firewall',
    );
    expect(spl).toBe(
      'source="XmlWinEventLog:*" Channel="RPCFW" EventCode=3 InterfaceUuid="367abb81-9844-35f1-ad32-98f038001003"',
    );
  });
});

describe('splunk pack data', () => {
  it('every logsource has a destination or a condition, so no mapping searches everything silently', () => {
    for (const mapping of pipeline.logsources) {
      const hasDestination = ['index', 'source', 'sourcetype'].some((k) => mapping.destination[k] !== undefined);
      expect(hasDestination || mapping.condition !== undefined, mapping.id).toBe(true);
    }
  });
});

const present = sigmaCorpusPresent('splunk corpus test');

describe.skipIf(!present)('SigmaHQ corpus → Splunk', () => {
  it(
    'compiles at least 99% of the rules, at least 95% with a real mapping, every query passing spl-check',
    { timeout: 300_000 },
    () => {
      let rules = 0;
      let compiled = 0;
      let mapped = 0;
      const failures: string[] = [];
      const uncoded: string[] = [];
      for (const rule of corpusRules()) {
        rules++;
        const result = compileRule(rule, { backend, pipeline });
        uncoded.push(...uncodedDiagnostics(rule, result.diagnostics));
        if (result.status === 'refused') continue;
        compiled++;
        if (result.compiled?.mapped.logsourceId !== undefined) mapped++;
        const problems = checkSpl(result.compiled!.query.query);
        if (problems.length > 0) failures.push(`${rule.file}: ${problems.join('; ')}`);
      }
      console.log(
        `splunk corpus: ${rules} rules, ${compiled} compiled (${((100 * compiled) / rules).toFixed(1)}%), ` +
          `${mapped} with a real mapping (${((100 * mapped) / rules).toFixed(1)}%)`,
      );
      expect(failures.slice(0, 20)).toEqual([]);
      expect(uncoded.slice(0, 20)).toEqual([]);
      expect(compiled / rules).toBeGreaterThanOrEqual(0.99);
      expect(mapped / rules).toBeGreaterThanOrEqual(0.95);
    },
  );
});
