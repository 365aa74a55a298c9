import { describe, expect, it } from 'vitest';
import { flattenEvtx, isEventFormat, makeNormalizer } from '../../src/match/formats.js';

const sysmon = {
  Event: {
    '#attributes': { xmlns: 'http://schemas.microsoft.com/win/2004/08/events/event' },
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon', Guid: '5770385F' } },
      EventID: 1,
      TimeCreated: { '#attributes': { SystemTime: '2025-10-24T23:41:00.601559Z' } },
      Correlation: null,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'host.example',
      Security: { '#attributes': { UserID: 'S-1-5-18' } },
    },
    EventData: { Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: 'cmd /c whoami', ProcessId: 10048 },
  },
};

describe('evtx format', () => {
  it('flattens System and EventData to Sigma field names', () => {
    expect(flattenEvtx(sysmon)).toEqual({
      Image: 'C:\\Windows\\System32\\cmd.exe',
      CommandLine: 'cmd /c whoami',
      ProcessId: 10048,
      Provider_Name: 'Microsoft-Windows-Sysmon',
      Provider_Guid: '5770385F',
      EventID: 1,
      TimeCreated_SystemTime: '2025-10-24T23:41:00.601559Z',
      Correlation: null,
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      Computer: 'host.example',
      Security_UserID: 'S-1-5-18',
    });
  });

  it('reads EventID with Qualifiers, unnamed Data items, EventData attributes and UserData', () => {
    const flat = flattenEvtx({
      Event: {
        System: { EventID: { '#attributes': { Qualifiers: 16384 }, '#text': 7045 }, Channel: 'System' },
        EventData: {
          '#attributes': { Name: 'TaskDisabled' },
          Data: [{ '#attributes': { Name: 'ServiceName' }, '#text': 'evil' }, 'loose'],
        },
        UserData: { Operation_ClientFailure: { '#attributes': { xmlns: 'x' }, Operation: 'cleareventlog' } },
      },
    });
    expect(flat).toEqual({
      EventID: 7045,
      EventID_Qualifiers: 16384,
      Channel: 'System',
      ServiceName: 'evil',
      Data: ['loose'],
      Operation: 'cleareventlog',
    });
  });

  it('lets System fields win over EventData keys of the same name', () => {
    const flat = flattenEvtx({
      Event: { System: { EventID: 4688, Channel: 'Security' }, EventData: { Channel: 'x' } },
    });
    expect(flat['Channel']).toBe('Security');
  });

  it('keeps `__proto__` keys of a record as own fields, never as the prototype', () => {
    // An element whose text is an object: plain assignment to `__proto__` would make it the prototype, and every
    // rule would then read CommandLine through it.
    const record = JSON.parse(
      '{"Event":{"System":{"__proto__":{"#text":{"CommandLine":"x"}},"_":{"#attributes":{"proto__":{"Image":"z"}}},' +
        '"EventID":1},"EventData":{"User":"u"}}}',
    ) as Record<string, unknown>;
    const flat = flattenEvtx(record);
    expect(Object.getPrototypeOf(flat)).toBe(Object.prototype);
    expect(flat['CommandLine']).toBeUndefined();
    expect(flat['Image']).toBeUndefined();
    expect(Object.hasOwn(flat, '__proto__')).toBe(true);
    expect(flat['EventID']).toBe(1);
    expect(flat['User']).toBe('u');
  });

  it('passes records without Event.System through unchanged (auto)', () => {
    const record = { Operation: 'Set-Mailbox', Event: 'not evtx' };
    expect(makeNormalizer('auto')(record)).toBe(record);
    expect(makeNormalizer('raw')(sysmon)).toBe(sysmon);
  });
});

describe('ecs format', () => {
  it('copies ECS fields (nested or flattened keys) to the rule field names, keeping the ECS ones', () => {
    const normalize = makeNormalizer('ecs', {
      ecsFieldMap: {
        'event.action': 'Operation',
        'event.provider': 'Workload',
        'o365.audit.ResultStatus': 'ResultStatus',
      },
    });
    const doc = {
      event: { action: 'Set-MailboxAuditBypassAssociation' },
      'event.provider': 'Exchange',
      o365: { audit: { ResultStatus: 'True' } },
    };
    const out = normalize(doc);
    expect(out).toMatchObject({
      Operation: 'Set-MailboxAuditBypassAssociation',
      Workload: 'Exchange',
      ResultStatus: 'True',
    });
    expect(out['event']).toEqual({ action: 'Set-MailboxAuditBypassAssociation' });
    expect(doc).not.toHaveProperty('Operation');
  });

  it('is the identity without a map', () => {
    const doc = { a: 1 };
    expect(makeNormalizer('ecs')(doc)).toBe(doc);
  });

  it('knows its format names', () => {
    expect(['auto', 'raw', 'evtx', 'ecs'].every(isEventFormat)).toBe(true);
    expect(isEventFormat('json')).toBe(false);
  });
});
