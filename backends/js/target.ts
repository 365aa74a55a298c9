/** The js target as the command line sees it before its code loads (`load` brings the backend). */
import { backendRoot } from '../../src/backend/root.js';
import type { TargetDescriptor, TargetMeta } from '../../src/backend/types.js';

export const meta: TargetMeta = {
  id: 'js',
  title: 'JavaScript predicate module',
  aliases: ['javascript'],
  root: backendRoot('js'),
};

export const target: TargetDescriptor = { ...meta, load: async () => (await import('./index.js')).backend };
