/**
 * The `yaml` package, loaded on first use. It is ~80 CommonJS modules, and most runs never need it: rule files are
 * read with js-yaml (./fast-load.ts), positions mostly come from the light scanner (./light-locate.ts) and rulec's
 * own YAML data from the package-build snapshot (../prebuilt/yaml-snapshot.ts). Its Node entry point is CommonJS,
 * so `require` gives the very module instance an `import` would.
 */
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

type Yaml = typeof YamlModule;

const require = createRequire(import.meta.url);
let lib: Yaml | undefined;

export function yamlLib(): Yaml {
  return (lib ??= require('yaml') as Yaml);
}
