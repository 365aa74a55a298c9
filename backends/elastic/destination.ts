/**
 * Typed view of the Elastic pipeline's `destination` data (backends/elastic/pipeline/*.yml). The data is rulec's
 * own, so a malformed entry is a programming error and throws.
 */

export interface ElasticDestination {
  /** Index patterns searched by the rule. */
  readonly index: readonly string[];
  /** Elastic "Domain: …" tag (e.g. `Cloud`), when the data has one. */
  readonly domain?: string;
  /** Elastic "Data Source: …" tags (e.g. `Microsoft 365`). */
  readonly dataSources: readonly string[];
  /** Fleet packages the rule needs, for `related_integrations`. */
  readonly relatedIntegrations: readonly { readonly package: string; readonly version: string }[];
  /**
   * Target fields whose values have one canonical spelling (set by the ingest pipeline or by the source as a fixed
   * vocabulary), so a case-sensitive KQL match on the canonical spelling equals Sigma's case-insensitive one.
   */
  readonly caseExact: ReadonlySet<string>;
}

function stringList(value: unknown, key: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw new Error(`elastic pipeline: destination.${key} must be a list of strings`);
  return value as string[];
}

export function readDestination(data: Readonly<Record<string, unknown>>): ElasticDestination {
  const domain = data['domain'];
  if (domain !== undefined && typeof domain !== 'string')
    throw new Error('elastic pipeline: destination.domain must be a string');
  const integrations = data['relatedIntegrations'] ?? [];
  if (
    !Array.isArray(integrations) ||
    integrations.some(
      (i) =>
        typeof i !== 'object' ||
        i === null ||
        typeof (i as Record<string, unknown>)['package'] !== 'string' ||
        typeof (i as Record<string, unknown>)['version'] !== 'string',
    )
  )
    throw new Error('elastic pipeline: destination.relatedIntegrations must be a list of {package, version}');
  return {
    index: stringList(data['index'], 'index'),
    ...(domain !== undefined ? { domain } : {}),
    dataSources: stringList(data['dataSources'], 'dataSources'),
    relatedIntegrations: (integrations as { package: string; version: string }[]).map((i) => ({
      package: i.package,
      version: i.version,
    })),
    caseExact: new Set(stringList(data['caseExact'], 'caseExact')),
  };
}
