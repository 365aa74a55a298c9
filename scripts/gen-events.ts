/**
 * Synthetic events, reproducible from a seed: a mix of Windows evtx-JSON records (Sysmon process creation, network,
 * image load, file and registry events; Security logons and process creation) and O365 audit records (Exchange
 * admin operations with `Parameters` lists, SharePoint and Azure AD operations), one JSON object per line.
 * All values are made up; a few records are Set-MailboxAuditBypassAssociation calls so the seed rule has matches.
 *
 *   npx tsx scripts/gen-events.ts <count> [--seed <n>] [--out <file>]
 */
import { createWriteStream } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { prng } from '../test/helpers/prng.js';
export { prng };

export const IMAGES = [
  'C:\\Windows\\System32\\cmd.exe',
  'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  'C:\\Windows\\System32\\svchost.exe',
  'C:\\Windows\\explorer.exe',
  'C:\\Windows\\System32\\rundll32.exe',
  'C:\\Windows\\System32\\reg.exe',
  'C:\\Windows\\System32\\schtasks.exe',
  'C:\\Windows\\System32\\wbem\\WmiPrvSE.exe',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
  'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE',
  'C:\\Windows\\System32\\conhost.exe',
  'C:\\Windows\\System32\\whoami.exe',
  'C:\\Windows\\System32\\net.exe',
  'C:\\Windows\\System32\\certutil.exe',
  'C:\\Users\\alice\\AppData\\Local\\Temp\\setup.exe',
];

const ARGS = [
  '',
  '/c whoami',
  '-NoProfile -ExecutionPolicy Bypass -File C:\\scripts\\inventory.ps1',
  '-k netsvcs -p',
  'shell32.dll,Control_RunDLL',
  'query HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run',
  '/create /tn Updater /tr C:\\Users\\Public\\u.exe /sc minute',
  'user /domain',
  '-urlcache -split -f http://example.test/a.txt a.txt',
  '--type=renderer --lang=en-US',
];

const USERS = ['CORP\\alice', 'CORP\\bob', 'NT AUTHORITY\\SYSTEM', 'CORP\\svc-backup'];
const O365_USERS = ['alice@contoso.test', 'bob@contoso.test', 'admin@contoso.test'];
const EXCHANGE_OPS = [
  'Set-Mailbox',
  'New-InboxRule',
  'Add-MailboxPermission',
  'Set-MailboxAuditBypassAssociation',
  'Set-TransportRule',
];
const SP_OPS = ['FileAccessed', 'FileDownloaded', 'FileModified', 'SharingSet', 'PageViewed'];
const AAD_OPS = ['UserLoggedIn', 'UserLoginFailed', 'Add member to role.', 'Update user.'];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function hex(rand: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++)
    s += Math.floor(rand() * 16)
      .toString(16)
      .toUpperCase();
  return s;
}

function guid(rand: () => number): string {
  return `${hex(rand, 8)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 4)}-${hex(rand, 12)}`;
}

function time(rand: () => number): string {
  const ms = Date.UTC(2025, 9, 1) + Math.floor(rand() * 30 * 86400_000);
  return new Date(ms).toISOString();
}

function evtx(
  rand: () => number,
  channel: string,
  provider: string,
  eventId: number,
  data: Record<string, unknown>,
): unknown {
  return {
    Event: {
      '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
      System: {
        Provider: { '#attributes': { Name: provider, Guid: guid(rand) } },
        EventID: eventId,
        Version: 5,
        Level: 4,
        Task: eventId,
        Opcode: 0,
        Keywords: '0x8000000000000000',
        TimeCreated: { '#attributes': { SystemTime: time(rand) } },
        EventRecordID: Math.floor(rand() * 1e7),
        Correlation: null,
        Execution: { '#attributes': { ProcessID: 3000 + Math.floor(rand() * 1000), ThreadID: 4000 } },
        Channel: channel,
        Computer: `ws-${Math.floor(rand() * 50)}.corp.test`,
        Security: { '#attributes': { UserID: 'S-1-5-18' } },
      },
      EventData: data,
    },
  };
}

const SYSMON = ['Microsoft-Windows-Sysmon/Operational', 'Microsoft-Windows-Sysmon'] as const;

function sysmonEvent(rand: () => number): unknown {
  const image = pick(rand, IMAGES);
  const base = {
    RuleName: '-',
    UtcTime: time(rand),
    ProcessGuid: `{${guid(rand)}}`,
    ProcessId: Math.floor(rand() * 20000),
    Image: image,
  };
  const r = rand();
  if (r < 0.45) {
    const parent = pick(rand, IMAGES);
    return evtx(rand, ...SYSMON, 1, {
      ...base,
      FileVersion: '10.0.19041.1',
      Description: 'Windows Command Processor',
      Product: 'Microsoft Windows Operating System',
      Company: 'Microsoft Corporation',
      OriginalFileName: image.slice(image.lastIndexOf('\\') + 1).toUpperCase(),
      CommandLine: `"${image}" ${pick(rand, ARGS)}`.trim(),
      CurrentDirectory: 'C:\\Windows\\system32\\',
      User: pick(rand, USERS),
      LogonId: `0x${hex(rand, 6)}`,
      IntegrityLevel: pick(rand, ['Medium', 'High', 'System']),
      Hashes: `SHA256=${hex(rand, 64)}`,
      ParentProcessGuid: `{${guid(rand)}}`,
      ParentProcessId: Math.floor(rand() * 20000),
      ParentImage: parent,
      ParentCommandLine: `"${parent}"`,
    });
  }
  if (r < 0.6) {
    return evtx(rand, ...SYSMON, 3, {
      ...base,
      User: pick(rand, USERS),
      Protocol: 'tcp',
      Initiated: 'true',
      SourceIp: `10.0.${Math.floor(rand() * 255)}.${Math.floor(rand() * 255)}`,
      SourcePort: 49152 + Math.floor(rand() * 10000),
      DestinationIp: `${Math.floor(rand() * 223) + 1}.${Math.floor(rand() * 255)}.1.${Math.floor(rand() * 255)}`,
      DestinationPort: pick(rand, [443, 80, 445, 3389, 53]),
    });
  }
  if (r < 0.75) {
    return evtx(rand, ...SYSMON, 7, {
      ...base,
      ImageLoaded: pick(rand, [
        'C:\\Windows\\System32\\ntdll.dll',
        'C:\\Windows\\System32\\kernel32.dll',
        'C:\\Windows\\System32\\dbghelp.dll',
      ]),
      Signed: 'true',
      Signature: 'Microsoft Windows',
    });
  }
  if (r < 0.88) {
    return evtx(rand, ...SYSMON, 11, {
      ...base,
      TargetFilename: pick(rand, [
        'C:\\Users\\alice\\AppData\\Local\\Temp\\a.tmp',
        'C:\\Windows\\Temp\\x.dll',
        'C:\\Users\\Public\\u.exe',
      ]),
      CreationUtcTime: time(rand),
      User: pick(rand, USERS),
    });
  }
  return evtx(rand, ...SYSMON, 13, {
    ...base,
    EventType: 'SetValue',
    TargetObject: pick(rand, [
      'HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\Updater',
      'HKU\\S-1-5-21-1\\Software\\Microsoft\\Office\\16.0\\Word\\Security\\VBAWarnings',
      'HKLM\\System\\CurrentControlSet\\Services\\bam\\State',
    ]),
    Details: pick(rand, ['DWORD (0x00000001)', 'C:\\Users\\Public\\u.exe', '(Empty)']),
    User: pick(rand, USERS),
  });
}

function securityEvent(rand: () => number): unknown {
  if (rand() < 0.7) {
    return evtx(rand, 'Security', 'Microsoft-Windows-Security-Auditing', 4624, {
      SubjectUserSid: 'S-1-5-18',
      TargetUserName: pick(rand, ['alice', 'bob', 'svc-backup']),
      TargetDomainName: 'CORP',
      LogonType: pick(rand, [2, 3, 10]),
      LogonProcessName: 'Kerberos',
      IpAddress: `10.0.0.${Math.floor(rand() * 255)}`,
    });
  }
  const image = pick(rand, IMAGES);
  return evtx(rand, 'Security', 'Microsoft-Windows-Security-Auditing', 4688, {
    SubjectUserName: 'alice',
    NewProcessName: image,
    CommandLine: `"${image}" ${pick(rand, ARGS)}`.trim(),
    ParentProcessName: pick(rand, IMAGES),
  });
}

function o365Event(rand: () => number): Record<string, unknown> {
  const r = rand();
  const common = {
    CreationTime: time(rand).slice(0, 19),
    Id: guid(rand).toLowerCase(),
    OrganizationId: '4f6c-test',
    UserKey: hex(rand, 16),
    UserType: 2,
    UserId: pick(rand, O365_USERS),
    ClientIP: `203.0.113.${Math.floor(rand() * 255)}`,
  };
  if (r < 0.35) {
    const op = pick(rand, EXCHANGE_OPS);
    return {
      ...common,
      RecordType: 1,
      Workload: 'Exchange',
      Operation: op,
      ResultStatus: rand() < 0.9 ? 'True' : 'False',
      ObjectId: pick(rand, O365_USERS),
      Parameters: [
        { Name: 'Identity', Value: pick(rand, O365_USERS) },
        op === 'Set-MailboxAuditBypassAssociation'
          ? { Name: 'AuditBypassEnabled', Value: 'True' }
          : { Name: 'ForwardingSmtpAddress', Value: 'smtp:someone@example.test' },
      ],
      ExternalAccess: false,
      OriginatingServer: 'EX1 (15.20.0.0)',
    };
  }
  if (r < 0.7) {
    return {
      ...common,
      RecordType: 6,
      Workload: 'SharePoint',
      Operation: pick(rand, SP_OPS),
      ObjectId: `https://contoso.sharepoint.test/sites/team/Shared Documents/${hex(rand, 6)}.docx`,
      SiteUrl: 'https://contoso.sharepoint.test/sites/team/',
      SourceFileExtension: 'docx',
      UserAgent: 'Mozilla/5.0',
    };
  }
  return {
    ...common,
    RecordType: 15,
    Workload: 'AzureActiveDirectory',
    Operation: pick(rand, AAD_OPS),
    ResultStatus: rand() < 0.85 ? 'Success' : 'Failed',
    AzureActiveDirectoryEventType: 1,
    ExtendedProperties: [{ Name: 'UserAgent', Value: 'Mozilla/5.0' }],
  };
}

/** `count` events from `seed`: 60 % Sysmon, 15 % Security, 25 % O365. */
export function* generateEvents(count: number, seed = 1): Generator<unknown> {
  const rand = prng(seed);
  for (let i = 0; i < count; i++) {
    const r = rand();
    yield r < 0.6 ? sysmonEvent(rand) : r < 0.75 ? securityEvent(rand) : o365Event(rand);
  }
}

/** Writes `count` events as NDJSON to `out` (a file) or stdout; resolves when written. */
export async function writeEvents(count: number, seed: number, out?: string): Promise<void> {
  const stream: NodeJS.WritableStream = out ? createWriteStream(out) : process.stdout;
  let buffer = '';
  for (const event of generateEvents(count, seed)) {
    buffer += `${JSON.stringify(event)}\n`;
    if (buffer.length > 1 << 20) {
      if (!stream.write(buffer)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
      buffer = '';
    }
  }
  stream.write(buffer);
  if (out) await new Promise<void>((resolve) => stream.end(() => resolve()));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const count = Number(args[0] ?? 1000);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (!Number.isInteger(count) || count < 0) {
    process.stderr.write('usage: gen-events.ts <count> [--seed <n>] [--out <file>]\n');
    process.exit(2);
  }
  await writeEvents(count, Number(flag('--seed') ?? 1), flag('--out'));
}
