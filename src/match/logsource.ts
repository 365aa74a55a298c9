/**
 * Logsource routing: which rules can apply to an event, from the event's own identity (Windows Channel/EventID,
 * O365 Workload/Operation) and the rule's `logsource`. Sound by construction: a rule is excluded only when its
 * product, service or category is one this table knows and the event is known to be something else. Anything the
 * table does not know (a Windows rule's `category: antivirus`, an event without Channel) keeps the rule a candidate.
 * Product-less rules for logs that are not Windows event logs (`category: proxy`, `webserver`, …) are excluded from
 * events of known Windows channels that cannot carry such logs (FOREIGN_CATEGORIES below).
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

/** Every channel the tables above name: events from these are known to be what the tables say they are. */
const KNOWN_CHANNELS: ReadonlySet<string> = new Set([...CATEGORIES.keys(), ...[...SERVICE_CHANNELS.values()].flat()]);

/**
 * Sigma's product-less categories and services for logs that are not Windows event logs (proxy and web server
 * access logs, DNS query logs, network firewalls, databases, AV consoles), with the known channels that could
 * still carry such records. A rule with one of these and no product is excluded from a Windows event only when the
 * event's channel is one the tables above know (Sysmon, Security, PowerShell, …) and is not listed for it here.
 * Reasoning, per category:
 * - `proxy`: proxy logs are never written to the Windows event log;
 * - `webserver`, services `apache`/`nginx`: IIS can log to ETW (`Microsoft-IIS-Logging/Logs`), a channel these
 *   tables do not know, so such events keep the rules; no known channel is a web access log;
 * - `dns`: the DNS Server and DNS Client channels hold DNS activity, so they keep the rules;
 * - `firewall`: the Windows Firewall channel and Security (5152–5159, filtering platform) keep the rules;
 * - `database`: SQL Server audits can go to the Application log, which keeps the rules;
 * - `antivirus`: Defender logs to its own channel, other products to Application or System: those keep the rules.
 * An event from an unknown channel keeps every such rule.
 */
const FOREIGN_CATEGORIES: ReadonlyMap<string, readonly string[]> = new Map([
  ['proxy', []],
  ['webserver', []],
  ['dns', ['DNS Server', 'Microsoft-Windows-DNS-Client/Operational']],
  ['firewall', ['Microsoft-Windows-Windows Firewall With Advanced Security/Firewall', 'Security']],
  ['database', ['Application']],
  ['antivirus', ['Microsoft-Windows-Windows Defender/Operational', 'Application', 'System']],
]);
const FOREIGN_SERVICES: ReadonlyMap<string, readonly string[]> = new Map([
  ['apache', []],
  ['nginx', []],
]);

/**
 * O365 audit records are none of these either, except perhaps AV findings (Defender for Office 365 writes threat
 * records to the audit log): those rules stay.
 */
const NOT_O365: ReadonlySet<string> = new Set(['proxy', 'webserver', 'dns', 'firewall', 'database', 'apache', 'nginx']);

/** Whether a product-less category or service excludes a Windows event from this (known) channel. */
function foreign(table: ReadonlyMap<string, readonly string[]>, name: string | undefined, channel: string): boolean {
  if (name === undefined) return false;
  const keep = table.get(name);
  return keep !== undefined && KNOWN_CHANNELS.has(channel) && !keep.includes(channel);
}

/** O365 audit records (Management Activity API): rules for either product may read them. */
const O365_PRODUCTS = ['m365', 'azure'];

/**
 * Azure services whose logs never reach the Microsoft 365 unified audit log: `activitylogs` is Azure Monitor's
 * activity log (Azure Resource Manager operations on subscriptions), a separate stream. Entra ID audit and sign-in
 * records (`auditlogs`, `signinlogs`, and PIM and risk events logged through them) do appear there, under the
 * AzureActiveDirectory workload, so those rules stay.
 */
const NOT_IN_O365_AUDIT: ReadonlySet<string> = new Set(['activitylogs']);

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
  // Sysmon writes only the events of its table: any other category (`file_access`, `file_rename`, from ETW
  // providers) is something else.
  if (category !== undefined && event.channel === SYSMON && !event.categories.includes(category)) return false;
  if (product === undefined && event.channel !== undefined && event.products.includes('windows')) {
    if (foreign(FOREIGN_CATEGORIES, category, event.channel) || foreign(FOREIGN_SERVICES, service, event.channel))
      return false;
  }
  if (event.key === 'o365' && product === 'azure' && service !== undefined && NOT_IN_O365_AUDIT.has(service))
    return false;
  if (product === undefined && event.key === 'o365') {
    if ((category !== undefined && NOT_O365.has(category)) || (service !== undefined && NOT_O365.has(service)))
      return false;
  }
  return true;
}
