/**
 * Event formats: how a record as read is turned into the flat field names rules use (docs/matching.md).
 *
 * - `auto` (the default): evtx-shaped records flattened as `evtx` does, every other record as is.
 * - `raw`: the record as is (fields as the rule names them).
 * - `evtx`: Windows evtx-JSON (`Event.System.*`, `Event.EventData.*`, `Event.UserData.*`) flattened to Sigma
 *   field names; records without `Event.System` pass through unchanged, so mixed inputs work.
 * - `ecs`: Elastic Common Schema documents, with an ECS field → rule field map applied in reverse.
 * Targets may declare further formats (`Backend.eventFormat`): their events are read as they are, by rules mapped
 * through that target's pipeline (src/cli/match.ts).
 */

import type { NormalizerTexts } from './raw-gate.js';

export const EVENT_FORMATS = ['auto', 'raw', 'evtx', 'ecs'] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];

export function isEventFormat(value: string): value is EventFormat {
  return (EVENT_FORMATS as readonly string[]).includes(value);
}

export interface FormatOptions {
  /** For `ecs`: ECS field (dotted path) → rule field. Without it the format is the identity. */
  readonly ecsFieldMap?: Readonly<Record<string, string>>;
}

export type Normalizer = (event: Record<string, unknown>) => Record<string, unknown>;

/**
 * The fields routing reads (Channel, EventID, Workload, Operation, RecordType), taken from a record as read
 * without normalising it, so events no rule can apply to are never flattened. Undefined: normalise first.
 */
export type RouteView = (event: Record<string, unknown>) => Record<string, unknown> | undefined;

/** For evtx records, a small object with System's routing fields; other records are their own view. */
export function evtxRouteView(record: Record<string, unknown>): Record<string, unknown> | undefined {
  const event = record['Event'];
  if (!isObject(event)) return record;
  const system = event['System'];
  if (!isObject(system)) return record;
  // System itself holds Channel and EventID under those names: no copy unless EventID is an element with a text.
  const id = system['EventID'];
  if (typeof id !== 'object' || id === null) return system;
  return { Channel: system['Channel'], EventID: elementValue(id) };
}

export function makeRouteView(format: EventFormat, options: FormatOptions = {}): RouteView {
  if (format === 'raw') return (event) => event;
  if (format === 'auto' || format === 'evtx') return evtxRouteView;
  // ecs: the mapped names exist only after normalising.
  return Object.keys(options.ecsFieldMap ?? {}).length === 0 ? (event) => event : () => undefined;
}

export function makeNormalizer(format: EventFormat, options: FormatOptions = {}): Normalizer {
  switch (format) {
    case 'raw':
      return (event) => event;
    case 'auto':
    case 'evtx':
      // evtx leaves records without Event.System unchanged, so it is also the auto-detecting normaliser. Aliases
      // apply to flat records too (a Security event exported flat still names NewProcessName).
      return (record) => withAliases(flattenEvtx(record));
    case 'ecs':
      return makeEcsNormalizer(options.ecsFieldMap ?? {});
  }
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ATTRIBUTES = '#attributes';
const TEXT = '#text';

/** An XML element rendered by evtx_dump: `{"#attributes": {...}, "#text": v}` stands for v. */
function elementValue(value: unknown): unknown {
  if (isObject(value) && TEXT in value) return value[TEXT];
  return value;
}

/**
 * `{Event: {System, EventData | UserData}}` → one flat object:
 * - System scalars under their own names (EventID, Channel, Computer, Level, Task, …); an element with a `#text`
 *   (`EventID` with `Qualifiers`) gives its text;
 * - attributes of System elements as `<Element>_<Attribute>` (Provider_Name, Provider_Guid,
 *   TimeCreated_SystemTime, Execution_ProcessID, Security_UserID), Sigma's names for them;
 * - every EventData key; `Data` items of the form `{#attributes: {Name}, #text}` under their Name;
 * - for UserData, the keys of its one child element (Sigma names them without the element's name).
 * System fields win over EventData keys of the same name: they identify the record (EventID, Channel).
 */
export function flattenEvtx(record: Obj): Obj {
  const event = record['Event'];
  if (!isObject(event)) return record;
  const system = event['System'];
  if (!isObject(system)) return record;
  const data = event['EventData'];
  const userData = event['UserData'];
  // The common case, EventData of plain scalars and no UserData, is copied whole by spreading: V8 then builds the
  // result with fast properties. Adding two dozen properties one computed key at a time (as addData does) leaves
  // most objects in dictionary mode, which made every field read of every rule slower (measured: 3 of 4 events).
  const fields =
    userData === undefined && (data == null || (isObject(data) && plainData(data))) ? data : dataFields(data, userData);
  // System values come last, so they win over EventData keys of the same name. Both parts are spread: storing
  // the System values into the copy one computed key at a time put nearly every result in dictionary mode.
  return { ...fields, ...systemFields(system) };
}

/** Whether EventData holds only scalars (no `Data` list, no `#attributes`, no `#text` elements): copied as is. */
function plainData(data: Obj): boolean {
  for (const key in data) {
    if (key === ATTRIBUTES) return false;
    const value = data[key];
    if (typeof value === 'object' && value !== null) return false;
  }
  return true;
}

/** EventData and UserData fields, element values unwrapped (the general case). */
function dataFields(data: unknown, userData: unknown): Obj {
  const out: Obj = {};
  addData(out, data);
  if (isObject(userData)) {
    for (const key in userData) {
      if (key === ATTRIBUTES || !hasOwn(userData, key)) continue;
      const child = userData[key];
      if (isObject(child)) addData(out, child);
      else if (key !== 'Data' || !Array.isArray(child)) out[key] = elementValue(child);
      else addData(out, { [key]: child });
    }
  }
  return out;
}

/** System scalars, `#text` of elements, and element attributes as `<Element>_<Attribute>`. */
function systemFields(system: Obj): Obj {
  const out: Obj = {};
  for (const key in system) {
    if (key === ATTRIBUTES || !hasOwn(system, key)) continue;
    const raw = system[key];
    if (isObject(raw)) {
      if (TEXT in raw) put(out, key, raw[TEXT]);
      const attributes = raw[ATTRIBUTES];
      if (isObject(attributes)) {
        for (const name in attributes)
          if (hasOwn(attributes, name)) put(out, attributeKey(key, name), attributes[name]);
      }
    } else {
      put(out, key, raw);
    }
  }
  return out;
}

/** `out[key] = value`, except that a `__proto__` key from the input becomes an own property, not the prototype. */
function put(out: Obj, key: string, value: unknown): void {
  if (key === PROTO) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

const PROTO = '__proto__';

/** `Element_Attribute` names, made once: a new concatenated key per event would be hashed per event. */
const attributeKeys = new Map<string, Map<string, string>>();
function attributeKey(element: string, attribute: string): string {
  let byAttribute = attributeKeys.get(element);
  if (byAttribute === undefined) {
    if (attributeKeys.size > 256) return `${element}_${attribute}`;
    attributeKeys.set(element, (byAttribute = new Map()));
  }
  let key = byAttribute.get(attribute);
  if (key === undefined) {
    // Bounded: evtx_dump attribute names come from a fixed schema, but a hostile input could vary them.
    if (byAttribute.size > 256) return `${element}_${attribute}`;
    byAttribute.set(attribute, (key = `${element}_${attribute}`));
  }
  return key;
}

const hasOwn = Object.hasOwn;

function addData(out: Obj, data: unknown): void {
  if (!isObject(data)) return;
  for (const key in data) {
    if (key === ATTRIBUTES || !hasOwn(data, key)) continue;
    const value = data[key];
    if (key === 'Data' && Array.isArray(value)) {
      // Unnamed-schema events: <Data Name="X">v</Data> items.
      let unnamed: unknown[] | undefined;
      for (const item of value) {
        const name = isObject(item) && isObject(item[ATTRIBUTES]) ? item[ATTRIBUTES]['Name'] : undefined;
        if (typeof name === 'string') out[name] = elementValue(item);
        else (unnamed ??= []).push(elementValue(item));
      }
      if (unnamed !== undefined) out['Data'] = unnamed;
      continue;
    }
    out[key] = elementValue(value);
  }
}

/**
 * Reads a dotted path: the flat key first (ECS documents are often flattened, `"event.action": …`), then nested
 * objects. Arrays along the path are not traversed (ECS keeps lists at leaves).
 */
export function getPath(event: Obj, path: string, segments: readonly string[]): unknown {
  if (path in event) return event[path];
  let value: unknown = event;
  for (const segment of segments) {
    if (!isObject(value)) return undefined;
    value = value[segment];
  }
  return value;
}

function makeEcsNormalizer(map: Readonly<Record<string, string>>): Normalizer {
  const entries = Object.entries(map)
    .filter(([ecs, rule]) => ecs !== rule)
    .map(([ecs, rule]) => ({ ecs, segments: ecs.split('.'), rule }));
  if (entries.length === 0) return (event) => event;
  return (event) => {
    // The ECS fields stay, so a rule naming an ECS field directly still finds it.
    const out: Obj = { ...event };
    for (const entry of entries) {
      const value = getPath(event, entry.ecs, entry.segments);
      if (value !== undefined) out[entry.rule] = value;
    }
    return out;
  };
}

/**
 * Fields some Windows events name differently from the events Sigma's rules are written for, by channel and
 * event id (data, not code: a new event kind is a new entry). Security 4688 describes a process creation as Sysmon
 * EventID 1 does, under other names, and is routed to `process_creation` rules (logsource.ts), which name the
 * Sysmon fields. An alias is added beside the event's own fields, never over one the event has, so rules written
 * for the Security names still read them.
 *
 * Process ids are left out: 4688's `ProcessId` is the creator's (Sysmon's `ParentProcessId`) and its values are
 * hexadecimal text (`0x1a2c`), so no rule value written for Sysmon would compare equal anyway.
 */
export const EVTX_FIELD_ALIASES: readonly EventAliases[] = [
  {
    channel: 'Security',
    eventId: 4688,
    aliases: [
      { field: 'Image', from: ['NewProcessName'] },
      { field: 'ParentImage', from: ['ParentProcessName'] },
      // Sysmon's User is DOMAIN\name (`NT AUTHORITY\SYSTEM`); 4688 splits it.
      { field: 'User', from: ['SubjectDomainName', 'SubjectUserName'], separator: '\\' },
      { field: 'LogonId', from: ['SubjectLogonId'] },
      // Sysmon writes the integrity level's name; 4688 the mandatory label's SID (well-known SIDs, MS-DTYP 2.4.2.4).
      {
        field: 'IntegrityLevel',
        from: ['MandatoryLabel'],
        values: {
          'S-1-16-0': 'Untrusted',
          'S-1-16-4096': 'Low',
          'S-1-16-8192': 'Medium',
          'S-1-16-8448': 'Medium',
          'S-1-16-12288': 'High',
          'S-1-16-16384': 'System',
          'S-1-16-20480': 'Protected',
        },
      },
    ],
  },
];

export interface EventAliases {
  readonly channel: string;
  readonly eventId: number;
  readonly aliases: readonly FieldAlias[];
}

export interface FieldAlias {
  /** The name rules use. */
  readonly field: string;
  /** The event's fields it is made of; all must be present (several are joined with `separator`). */
  readonly from: readonly string[];
  readonly separator?: string;
  /** Value translations; a value not listed is kept as is. */
  readonly values?: Readonly<Record<string, string>>;
}

/**
 * What the format's normaliser writes into values beyond the record's own text (./raw-gate.ts): the evtx aliases'
 * value translations, lower-cased, and the separators that join several fields into one value. Other formats only
 * move values.
 */
export function normalizerTexts(format: EventFormat): NormalizerTexts {
  if (format !== 'auto' && format !== 'evtx') return { values: [], separators: [] };
  const values: string[] = [];
  const separators: string[] = [];
  for (const entry of EVTX_FIELD_ALIASES) {
    for (const alias of entry.aliases) {
      if (alias.from.length > 1) separators.push(alias.separator ?? '');
      for (const value of Object.values(alias.values ?? {})) values.push(value.toLowerCase());
    }
  }
  return { values, separators };
}

/** channel → event id → aliases. */
const aliasTable = new Map<string, Map<number, readonly FieldAlias[]>>();
for (const entry of EVTX_FIELD_ALIASES) {
  let byId = aliasTable.get(entry.channel);
  if (byId === undefined) aliasTable.set(entry.channel, (byId = new Map()));
  byId.set(entry.eventId, entry.aliases);
}

/** The event with the aliases of its kind added (the same object when none applies: one Map lookup per event). */
export function withAliases(event: Obj): Obj {
  const channel = event['Channel'];
  if (typeof channel !== 'string') return event;
  const byId = aliasTable.get(channel);
  if (byId === undefined) return event;
  const aliases = byId.get(Number(event['EventID']));
  if (aliases === undefined) return event;
  const added: Obj = {};
  for (const alias of aliases) {
    if (hasOwn(event, alias.field)) continue;
    const parts: unknown[] = [];
    for (const name of alias.from) {
      const value = hasOwn(event, name) ? event[name] : undefined;
      if (typeof value !== 'string' && typeof value !== 'number') break;
      parts.push(value);
    }
    if (parts.length !== alias.from.length) continue;
    // One field keeps its value's type; several are joined as text.
    const value = parts.length === 1 ? parts[0] : parts.join(alias.separator ?? '');
    const key = String(value);
    put(added, alias.field, alias.values !== undefined && hasOwn(alias.values, key) ? alias.values[key] : value);
  }
  return { ...event, ...added };
}
