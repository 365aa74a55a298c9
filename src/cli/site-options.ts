/**
 * `--config FILE` and `--pipeline FILE` (repeatable), shared by compile, build and coverage: reading the project
 * configuration and layering the pipelines before anything is compiled. Any error there stops the command with
 * exit 1 before it reads a rule or writes a file.
 */
import type { Command } from 'commander';
import type { ProjectConfig } from '../config/config.js';
import type { Site } from '../config/site.js';
import { openConfig, resolveSite } from '../config/site.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { CliIo } from './io.js';
import { countBySeverity, printDiagnostics } from './report.js';
import type { TargetList } from './targets.js';
import { resolveTargetIds } from './targets.js';

export interface SiteCliOptions {
  readonly config?: string;
  readonly pipeline?: readonly string[];
}

export function addSiteOptions(command: Command): Command {
  return command
    .option('--config <file>', 'project configuration (default: rulec.config.yml here or in a parent folder)')
    .option(
      '--pipeline <file>',
      'pipeline file layered over the built-in one and the configuration (repeatable)',
      (value: string, previous: string[] = []) => [...previous, value],
    );
}

export type OpenedConfig = ReturnType<typeof openConfig>;

function stopOnErrors(io: CliIo, diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, string>): boolean {
  if (diagnostics.length > 0) printDiagnostics(io, diagnostics, sources);
  return countBySeverity(diagnostics).errors > 0;
}

/**
 * The configuration alone (commands need it for default paths and targets). Its problems are reported by
 * `resolveCliSite` together with those of the pipelines, so one run shows them all.
 */
export function openSiteConfig(registry: TargetList, opts: SiteCliOptions): OpenedConfig {
  return openConfig(registry, {
    cwd: process.cwd(),
    ...(opts.config !== undefined ? { configFile: opts.config } : {}),
  });
}

/** The targets a command builds: those asked for, else those the configuration lists, else all. */
export function chosenTargets(registry: TargetList, asked: readonly string[], config?: ProjectConfig): string[] {
  if (asked.length > 0) return resolveTargetIds(registry, asked);
  return config?.targets ? resolveTargetIds(registry, [...config.targets.keys()]) : registry.map((b) => b.id);
}

/** The layered pipelines of `ids`; undefined after printing errors. */
export function resolveCliSite(
  registry: TargetList,
  ids: readonly string[],
  opts: SiteCliOptions,
  opened: OpenedConfig,
  io: CliIo,
): Site | undefined {
  const site = resolveSite(
    registry,
    ids,
    {
      cwd: process.cwd(),
      ...(opts.config !== undefined ? { configFile: opts.config } : {}),
      pipelineFiles: opts.pipeline ?? [],
    },
    opened,
  );
  return stopOnErrors(io, site.diagnostics, site.sources) ? undefined : site;
}

/** Rule paths: those given, else the configuration's `rules`, else `rules`. */
export function rulePaths(given: readonly string[], config?: ProjectConfig): string[] {
  return given.length > 0 ? [...given] : config?.rules ? [...config.rules] : ['rules'];
}
