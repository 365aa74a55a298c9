/**
 * The target registry: the only place that lists targets. Adding a target = one folder under backends/ plus one
 * line here. Each entry is a descriptor; a command loads the code of the targets it compiles for, only.
 */
import type { TargetDescriptor } from '../src/backend/types.js';
import { target as elastic } from './elastic/target.js';
import { target as js } from './js/target.js';
import { target as sentinel } from './sentinel/target.js';
import { target as splunk } from './splunk/target.js';

export const TARGETS: readonly TargetDescriptor[] = Object.freeze([elastic, sentinel, splunk, js]);
