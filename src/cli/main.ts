/** The `rulec` command line: commander wiring over injectable streams; exit codes 0 ok, 1 errors, 2 usage. */
import { Command, CommanderError, Option } from 'commander';
import { resolve } from 'node:path';
import { compileCommand } from './compile-command.js';
import type { CliIo } from './io.js';
import { parseFormat, UsageError } from './report.js';
import type { RegistryEntry, TargetList } from './targets.js';
import { collectTargets, describeTargets, loadBackends, loadTargets } from './targets.js';
import { printable } from '../diagnostics/printable.js';
import { rulecVersion } from './version.js';
import type { SiteCliOptions } from './site-options.js';
import type { Site } from '../config/site.js';
import type { addMatchCommands } from './match.js';
import type { predicateFactory } from './predicates.js';
import type { siteFactory } from './match-site.js';
// Commands other than compile are imported when they run (match and test: when they may run, see below), so a
// cold `rulec compile` loads less.
import { printDiagnostics } from './report.js';
import { addSiteOptions, chosenTargets, openSiteConfig, resolveCliSite, rulePaths } from './site-options.js';

/** Rule paths default to the project configuration's `rules`, else `rules/`. */
const PATHS_HELP = "rule files, folders or glob patterns (default: the configuration's rules, else rules)";

export interface CliOptions {
  /** URL of the module exporting BACKENDS, so builds can use worker threads. */
  readonly registryModule?: string;
}

/** Options every command that selects targets shares. */
interface TargetOpts {
  target?: string[];
  targets?: string[];
}

/**
 * One target option for every command: `-t, --target <ids>`, repeatable and comma-separated. `--targets` (the
 * old spelling of build and coverage) still works but is not advertised.
 */
function withTargetOption(command: Command, registry: TargetList): Command {
  return command
    .option(
      '-t, --target <ids>',
      `target(s), comma-separated or repeated: ${describeTargets(registry)}`,
      collectTargets,
    )
    .addOption(new Option('--targets <ids>').hideHelp().argParser(collectTargets));
}

const targetsOf = (opts: TargetOpts): string[] => [...(opts.target ?? []), ...(opts.targets ?? [])];

const FORMAT_HELP = 'output: text (people), json or sarif (CI, code scanning)';
const FILTERS_HELP = 'a folder (or file) of Sigma filters to apply to the rules; repeat for more';

/** A repeatable option's values, in the order given. */
function collectList(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Commands that never list or run match and test. */
const OWN_MODULE_COMMANDS = new Set(['validate', 'targets', 'explain', 'compile', 'build', 'coverage']);

interface MatchModules {
  readonly addMatchCommands: typeof addMatchCommands;
  readonly predicateFactory: typeof predicateFactory;
  readonly siteFactory: typeof siteFactory;
}

const NO_MATCH: MatchModules = {
  addMatchCommands: () => undefined,
  predicateFactory: () => undefined,
  siteFactory: () => undefined,
};

async function matchModules(): Promise<MatchModules> {
  const [match, predicates, site] = await Promise.all([
    import('./match.js'),
    import('./predicates.js'),
    import('./match-site.js'),
  ]);
  return { ...match, ...predicates, ...site };
}

export async function runCli(
  argv: readonly string[],
  entries: readonly RegistryEntry[],
  io: CliIo,
  cliOptions: CliOptions = {},
): Promise<number> {
  const produceOptions = cliOptions.registryModule ? { registryModule: cliOptions.registryModule } : {};
  let exitCode = 0;
  const program = new Command()
    .name('rulec')
    .description(`Compile Sigma-style detection rules for every target (${entries.map((b) => b.id).join(', ')})`)
    .version(rulecVersion(), '-V, --version', 'print the version of rulec')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  program
    .command('validate')
    .description('check rule files (or folders) and print every problem found')
    .argument('[paths...]', 'rule files, folders or glob patterns', ['rules'])
    .option('--format <format>', FORMAT_HELP, 'text')
    .action(async (paths: string[], opts: { format: string }) => {
      const format = parseFormat(opts.format);
      const registry = await loadBackends(entries);
      const [{ vocabularyOf }, { runValidate }] = await Promise.all([
        import('../checks/vocabulary.js'),
        import('./validate.js'),
      ]);
      // Logsource values and field names the targets' pipelines know, for the "did you mean" warnings.
      const vocabulary = vocabularyOf(loadTargets(registry).map((t) => t.pipeline));
      exitCode = await runValidate(paths, { format, vocabulary, targets: registry.map((b) => b.id) }, io);
    });

  addSiteOptions(
    program.command('targets').description('list the targets, their aliases and their built-in profiles (* = in use)'),
  ).action(async (opts: SiteCliOptions) => {
    const { targetsCommand } = await import('./targets-command.js');
    const registry = await loadBackends(entries);
    const opened = openSiteConfig(entries, opts);
    if (opened.diagnostics.some((d) => d.severity === 'error')) {
      printDiagnostics(io, opened.diagnostics, opened.sources);
      return void (exitCode = 1);
    }
    exitCode = targetsCommand(registry, io, opened.config);
  });

  addSiteOptions(
    withTargetOption(
      program
        .command('explain')
        .description('show which pipeline entries, field mappings and destination a rule gets for a target, and why')
        .argument('<paths...>', 'rule files, folders or glob patterns'),
      entries,
    ),
  ).action(async (paths: string[], opts: TargetOpts & SiteCliOptions) => {
    const { explainCommand } = await import('./explain-command.js');
    const registry = await loadBackends(entries);
    const [target, ...more] = chosenTargets(entries, targetsOf(opts));
    if (target === undefined || more.length > 0 || targetsOf(opts).length === 0)
      throw new UsageError(`explain needs one target: -t, --target <id> (${describeTargets(entries)})`, 'RC993');
    const opened = openSiteConfig(entries, opts);
    const site = resolveCliSite(entries, [target], opts, opened, io);
    if (!site) return void (exitCode = 1);
    exitCode = explainCommand(paths, { target, pipelines: site.pipelines }, registry, io);
  });

  addSiteOptions(
    withTargetOption(
      program
        .command('compile')
        .description('print the query (or with --artifact, the artifact files) of rules for a target')
        .option('--artifact', 'print the deployable artifact files instead of the query')
        .option('--filters <dir>', FILTERS_HELP, collectList, [] as string[])
        .argument('[paths...]', PATHS_HELP),
      entries,
    ),
  ).action(async (paths: string[], opts: TargetOpts & SiteCliOptions & { artifact?: boolean; filters: string[] }) => {
    const asked = targetsOf(opts);
    if (asked.length === 0)
      throw new UsageError(`compile needs a target: -t, --target <id> (${describeTargets(entries)})`, 'RC993');
    const targets = chosenTargets(entries, asked);
    const opened = openSiteConfig(entries, opts);
    const site = resolveCliSite(entries, targets, opts, opened, io);
    if (!site) return void (exitCode = 1);
    // Only the targets asked for are loaded: a cold `rulec compile -t elastic` does not load the other backends.
    exitCode = compileCommand(
      rulePaths(paths, opened.config),
      {
        targets,
        artifact: Boolean(opts.artifact),
        pipelines: site.pipelines,
        filters: opts.filters,
        knownTargets: entries.map((b) => b.id),
      },
      await loadBackends(entries, targets),
      io,
    );
  });

  addSiteOptions(
    withTargetOption(
      program
        .command('build')
        .description('compile every rule for every target into dist-rules/ (atomically), or check it is up to date')
        .argument('[paths...]', PATHS_HELP)
        .option('-o, --out <dir>', "output folder (default: the configuration's out, else dist-rules)")
        .option('--check', 'write nothing; exit 1 and list the files that differ when the output is stale')
        .option('--allow-refusals', 'write and exit 0 even when a target refuses a rule (corpus builds)')
        .option('--allow-errors', 'write the rules that compiled even when the build has errors (still exits 1)')
        .option('--wait <seconds>', 'how long to wait for another build of the same output folder', '60')
        .option('--quiet', 'print only errors and the summary')
        .option('--no-cache', 'compile everything even when nothing changed since the last build')
        .option('--filters <dir>', FILTERS_HELP, collectList, [] as string[])
        .option('--format <format>', FORMAT_HELP, 'text'),
      entries,
    ),
  ).action(
    async (
      paths: string[],
      opts: TargetOpts &
        SiteCliOptions & {
          out?: string;
          check?: boolean;
          allowRefusals?: boolean;
          allowErrors?: boolean;
          wait: string;
          quiet?: boolean;
          cache: boolean;
          format: string;
          filters: string[];
        },
    ) => {
      const format = parseFormat(opts.format);
      const opened = openSiteConfig(entries, opts);
      const out = opts.out !== undefined ? resolve(opts.out) : (opened.config?.out ?? resolve('dist-rules'));
      // An in-place build's check of the output folder runs on another thread while the rest loads, when a core
      // is idle (build/output-check.ts).
      const check = opts.cache && !opts.check ? await import('../build/output-check.js') : undefined;
      const ahead = check?.coreIdle() ? check.checkAhead(out) : undefined;
      const asked = targetsOf(opts);
      const ids = chosenTargets(entries, asked, opened.config);
      const resolveIds = (): Site | undefined => resolveCliSite(entries, ids, opts, opened, io);
      // The built-in site of a cached build is kept in the cache folder (build/site-cache.ts).
      const builtin =
        opts.cache &&
        !opts.check &&
        opened.config === undefined &&
        opened.diagnostics.length === 0 &&
        (opts.pipeline ?? []).length === 0;
      const site = builtin ? (await import('../build/site-cache.js')).builtinSite(ids, resolveIds) : resolveIds();
      if (!site) return void (exitCode = 1);
      const { buildCommand } = await import('./build-command.js');
      const registry = await loadBackends(entries);
      exitCode = await buildCommand(
        rulePaths(paths, opened.config),
        {
          out,
          check: Boolean(opts.check),
          targets: asked.length > 0 || opened.config?.targets ? ids : [],
          allowRefusals: Boolean(opts.allowRefusals),
          allowErrors: Boolean(opts.allowErrors),
          waitMs: Math.max(0, Number(opts.wait) || 0) * 1000,
          quiet: Boolean(opts.quiet),
          cache: opts.cache,
          format,
          filters: opts.filters.map((dir) => resolve(dir)),
          ...(ahead ? { ahead } : {}),
        },
        registry,
        io,
        { ...produceOptions, pipelines: site.pipelines, siteKey: site.key },
      );
    },
  );

  addSiteOptions(
    withTargetOption(
      program
        .command('coverage')
        .description('how many rules each target compiles cleanly, with warnings, or refuses (and why)')
        .argument('[paths...]', PATHS_HELP)
        .option('--json <file>', 'write the machine-readable report (totals and per-rule results) here')
        .option('--markdown <file>', 'write the rules × targets matrix here')
        .option('--format <format>', `${FORMAT_HELP}; json is the --json report`, 'text'),
      entries,
    ),
  ).action(
    async (
      paths: string[],
      opts: TargetOpts & SiteCliOptions & { json?: string; markdown?: string; format: string },
    ) => {
      const format = parseFormat(opts.format);
      const opened = openSiteConfig(entries, opts);
      const ids = chosenTargets(entries, targetsOf(opts), opened.config);
      const site = resolveCliSite(entries, ids, opts, opened, io);
      if (!site) return void (exitCode = 1);
      const { coverageCommand } = await import('./coverage-command.js');
      const registry = await loadBackends(entries);
      exitCode = await coverageCommand(
        rulePaths(paths, opened.config),
        {
          targets: ids,
          format,
          ...(opts.json ? { json: opts.json } : {}),
          ...(opts.markdown ? { markdown: opts.markdown } : {}),
        },
        registry,
        io,
        { ...produceOptions, pipelines: site.pipelines, siteKey: site.key },
      );
    },
  );

  // match and test bring the matcher, worker threads, the rule-test sandbox and a target's pipeline: 70 modules
  // a command named first does not need. They are registered for anything else (help, a typo, match, test).
  const first = argv[0];
  const ownModule = first !== undefined && OWN_MODULE_COMMANDS.has(first);
  const { addMatchCommands, predicateFactory, siteFactory } = ownModule ? NO_MATCH : await matchModules();
  const backends = ownModule ? [] : await loadBackends(entries);
  const factory = predicateFactory(backends);
  if (factory)
    addMatchCommands(
      program,
      factory,
      io,
      (code) => (exitCode = code),
      (format) =>
        format === 'raw' || format === 'auto' || format === 'evtx' ? undefined : predicateFactory(backends, format),
      backends.flatMap((b) => (b.eventFormat ? [b.eventFormat] : [])),
      (opts, format, fallback) => siteFactory(backends, io, opts, format, fallback),
      cliOptions.registryModule,
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      io.stderr(`error[${error.code}]: ${printable(error.message)}\n`);
      return 2;
    }
    throw error;
  }
  return exitCode;
}
