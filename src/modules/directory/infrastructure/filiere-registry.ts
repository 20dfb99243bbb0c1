/**
 * Loads the filière definitions (one JSON file per filière, `src/modules/directory/filieres/*.json`), validates
 * them (shape with zod; profession and specialty codes against the ANS nomenclatures TRE_G15 and TRE_R38 in
 * data/reference/nos) and answers which filières a professional belongs to. Adding a filière = adding a file.
 * Any invalid file stops the load with an error naming the file and the field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { STRUCTURE_KINDS, type StructureKind } from '../contracts/directory.events.ts';
import { CONSULTATION_TYPES, filiereCovers, type Filiere, type ProfessionalQualification } from '../domain/filiere.ts';

export const DEFAULT_FILIERES_DIR = fileURLToPath(new URL('../filieres/', import.meta.url));
export const DEFAULT_NOS_DIR = fileURLToPath(new URL('../../../../data/reference/nos/', import.meta.url));

const filiereSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug (a-z, 0-9, hyphens)'),
  label: z.string().trim().min(1),
  professions: z.array(z.string().min(1)).min(1, 'must list at least one TRE_G15 profession code'),
  specialties: z.array(z.string().min(1)),
  consultationTypes: z.array(z.enum(CONSULTATION_TYPES)).min(1),
  defaultRadiusKm: z.number().positive().max(200),
  structureKinds: z.array(z.enum(STRUCTURE_KINDS)).optional(),
  default: z.boolean().optional(),
});

export class FiliereDefinitionError extends Error {
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'FiliereDefinitionError';
    this.file = file;
  }
}

type Nomenclature = ReadonlyMap<string, { display: string; deprecated: boolean }>;

/** Reads a NOS TSV (code, display, deprecated). */
export function readNomenclature(path: string): Nomenclature {
  const [header, ...lines] = readFileSync(path, 'utf8').split(/\r?\n/);
  if (header !== 'code\tdisplay\tdeprecated') throw new Error(`${path}: unexpected header "${header}"`);
  const map = new Map<string, { display: string; deprecated: boolean }>();
  for (const line of lines) {
    if (line === '') continue;
    const [code = '', display = '', deprecated = ''] = line.split('\t');
    map.set(code, { display, deprecated: deprecated === 'true' });
  }
  return map;
}

export type LoadOptions = { readonly nosDir?: string };

export class FiliereRegistry {
  private readonly filieres: ReadonlyMap<string, Filiere>;
  private readonly defaultFiliere: Filiere;

  private constructor(filieres: ReadonlyMap<string, Filiere>, defaultFiliere: Filiere) {
    this.filieres = filieres;
    this.defaultFiliere = defaultFiliere;
  }

  /** Loads every `*.json` of `dir`. Throws a `FiliereDefinitionError` naming the file and field on any problem. */
  static loadDirectory(dir: string = DEFAULT_FILIERES_DIR, options: LoadOptions = {}): FiliereRegistry {
    const nosDir = options.nosDir ?? DEFAULT_NOS_DIR;
    const professions = readNomenclature(join(nosDir, 'TRE_G15-ProfessionSante.tsv'));
    const specialties = readNomenclature(join(nosDir, 'TRE_R38-SpecialiteOrdinale.tsv'));
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    if (files.length === 0) throw new FiliereDefinitionError(dir, 'no filière definition (*.json) found');

    const byId = new Map<string, Filiere>();
    for (const file of files) {
      const filiere = parseDefinition(file, readFileSync(join(dir, file), 'utf8'), professions, specialties);
      if (byId.has(filiere.id)) throw new FiliereDefinitionError(file, `field "id": "${filiere.id}" is already defined by another file`);
      byId.set(filiere.id, filiere);
    }
    const defaults = [...byId.values()].filter((f) => f.default === true);
    if (defaults.length !== 1) {
      throw new FiliereDefinitionError(dir, `exactly one filière must have "default": true, found ${defaults.length} (${defaults.map((f) => f.id).join(', ') || 'none'})`);
    }
    return new FiliereRegistry(byId, defaults[0] as Filiere);
  }

  all(): readonly Filiere[] {
    return [...this.filieres.values()];
  }

  byId(id: string): Filiere | null {
    return this.filieres.get(id) ?? null;
  }

  default(): Filiere {
    return this.defaultFiliere;
  }

  /** Ids of the filières a professional belongs to (sorted), e.g. profession 10 + SM54 → ["medecine-generale"]. */
  forProfessional(who: ProfessionalQualification): string[] {
    return this.all()
      .filter((f) => filiereCovers(f, who))
      .map((f) => f.id);
  }

  /** Ids of the filières a structure of this kind offers itself (sorted; none for most kinds). */
  forStructure(kind: StructureKind): string[] {
    return this.all()
      .filter((f) => f.structureKinds?.includes(kind))
      .map((f) => f.id);
  }
}

function parseDefinition(file: string, text: string, professions: Nomenclature, specialties: Nomenclature): Filiere {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FiliereDefinitionError(file, `not valid JSON (${(cause as Error).message})`);
  }
  const parsed = filiereSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `field "${i.path.join('.') || '(root)'}": ${i.message}`);
    throw new FiliereDefinitionError(file, issues.join('; '));
  }
  const f = parsed.data;
  if (`${f.id}.json` !== basename(file)) throw new FiliereDefinitionError(file, `field "id": "${f.id}" must match the file name (${f.id}.json)`);
  f.professions.forEach((code, i) => checkCode(file, `professions.${i}`, code, professions, 'TRE_G15 profession'));
  f.specialties.forEach((code, i) => checkCode(file, `specialties.${i}`, code, specialties, 'TRE_R38 specialty'));
  const filiere: Filiere = {
    id: f.id,
    label: f.label,
    professions: f.professions,
    specialties: f.specialties,
    consultationTypes: [...new Set(f.consultationTypes)],
    defaultRadiusKm: f.defaultRadiusKm,
    ...(f.structureKinds ? { structureKinds: [...new Set(f.structureKinds)] } : {}),
  };
  return f.default === undefined ? filiere : { ...filiere, default: f.default };
}

function checkCode(file: string, field: string, code: string, nomenclature: Nomenclature, what: string): void {
  const concept = nomenclature.get(code);
  if (!concept) throw new FiliereDefinitionError(file, `field "${field}": unknown ${what} code "${code}"`);
  // NOS: deprecated codes are kept for reading old data, never offered for new definitions.
  if (concept.deprecated) throw new FiliereDefinitionError(file, `field "${field}": ${what} code "${code}" (${concept.display}) is deprecated`);
}
