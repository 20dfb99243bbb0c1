import type { ServiceIdentifier } from 'inversify';
import type { StructureDeps } from './application/structures/structure.deps.ts';

/** Services of the directory's structures (FINESS import, platform structures and their members). */
export const DIRECTORY_STRUCTURES = {
  deps: Symbol.for('sas.directory.structures.deps') as ServiceIdentifier<StructureDeps>,
} as const;
