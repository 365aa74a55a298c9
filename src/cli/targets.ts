/** Turns the registry of backends (passed in by the entry point) into loaded targets. */
import type { Backend, TargetDescriptor, TargetMeta } from '../backend/types.js';
import type { LoadedTarget } from '../compile.js';
import { suggest } from '../detection/suggest.js';
import { loadPipeline } from '../pipeline/load.js';
import { UsageError } from './report.js';
import type { Pipeline } from '../pipeline/types.js';

export type Registry = readonly Backend[];

/** What naming, listing and configuring targets needs: a registry of descriptors or of loaded backends. */
export type TargetList = readonly TargetMeta[];

/** What the entry point passes: descriptors (their code loads on demand) or backends already loaded (tests). */
export type RegistryEntry = Backend | TargetDescriptor;

/** The backends of `ids` (default: every target), loading the code of those not loaded yet, in registry order. */
export async function loadBackends(entries: readonly RegistryEntry[], ids?: readonly string[]): Promise<Backend[]> {
  const wanted = entries.filter((e) => ids === undefined || ids.includes(e.id));
  return Promise.all(wanted.map((e) => ('load' in e ? e.load() : e)));
}

/** A target name on the command line that names no target (or several): a usage error (exit 2). */
export class UnknownTargetError extends UsageError {
  constructor(message: string) {
    super(message, 'RC991');
  }
}

/**
 * The ids of the targets named on the command line. Names are case-insensitive and may be an alias a backend
 * declares (`kusto`, `spl`); an alias two backends declare (`kql`: Kibana's or Kusto's?) is refused as ambiguous,
 * naming both. Each target once, in the order given.
 */
export function resolveTargetIds(registry: TargetList, names: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const exact = registry.find((b) => b.id.toLowerCase() === name);
    const matches = exact ? [exact] : registry.filter((b) => (b.aliases ?? []).some((a) => a.toLowerCase() === name));
    if (matches.length > 1) {
      const which = matches.map((b) => `'${b.id}' for ${b.title}`).join(', ');
      throw new UnknownTargetError(`target name '${raw}' is ambiguous: use ${which}`);
    }
    const backend = matches[0];
    if (!backend) {
      const names = registry.flatMap((b) => [b.id, ...(b.aliases ?? [])]);
      const hint = suggest(name, names);
      const known = registry.map((b) => b.id).join(', ');
      throw new UnknownTargetError(
        `unknown target '${raw}'${hint ? ` (did you mean '${hint}'?)` : ''}; known targets: ${known}`,
      );
    }
    if (!out.includes(backend.id)) out.push(backend.id);
  }
  return out;
}

/** Every target, or those named (ids or aliases, see `resolveTargetIds`). */
export function loadTargets(
  registry: Registry,
  names?: readonly string[],
  pipelines?: Readonly<Record<string, Pipeline>>,
): LoadedTarget[] {
  const ids = names && names.length > 0 ? resolveTargetIds(registry, names) : registry.map((b) => b.id);
  return ids.map((id) => {
    const backend = registry.find((b) => b.id === id)!;
    return { backend, pipeline: pipelines?.[id] ?? loadPipeline(backend.root, backend.id) };
  });
}

/** `-t a,b -t c` → `['a', 'b', 'c']`: commander's collector for the repeatable, comma-separated target option. */
export function collectTargets(value: string, previous: readonly string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

/** The target list a command line names, for the help text: `elastic (kibana), sentinel (kusto), …`. */
export function describeTargets(registry: TargetList): string {
  return registry.map((b) => (b.aliases?.length ? `${b.id} (${b.aliases.join(', ')})` : b.id)).join(', ');
}
