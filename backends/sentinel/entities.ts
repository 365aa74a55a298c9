/**
 * Sentinel entity mappings from the table a rule queries (data: ./entities.yml). Sentinel links an alert to hosts,
 * accounts, processes, files, IPs, URLs and registry keys only through `entityMappings`; without them an incident
 * has no entities to pivot on.
 */
import { join } from 'node:path';
import { backendRoot } from '../../src/backend/root.js';
import { readPackageYaml } from '../../src/prebuilt/yaml-snapshot.js';

export interface EntityMapping {
  readonly entityType: string;
  readonly fieldMappings: readonly { readonly identifier: string; readonly columnName: string }[];
}

/** Sentinel's limits for a Scheduled rule (QueryBasedTemplateInternalModel): entities per rule, identifiers each. */
export const MAX_ENTITIES = 10;
export const MAX_IDENTIFIERS = 3;

/**
 * Identifiers Sentinel accepts per entity type, and the ones of which an entity needs at least one (Azure-Sentinel
 * EntityMappingIdentifiers.cs; the entity types rulec maps).
 */
export const ENTITY_IDENTIFIERS: Readonly<Record<string, { all: readonly string[]; required: readonly string[] }>> = {
  Account: {
    all: [
      'Name',
      'FullName',
      'NTDomain',
      'DnsDomain',
      'UPNSuffix',
      'Sid',
      'AadTenantId',
      'AadUserId',
      'PUID',
      'IsDomainJoined',
      'DisplayName',
      'ObjectGuid',
      'CloudAppAccountId',
    ],
    required: ['FullName', 'Sid', 'Name', 'AadUserId', 'PUID', 'ObjectGuid'],
  },
  AzureResource: { all: ['ResourceId'], required: ['ResourceId'] },
  DNS: { all: ['DomainName'], required: ['DomainName'] },
  File: { all: ['Directory', 'Name'], required: ['Name'] },
  Host: {
    all: [
      'DnsDomain',
      'NTDomain',
      'HostName',
      'FullName',
      'NetBiosName',
      'AzureID',
      'OMSAgentID',
      'OSFamily',
      'OSVersion',
      'IsDomainJoined',
    ],
    required: ['FullName', 'HostName', 'NetBiosName', 'AzureID', 'OMSAgentID'],
  },
  IP: { all: ['Address'], required: ['Address'] },
  Process: {
    all: ['ProcessId', 'CommandLine', 'ElevationToken', 'CreationTimeUtc'],
    required: ['CommandLine', 'ProcessId'],
  },
  RegistryKey: { all: ['Hive', 'Key'], required: ['Key', 'Hive'] },
  RegistryValue: { all: ['Name', 'Value', 'ValueType'], required: ['Name'] },
  URL: { all: ['Url'], required: ['Url'] },
};

/** Sentinel's column-name pattern for entity mappings. */
const COLUMN = /^[a-zA-Z_]+\w*$/;

let table: ReadonlyMap<string, readonly EntityMapping[]> | undefined;

/** Problems in the entity data; empty when it is valid. Exported for the data's test. */
export function checkEntityData(tables: Readonly<Record<string, readonly EntityMapping[]>>): string[] {
  const problems: string[] = [];
  for (const [name, entities] of Object.entries(tables)) {
    if (entities.length > MAX_ENTITIES) problems.push(`${name}: ${entities.length} entities, at most ${MAX_ENTITIES}`);
    for (const entity of entities) {
      const where = `${name} ${entity.entityType}`;
      const known = ENTITY_IDENTIFIERS[entity.entityType];
      if (!known) {
        problems.push(`${where}: unknown entity type`);
        continue;
      }
      const ids = entity.fieldMappings.map((m) => m.identifier);
      if (ids.length === 0 || ids.length > MAX_IDENTIFIERS)
        problems.push(`${where}: ${ids.length} identifiers, 1 to ${MAX_IDENTIFIERS}`);
      if (new Set(ids).size !== ids.length) problems.push(`${where}: an identifier appears twice`);
      for (const m of entity.fieldMappings) {
        if (!known.all.includes(m.identifier)) problems.push(`${where}: '${m.identifier}' is not an identifier`);
        if (!COLUMN.test(m.columnName)) problems.push(`${where}: column '${m.columnName}' is not a valid name`);
      }
      if (!ids.some((id) => known.required.includes(id)))
        problems.push(`${where}: needs one of ${known.required.join(', ')}`);
    }
  }
  return problems;
}

/** The entity data, per table, in Sentinel's `entityMappings` shape. */
export function entityTable(): ReadonlyMap<string, readonly EntityMapping[]> {
  if (table) return table;
  const raw = readPackageYaml(join(backendRoot('sentinel'), 'entities.yml')) as {
    tables: Record<string, { entityType: string; fieldMappings: Record<string, string> }[]>;
  };
  const tables: Record<string, EntityMapping[]> = {};
  for (const [name, entities] of Object.entries(raw.tables))
    tables[name] = entities.map((e) => ({
      entityType: e.entityType,
      fieldMappings: Object.entries(e.fieldMappings).map(([identifier, columnName]) => ({ identifier, columnName })),
    }));
  const problems = checkEntityData(tables);
  // The data ships with rulec and is checked by its tests; a broken file is a packaging bug, not a rule problem.
  if (problems.length > 0) throw new Error(`backends/sentinel/entities.yml: ${problems.join('; ')}`);
  return (table = new Map(Object.entries(tables)));
}

/**
 * The entity mappings for a query over `tableName`. When the pipeline declares the table's columns (`fieldTypes`),
 * a mapping whose column is absent or dynamic is dropped (an entity needs a scalar column the query returns), and
 * an entity left without its required identifier is dropped with it.
 */
export function entityMappingsFor(
  tableName: string,
  fieldTypes: Readonly<Record<string, string>>,
): EntityMapping[] | undefined {
  const entities = entityTable().get(tableName);
  if (!entities) return undefined;
  const typed = Object.keys(fieldTypes).length > 0;
  const out: EntityMapping[] = [];
  for (const entity of entities) {
    const fieldMappings = entity.fieldMappings.filter(
      (m) => !typed || (fieldTypes[m.columnName] !== undefined && fieldTypes[m.columnName] !== 'dynamic'),
    );
    const required = ENTITY_IDENTIFIERS[entity.entityType]?.required ?? [];
    if (fieldMappings.some((m) => required.includes(m.identifier)))
      out.push({ entityType: entity.entityType, fieldMappings });
  }
  return out.length > 0 ? out : undefined;
}

/** What a column is to an entity: its type, which entity of the source it belongs to, and the identifier. */
export interface ColumnEntity {
  readonly entityType: string;
  /** Tells two entities of one type apart (SecurityEvent's subject and target accounts). */
  readonly entity: number;
  readonly identifier: string;
}

/** Column → what it identifies, in a list of entity mappings (a table's, or a correlation's output). */
export function columnEntities(mappings: readonly EntityMapping[]): ReadonlyMap<string, ColumnEntity> {
  const out = new Map<string, ColumnEntity>();
  mappings.forEach((m, entity) => {
    for (const f of m.fieldMappings)
      if (!out.has(f.columnName)) out.set(f.columnName, { entityType: m.entityType, entity, identifier: f.identifier });
  });
  return out;
}

/**
 * The entity mappings of a correlation's result rows, whose columns are its group-by columns: `columns[g]` is the
 * output column of group-by entry g, and `sources[i][g]` what it is in the rows of referenced source i (its column
 * and that source's column → entity map). An output column identifies an entity only when every source agrees on
 * the entity type and identifier of the column it came from (an alias may read a different entity per rule: then
 * it identifies none); its entity is the first source's. Entities keep Sentinel's limits and required identifiers.
 */
export function correlationEntities(
  columns: readonly string[],
  sources: readonly { readonly map: ReadonlyMap<string, ColumnEntity>; readonly groupBy: readonly string[] }[],
): EntityMapping[] {
  const entities = new Map<
    string,
    { entityType: string; fieldMappings: { identifier: string; columnName: string }[] }
  >();
  columns.forEach((column, g) => {
    if (!COLUMN.test(column)) return;
    const found = sources.map((s) => s.map.get(s.groupBy[g]!));
    const first = found[0];
    if (!first || found.some((f) => f?.entityType !== first.entityType || f.identifier !== first.identifier)) return;
    const key = `${first.entityType}#${first.entity}`;
    const entity = entities.get(key) ?? { entityType: first.entityType, fieldMappings: [] };
    if (
      entity.fieldMappings.length >= MAX_IDENTIFIERS ||
      entity.fieldMappings.some((m) => m.identifier === first.identifier)
    )
      return;
    entity.fieldMappings.push({ identifier: first.identifier, columnName: column });
    entities.set(key, entity);
  });
  return [...entities.values()]
    .filter((e) => e.fieldMappings.some((m) => ENTITY_IDENTIFIERS[e.entityType]?.required.includes(m.identifier)))
    .slice(0, MAX_ENTITIES);
}
