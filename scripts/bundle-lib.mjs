// Bundles the CLI's main-thread entries of lib/ (tsc's output) into lib/bundle/, which bin/rulec.js runs when it is
// there: a cold `rulec` otherwise spends a good part of its start resolving, reading and linking some 200 ES modules
// one by one. Code splitting keeps the lazy imports lazy (each backend, each command), so a compile still loads
// only its target. Worker threads (build and match workers, the backend registry they import) stay on the
// unbundled lib/ files. Run by `npm run build:ts` after tsc.
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'lib');
const outdir = join(lib, 'bundle');
/** The modules bin/rulec.js imports; each becomes lib/bundle/<name>.js. */
const entries = ['src/cli/main.js', 'src/cli/io.js', 'backends/targets.js'];

/**
 * Every `import.meta.url` keeps meaning the module's own lib/ file: rulec finds its package root, prebuilt files,
 * worker entries and dependencies (createRequire) from there. Chunks all sit in lib/bundle/, so the lib/ file is
 * a fixed relative URL from any of them; `base` names the bundle's own URL (`import.meta.url` in an ES module; the
 * script bundle has none, and src/cli/code-cache.ts passes it as `__rulecBundleUrl`).
 */
const ownUrl = (base) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = relative(outdir, args.path).split(sep).join('/');
      return {
        contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, ${base}).href`),
        loader: 'js',
      };
    });
  },
});

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: entries.map((entry) => join(lib, entry)),
  outdir,
  entryNames: '[name]',
  chunkNames: 'chunk-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  logLevel: 'warning',
  plugins: [ownUrl('import.meta.url')],
});

/**
 * The same entries as one CommonJS script, lib/bundle/cli.cjs, which bin/rulec.js runs through
 * src/cli/code-cache.ts so that V8 keeps the code it compiles (Node 20 keeps none for ES modules). The lazy
 * imports stay lazy: each imported module is evaluated when first imported, as in the chunks above.
 */
const scriptEntry = join(outdir, 'cli-entry.mjs');
const from = (entry) => JSON.stringify(join(lib, entry));
await writeFile(
  scriptEntry,
  `export { runCli } from ${from(entries[0])};\nexport { processIo } from ${from(entries[1])};\nexport { TARGETS } from ${from(entries[2])};\n`,
);
try {
  await build({
    entryPoints: [scriptEntry],
    outfile: join(outdir, 'cli.cjs'),
    bundle: true,
    format: 'cjs',
    // The script runs in a function (code-cache.ts): strict as the ES modules it is made of.
    banner: { js: '"use strict";' },
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
    plugins: [ownUrl('__rulecBundleUrl')],
  });
} finally {
  await rm(scriptEntry, { force: true });
}
