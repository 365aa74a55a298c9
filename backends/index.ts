/**
 * The target registry: the only place that lists targets. Adding a target = one folder under backends/ plus one
 * line here.
 */
import type { Backend } from '../src/backend/types.js';
import { backend as elastic } from './elastic/index.js';
import { backend as js } from './js/index.js';
import { backend as sentinel } from './sentinel/index.js';
import { backend as splunk } from './splunk/index.js';

export const BACKENDS: readonly Backend[] = Object.freeze([elastic, sentinel, splunk, js]);
