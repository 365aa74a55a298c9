/**
 * Run after `tsc` when the package is built (`npm run build:ts`, and `prepare`, which `npm ci` runs): writes into
 * lib/prebuilt/ what a cold start would otherwise compute on every run.
 */
import { writeTemplates } from './templates-generate.js';
import { writeValidators } from './validators-generate.js';
import { writeYamlSnapshot } from './yaml-generate.js';

writeYamlSnapshot();
writeValidators();
writeTemplates();
