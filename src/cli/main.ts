/** The `rulec` command line: commander wiring over injectable streams; exit codes 0 ok, 1 errors, 2 usage. */
import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { buildCommand } from './build-command.js';
import { compileCommand } from './compile-command.js';
import { coverageCommand } from './coverage-command.js';
import type { CliIo } from './io.js';
import type { Registry } from './targets.js';
import { UnknownTargetError } from './targets.js';
import { addMatchCommands } from './match.js';
import { predicateFactory } from './predicates.js';
import { runValidate } from './validate.js';
import type { SiteCliOptions } from './site-options.js';
import { printDiagnostics } from './report.js';
import { targetsCommand } from './targets-command.js';
import { explainCommand } from './explain-command.js';
import { addSiteOptions, chosenTargets, openSiteConfig, resolveCliSite, rulePaths } from './site-options.js';

/** Rule paths default to the project configuration's `rules`, else `rules/`. */
const PATHS_HELP = "rule files or folders (default: the configuration's rules, else rules)";

export interface CliOptions {
  /** URL of the module exporting BACKENDS, so builds can use worker threads. */
  readonly registryModule?: string;
}

export async function runCli(
  argv: readonly string[],
  registry: Registry,
  io: CliIo,
  cliOptions: CliOptions = {},
): Promise<number> {
  const produceOptions = cliOptions.registryModule ? { registryModule: cliOptions.registryModule } : {};
  let exitCode = 0;
  const program = new Command()
    .name('rulec')
    .description(`Compile Sigma-style detection rules for every target (${registry.map((b) => b.id).join(', ')})`)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  program
    .command('validate')
    .description('check rule files (or folders) and print every problem found')
    .argument('[paths...]', 'rule files or folders', ['rules'])
    .option('--format <format>', 'text or json', 'text')
    .action(async (paths: string[], opts: { format: string }) => {
      exitCode = await runValidate(paths, { format: opts.format === 'json' ? 'json' : 'text' }, io);
    });

  addSiteOptions(
    program.command('targets').description('list the targets and their built-in profiles (* = in use)'),
  ).action((opts: SiteCliOptions) => {
    const opened = openSiteConfig(registry, opts);
    if (opened.diagnostics.some((d) => d.severity === 'error')) {
      printDiagnostics(io, opened.diagnostics, opened.sources);
      return void (exitCode = 1);
    }
    exitCode = targetsCommand(registry, io, opened.config);
  });

  const explain = program
    .command('explain')
    .description('show which pipeline entries, field mappings and destination a rule gets for one target, and why')
    .requiredOption('-t, --target <target>', `target: ${registry.map((b) => b.id).join(', ')}`)
    .argument('<paths...>', 'rule files or folders');
  addSiteOptions(explain).action((paths: string[], opts: { target: string } & SiteCliOptions) => {
    const opened = openSiteConfig(registry, opts);
    const site = resolveCliSite(registry, chosenTargets(registry, [opts.target]), opts, opened, io);
    if (!site) return void (exitCode = 1);
    exitCode = explainCommand(paths, { target: opts.target, pipelines: site.pipelines }, registry, io);
  });

  const compile = program
    .command('compile')
    .description('print the query (or with --artifact, the artifact files) of rules for one target')
    .requiredOption('-t, --target <target>', `target: ${registry.map((b) => b.id).join(', ')}`)
    .option('--artifact', 'print the deployable artifact files instead of the query')
    .argument('[paths...]', PATHS_HELP);
  addSiteOptions(compile).action((paths: string[], opts: { target: string; artifact?: boolean } & SiteCliOptions) => {
    const opened = openSiteConfig(registry, opts);
    const site = resolveCliSite(registry, chosenTargets(registry, [opts.target]), opts, opened, io);
    if (!site) return void (exitCode = 1);
    exitCode = compileCommand(
      rulePaths(paths, opened.config),
      { target: opts.target, artifact: Boolean(opts.artifact), pipelines: site.pipelines },
      registry,
      io,
    );
  });

  const build = program
    .command('build')
    .description('compile every rule for every target into dist-rules/ (atomically), or check it is up to date')
    .argument('[paths...]', PATHS_HELP)
    .option('-o, --out <dir>', "output folder (default: the configuration's out, else dist-rules)")
    .option('--check', 'write nothing; exit 1 and list the files that differ when the output is stale')
    .option('-t, --targets <ids>', 'comma-separated targets (default: all)')
    .option('--allow-refusals', 'exit 0 even when a target refuses a rule (corpus builds)')
    .option('--quiet', 'print only errors and the summary')
    .option('--no-cache', 'compile everything even when nothing changed since the last build');
  addSiteOptions(build).action(
    async (
      paths: string[],
      opts: {
        out?: string;
        check?: boolean;
        targets?: string;
        allowRefusals?: boolean;
        quiet?: boolean;
        cache: boolean;
      } & SiteCliOptions,
    ) => {
      const opened = openSiteConfig(registry, opts);
      const asked = opts.targets ? opts.targets.split(',').map((s) => s.trim()) : [];
      const ids = chosenTargets(registry, asked, opened.config);
      const site = resolveCliSite(registry, ids, opts, opened, io);
      if (!site) return void (exitCode = 1);
      exitCode = await buildCommand(
        rulePaths(paths, opened.config),
        {
          out: opts.out !== undefined ? resolve(opts.out) : (opened.config?.out ?? resolve('dist-rules')),
          check: Boolean(opts.check),
          targets: asked.length > 0 || opened.config?.targets ? ids : [],
          allowRefusals: Boolean(opts.allowRefusals),
          quiet: Boolean(opts.quiet),
          cache: opts.cache,
        },
        registry,
        io,
        { ...produceOptions, pipelines: site.pipelines, siteKey: site.key },
      );
    },
  );

  const coverage = program
    .command('coverage')
    .description('how many rules each target compiles cleanly, with warnings, or refuses (and why)')
    .argument('[paths...]', PATHS_HELP)
    .option('-t, --targets <ids>', 'comma-separated targets (default: all)')
    .option('--json <file>', 'write the machine-readable report here')
    .option('--markdown <file>', 'write the rules × targets matrix here');
  addSiteOptions(coverage).action(
    async (paths: string[], opts: { targets?: string; json?: string; markdown?: string } & SiteCliOptions) => {
      const opened = openSiteConfig(registry, opts);
      const asked = opts.targets ? opts.targets.split(',').map((s) => s.trim()) : [];
      const ids = chosenTargets(registry, asked, opened.config);
      const site = resolveCliSite(registry, ids, opts, opened, io);
      if (!site) return void (exitCode = 1);
      exitCode = await coverageCommand(
        rulePaths(paths, opened.config),
        {
          targets: ids,
          ...(opts.json ? { json: opts.json } : {}),
          ...(opts.markdown ? { markdown: opts.markdown } : {}),
        },
        registry,
        io,
        { ...produceOptions, pipelines: site.pipelines, siteKey: site.key },
      );
    },
  );

  const factory = predicateFactory(registry);
  if (factory)
    addMatchCommands(
      program,
      factory,
      io,
      (code) => (exitCode = code),
      (format) =>
        format === 'raw' || format === 'auto' || format === 'evtx' ? undefined : predicateFactory(registry, format),
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UnknownTargetError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return exitCode;
}
