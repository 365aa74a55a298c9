/** The `rulec` command line: commander wiring over injectable streams; exit codes 0 ok, 1 errors, 2 usage. */
import { Command, CommanderError } from 'commander';
import { resolve } from 'node:path';
import { buildCommand } from './build-command.js';
import { compileCommand } from './compile-command.js';
import { coverageCommand } from './coverage-command.js';
import type { CliIo } from './io.js';
import type { Registry } from './targets.js';
import { UnknownTargetError } from './targets.js';
import { printable } from '../diagnostics/printable.js';
import { addMatchCommands } from './match.js';
import { predicateFactory } from './predicates.js';
import { runValidate } from './validate.js';

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
      exitCode = await runValidate(
        paths,
        { format: opts.format === 'json' ? 'json' : 'text', targets: registry.map((b) => b.id) },
        io,
      );
    });

  program
    .command('compile')
    .description('print the query (or with --artifact, the artifact files) of rules for one target')
    .requiredOption('-t, --target <target>', `target: ${registry.map((b) => b.id).join(', ')}`)
    .option('--artifact', 'print the deployable artifact files instead of the query')
    .argument('[paths...]', 'rule files or folders', ['rules'])
    .action((paths: string[], opts: { target: string; artifact?: boolean }) => {
      exitCode = compileCommand(paths, { target: opts.target, artifact: Boolean(opts.artifact) }, registry, io);
    });

  program
    .command('build')
    .description('compile every rule for every target into dist-rules/ (atomically), or check it is up to date')
    .argument('[paths...]', 'rule files or folders', ['rules'])
    .option('-o, --out <dir>', 'output folder', 'dist-rules')
    .option('--check', 'write nothing; exit 1 and list the files that differ when the output is stale')
    .option('-t, --targets <ids>', 'comma-separated targets (default: all)')
    .option('--allow-refusals', 'write and exit 0 even when a target refuses a rule (corpus builds)')
    .option('--allow-errors', 'write the rules that compiled even when the build has errors (still exits 1)')
    .option('--wait <seconds>', 'how long to wait for another build of the same output folder', '60')
    .option('--quiet', 'print only errors and the summary')
    .option('--no-cache', 'compile everything even when nothing changed since the last build')
    .action(
      async (
        paths: string[],
        opts: {
          out: string;
          check?: boolean;
          targets?: string;
          allowRefusals?: boolean;
          allowErrors?: boolean;
          wait: string;
          quiet?: boolean;
          cache: boolean;
        },
      ) => {
        exitCode = await buildCommand(
          paths,
          {
            out: resolve(opts.out),
            check: Boolean(opts.check),
            targets: opts.targets ? opts.targets.split(',').map((s) => s.trim()) : [],
            allowRefusals: Boolean(opts.allowRefusals),
            allowErrors: Boolean(opts.allowErrors),
            waitMs: Math.max(0, Number(opts.wait) || 0) * 1000,
            quiet: Boolean(opts.quiet),
            cache: opts.cache,
          },
          registry,
          io,
          produceOptions,
        );
      },
    );

  program
    .command('coverage')
    .description('how many rules each target compiles cleanly, with warnings, or refuses (and why)')
    .argument('[paths...]', 'rule files or folders', ['rules'])
    .option('-t, --targets <ids>', 'comma-separated targets (default: all)')
    .option('--json <file>', 'write the machine-readable report here')
    .option('--markdown <file>', 'write the rules × targets matrix here')
    .action(async (paths: string[], opts: { targets?: string; json?: string; markdown?: string }) => {
      exitCode = await coverageCommand(
        paths,
        {
          targets: opts.targets ? opts.targets.split(',').map((s) => s.trim()) : [],
          ...(opts.json ? { json: opts.json } : {}),
          ...(opts.markdown ? { markdown: opts.markdown } : {}),
        },
        registry,
        io,
        produceOptions,
      );
    });

  const factory = predicateFactory(registry);
  if (factory)
    addMatchCommands(
      program,
      factory,
      io,
      (code) => (exitCode = code),
      (format) =>
        format === 'raw' || format === 'auto' || format === 'evtx' ? undefined : predicateFactory(registry, format),
      registry.flatMap((b) => (b.eventFormat ? [b.eventFormat] : [])),
    );

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UnknownTargetError) {
      io.stderr(`error: ${printable(error.message)}\n`);
      return 2;
    }
    throw error;
  }
  return exitCode;
}
