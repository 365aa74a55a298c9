/**
 * Logsource routing: which rules can apply to an event, from the event's own identity (Windows Channel/EventID,
 * O365 Workload/Operation) and the rule's `logsource`. Sound by construction: a rule is excluded only when its
 * product, service or category is one this table knows and the event is known to be something else. Anything the
 * table does not know (a rule's `category: antivirus`, an event without Channel) keeps the rule a candidate.
 */
import type { Logsource } from '../model/rule.js';

/** What an event is, as far as routing can tell. */
export interface EventLogsource {
  /** Cache key: events with equal keys route alike. */
  readonly key: string;
  readonly products: readonly string[];
  /** Undefined when the event's channel is unknown (then services do not route). */
  readonly channel?: string;
  /** Sigma categories of the event; empty when the channel is known but the EventID maps to none. */
  readonly categories: readonly string[];
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';
const PS = 'Microsoft-Windows-PowerShell/Operational';
const PS_CLASSIC = 'Windows PowerShell';

/** Sigma categories by channel and EventID (SigmaHQ's Windows logsource definitions). */
const CATEGORIES: ReadonlyMap<string, Readonly<Record<number, readonly string[]>>> = new Map<
  string,
  Record<number, readonly string[]>
>([
  [
    SYSMON,
    {
      1: ['process_creation'],
      2: ['file_change'],
      3: ['network_connection'],
      4: ['sysmon_status'],
      5: ['process_termination'],
      6: ['driver_load'],
      7: ['image_load'],
      8: ['create_remote_thread'],
      9: ['raw_access_thread'],
      10: ['process_access'],
      11: ['file_event'],
      12: ['registry_add', 'registry_delete', 'registry_event'],
      13: ['registry_set', 'registry_event'],
      14: ['registry_rename', 'registry_event'],
      15: ['create_stream_hash'],
      16: ['sysmon_status'],
      17: ['pipe_created'],
      18: ['pipe_created'],
      19: ['wmi_event'],
      20: ['wmi_event'],
      21: ['wmi_event'],
      22: ['dns_query'],
      23: ['file_delete'],
      24: ['clipboard_change'],
      25: ['process_tampering'],
      26: ['file_delete'],
      27: ['file_block_executable'],
      28: ['file_block_shredding'],
      29: ['file_executable_detected'],
      255: ['sysmon_error'],
    },
  ],
  ['Security', { 4688: ['process_creation'] }],
  [PS, { 4103: ['ps_module'], 4104: ['ps_script'] }],
  [PS_CLASSIC, { 400: ['ps_classic_start'], 600: ['ps_classic_provider_start'], 800: ['ps_classic_script'] }],
]);

/** Every category the table can assign: a rule naming one of these routes by category. */
const KNOWN_CATEGORIES: ReadonlySet<string> = new Set([...CATEGORIES.values()].flatMap((m) => Object.values(m).flat()));

/** Sigma Windows services → the channels they read. */
const SERVICE_CHANNELS: ReadonlyMap<string, readonly string[]> = new Map([
  ['security', ['Security']],
  ['system', ['System']],
  ['application', ['Application']],
  ['sysmon', [SYSMON]],
  ['powershell', [PS]],
  ['powershell-classic', [PS_CLASSIC]],
  ['taskscheduler', ['Microsoft-Windows-TaskScheduler/Operational']],
  ['wmi', ['Microsoft-Windows-WMI-Activity/Operational']],
  ['windefend', ['Microsoft-Windows-Windows Defender/Operational']],
  ['codeintegrity-operational', ['Microsoft-Windows-CodeIntegrity/Operational']],
  ['firewall-as', ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall']],
  ['bits-client', ['Microsoft-Windows-Bits-Client/Operational']],
  ['dns-client', ['Microsoft-Windows-DNS-Client/Operational']],
  ['ntlm', ['Microsoft-Windows-NTLM/Operational']],
  ['appxdeployment-server', ['Microsoft-Windows-AppXDeploymentServer/Operational']],
  ['msexchange-management', ['MSExchange Management']],
  ['dns-server', ['DNS Server']],
  ['driver-framework', ['Microsoft-Windows-DriverFrameworks-UserMode/Operational']],
  ['openssh', ['OpenSSH/Operational']],
  ['printservice-admin', ['Microsoft-Windows-PrintService/Admin']],
  ['printservice-operational', ['Microsoft-Windows-PrintService/Operational']],
  ['terminalservices-localsessionmanager', ['Microsoft-Windows-TerminalServices-LocalSessionManager/Operational']],
  ['shell-core', ['Microsoft-Windows-Shell-Core/Operational']],
  ['vhdmp', ['Microsoft-Windows-VHDMP/Operational']],
  ['lsa-server', ['Microsoft-Windows-LSA/Operational']],
  ['capi2', ['Microsoft-Windows-CAPI2/Operational']],
  [
    'applocker',
    [
      'Microsoft-Windows-AppLocker/EXE and DLL',
      'Microsoft-Windows-AppLocker/MSI and Script',
      'Microsoft-Windows-AppLocker/Packaged app-Deployment',
      'Microsoft-Windows-AppLocker/Packaged app-Execution',
    ],
  ],
]);

/** O365 audit records (Management Activity API): rules for either product may read them. */
const O365_PRODUCTS = ['m365', 'azure'];

const UNROUTED: EventLogsource = Object.freeze({ key: '', products: [], categories: [] });

/** The event's logsource from its (already normalised) fields; `key: ''` when nothing is known. */
export function eventLogsource(event: Record<string, unknown>): EventLogsource {
  const channel = event['Channel'];
  if (typeof channel === 'string' && 'EventID' in event) {
    const id = Number(event['EventID']);
    const categories = CATEGORIES.get(channel)?.[id] ?? [];
    return { key: `windows\u0000${channel}\u0000${categories.join(',')}`, products: ['windows'], channel, categories };
  }
  if (typeof event['Workload'] === 'string' && typeof event['Operation'] === 'string' && 'RecordType' in event) {
    return { key: 'o365', products: O365_PRODUCTS, categories: [] };
  }
  return UNROUTED;
}

/** Whether a rule with this logsource can apply to such an event. */
export function logsourceAdmits(rule: Logsource, event: EventLogsource): boolean {
  if (event.key === '') return true;
  const product = rule['product'];
  if (product !== undefined && !event.products.includes(product)) return false;
  const service = rule['service'];
  if (service !== undefined && event.channel !== undefined) {
    const channels = SERVICE_CHANNELS.get(service);
    if (channels !== undefined && !channels.includes(event.channel)) return false;
  }
  const category = rule['category'];
  if (category !== undefined && event.channel !== undefined && KNOWN_CATEGORIES.has(category)) {
    if (!event.categories.includes(category)) return false;
  }
  return true;
}
