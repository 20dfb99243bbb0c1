import type { ServiceIdentifier } from 'inversify';
import type { DirectoryDeps } from './application/directory.deps.ts';

export const DIRECTORY = {
  deps: Symbol.for('sas.directory.deps') as ServiceIdentifier<DirectoryDeps>,
} as const;
