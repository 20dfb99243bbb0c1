import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { parseFiness } from '../../../shared-kernel/ids/finess.id.ts';
import { parseInseeCommune, parsePostcode } from '../../../shared-kernel/ids/insee-commune.id.ts';
import { parseNationalId, parseRpps } from '../../../shared-kernel/ids/rpps.id.ts';
import { parseSiret } from '../../../shared-kernel/ids/siret.id.ts';
import type { PracticeLocation, PractitionerIdentity } from '../contracts/directory.events.ts';

/**
 * Streaming parser of the public RPPS extraction `PS_LibreAcces_Personne_activite` (pipe-separated, UTF-8, one
 * header line, one line per activity, every line ending with a trailing `|`). Columns are looked up by header
 * NAME, never by position; memory stays constant (one line at a time).
 */

/** The extraction is unusable as a whole: wrong or missing header, unreadable file. */
export class RppsExtractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RppsExtractError';
  }
}

/** Column names by field; alternatives are spellings seen in older copies of the file. */
const COLUMNS = {
  idType: ["Type d'identifiant PP"],
  rpps: ['Identifiant PP'],
  nationalId: ['Identification nationale PP'],
  civility: ["Code civilité d'exercice"],
  familyName: ["Nom d'exercice"],
  givenName: ["Prénom d'exercice"],
  professionCode: ['Code profession'],
  professionLabel: ['Libellé profession'],
  skillTypeCode: ['Code type savoir-faire'],
  skillCode: ['Code savoir-faire'],
  skillLabel: ['Libellé savoir-faire'],
  modeExercice: ['Code mode exercice'],
  siret: ['Numéro SIRET site'],
  finessSite: ['Numéro FINESS site'],
  structureId: ['Identifiant technique de la structure'],
  structureName: ['Raison sociale site'],
  tradeName: ['Enseigne commerciale site'],
  streetNumber: ['Numéro Voie (coord. structure)', 'Numéro Voie (coord. Structure)'],
  repetitionIndex: ['Indice répétition voie (coord. structure)', 'Indice répétition voie (coord. Structure)'],
  streetTypeLabel: ['Libellé type de voie (coord. structure)', 'Libellé type de voie (coord. Structure)'],
  streetName: ['Libellé Voie (coord. structure)', 'Libellé Voie (coord. Structure)'],
  postcode: ['Code postal (coord. structure)', 'Code postal (coord. Structure)'],
  inseeCode: ['Code commune (coord. structure)', 'Code commune (coord. Structure)'],
  communeName: ['Libellé commune (coord. structure)', 'Libellé commune (coord. Structure)'],
  phone: ['Téléphone (coord. structure)', 'Téléphone (coord. Structure)'],
  secteurActivite: ["Code secteur d'activité"],
} as const;

type Field = keyof typeof COLUMNS;

/** One valid activity line: the practitioner's identity and this activity's place of practice. */
export interface RppsRow {
  readonly identity: PractitionerIdentity;
  readonly location: PracticeLocation;
}

export type ParsedLine =
  | { readonly lineNumber: number; readonly row: RppsRow }
  | { readonly lineNumber: number; readonly reject: string; /** Raw `Identifiant PP`, when the line has one. */ readonly rawId: string | null };

export interface ParseOptions {
  /** Known INSEE commune codes: when given, a commune code outside it is rejected. */
  readonly communes?: ReadonlySet<string>;
  /** Called with each line's number as it is read (progress). */
  readonly onLine?: (lineNumber: number) => void;
}

/** Splits a line on `|`, dropping the one trailing empty field the extraction ends every line with. */
function splitLine(line: string): string[] {
  const fields = line.split('|');
  if (fields.length > 1 && fields[fields.length - 1] === '') fields.pop();
  return fields;
}

/** Maps every field to its column index; throws a clear error naming the missing columns. */
export function mapHeader(headerLine: string): { readonly index: Readonly<Record<Field, number>>; readonly width: number } {
  const names = splitLine(headerLine.replace(/^\uFEFF/, '')).map((n) => n.trim());
  const index = {} as Record<Field, number>;
  const missing: string[] = [];
  for (const [field, spellings] of Object.entries(COLUMNS) as [Field, readonly string[]][]) {
    const at = spellings.map((s) => names.indexOf(s)).find((i) => i >= 0);
    if (at === undefined) missing.push(`"${spellings[0]}"`);
    else index[field] = at;
  }
  if (missing.length > 0) {
    throw new RppsExtractError(
      `Not an RPPS extraction (PS_LibreAcces_Personne_activite): the header lacks the column(s) ${missing.join(', ')}.`,
    );
  }
  return { index, width: names.length };
}

const orNull = (value: string): string | null => (value === '' ? null : value);

/** Stable id of an activity: the structure's technical id, or the SIRET/FINESS site and address, hashed. */
export function locationIdOf(parts: {
  structureId: string;
  siret: string | null;
  finessSite: string | null;
  address: readonly (string | null)[];
  structureName: string;
}): string {
  const key = parts.structureId
    ? `structure:${parts.structureId}`
    : `site:${parts.siret ?? ''}:${parts.finessSite ?? ''}:${parts.structureName}:${parts.address.map((a) => a ?? '').join('|')}`;
  return createHash('sha256').update(key).digest('hex').slice(0, 20);
}

/** Validates one data line; returns the row or the reason it is rejected. */
export function parseLine(
  fields: readonly string[],
  header: ReturnType<typeof mapHeader>,
  options: Pick<ParseOptions, 'communes'> = {},
): RppsRow | string {
  if (fields.length !== header.width) {
    return `wrong column count: ${fields.length} fields, expected ${header.width} (a "|" inside a value?)`;
  }
  const get = (field: Field): string => (fields[header.index[field]] ?? '').trim();
  const idType = get('idType');
  if (idType !== '8') return `identifier type "${idType}" is not RPPS (8): only RPPS professionals are imported`;
  const rpps = parseRpps(get('rpps'));
  if (!rpps.ok) return `invalid RPPS "${get('rpps')}": ${rpps.error.message}`;
  const nationalId = parseNationalId(get('nationalId'));
  if (!nationalId.ok || nationalId.value.kind !== 'rpps' || nationalId.value.rpps !== rpps.value) {
    return `national identifier "${get('nationalId')}" does not match RPPS ${rpps.value} (expected 8${rpps.value})`;
  }
  const familyName = get('familyName');
  const givenName = get('givenName');
  if (!familyName) return 'missing "Nom d\'exercice"';
  if (!givenName) return 'missing "Prénom d\'exercice"';
  const professionCode = get('professionCode');
  if (!/^\d{2}$/.test(professionCode)) return `invalid profession code "${professionCode}" (TRE_G15: 2 digits)`;

  const postcodeRaw = get('postcode');
  if (postcodeRaw && !parsePostcode(postcodeRaw).ok) return `invalid postcode "${postcodeRaw}"`;
  const inseeRaw = get('inseeCode').toUpperCase();
  if (inseeRaw) {
    if (!parseInseeCommune(inseeRaw).ok) return `invalid INSEE commune code "${inseeRaw}"`;
    if (options.communes && !options.communes.has(inseeRaw)) return `unknown INSEE commune code "${inseeRaw}"`;
  }
  const siretRaw = get('siret');
  const siret = siretRaw ? parseSiret(siretRaw) : null;
  if (siret && !siret.ok) return `invalid SIRET "${siretRaw}": ${siret.error.message}`;
  const finessRaw = get('finessSite');
  const finess = finessRaw ? parseFiness(finessRaw) : null;
  if (finess && !finess.ok) return `invalid FINESS site "${finessRaw}": ${finess.error.message}`;

  // Only an ordinal specialty (type S, TRE_R38) is a specialty; competences and capacities are other systems.
  const isSpecialty = get('skillTypeCode') === 'S' && get('skillCode') !== '';
  const identity: PractitionerIdentity = {
    rpps: rpps.value,
    nationalId: `8${rpps.value}`,
    civility: orNull(get('civility')),
    givenName,
    familyName,
    professionCode,
    professionLabel: get('professionLabel'),
    specialtyCode: isSpecialty ? get('skillCode') : null,
    specialtyLabel: isSpecialty ? orNull(get('skillLabel')) : null,
  };
  const number = [get('streetNumber'), get('repetitionIndex')].filter(Boolean).join(' ');
  const street = [get('streetTypeLabel'), get('streetName')].filter(Boolean).join(' ');
  const structureName = get('structureName') || get('tradeName');
  const address = [orNull(number), orNull(street), orNull(postcodeRaw), orNull(inseeRaw)];
  const siretValue = siret?.ok ? siret.value : null;
  const finessValue = finess?.ok ? finess.value : null;
  const location: PracticeLocation = {
    locationId: locationIdOf({ structureId: get('structureId'), siret: siretValue, finessSite: finessValue, address, structureName }),
    structureName,
    siret: siretValue,
    finessSite: finessValue,
    streetNumber: orNull(number),
    streetName: orNull(street),
    postcode: orNull(postcodeRaw),
    communeName: orNull(get('communeName')),
    inseeCode: orNull(inseeRaw),
    phone: orNull(get('phone').replace(/\s/g, '')),
    modeExercice: orNull(get('modeExercice')),
    secteurActivite: orNull(get('secteurActivite')),
  };
  return { identity, location };
}

/**
 * Reads an extraction line by line. Throws `RppsExtractError` before yielding anything when the header is
 * missing or wrong; never throws on a malformed data line (it is yielded as a reject). Blank lines are skipped.
 * Line numbers are 1-based and count the header (line 1), so they match an editor's.
 */
export async function* parseRppsExtract(input: Readable, options: ParseOptions = {}): AsyncGenerator<ParsedLine> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let header: ReturnType<typeof mapHeader> | undefined;
  let lineNumber = 0;
  try {
    for await (const raw of lines) {
      lineNumber++;
      options.onLine?.(lineNumber);
      if (!header) {
        header = mapHeader(raw);
        continue;
      }
      if (raw.trim() === '') continue;
      const fields = splitLine(raw);
      const parsed = parseLine(fields, header, options);
      if (typeof parsed === 'string') {
        const rawId = (fields[header.index.rpps] ?? '').trim();
        yield { lineNumber, reject: parsed, rawId: rawId === '' ? null : rawId };
      } else {
        yield { lineNumber, row: parsed };
      }
    }
  } finally {
    lines.close();
  }
  if (!header) throw new RppsExtractError('Not an RPPS extraction: the file is empty (no header line).');
}

/** The reference list of INSEE commune codes (communes and municipal arrondissements), from `communes-fr.csv`. */
export const DEFAULT_COMMUNES_FILE = new URL('../../../../data/reference/communes-fr.csv', import.meta.url);

export function loadCommuneCodes(file: string | URL = DEFAULT_COMMUNES_FILE): ReadonlySet<string> {
  const codes = new Set<string>();
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  for (const line of lines.slice(1)) {
    const code = line.slice(0, line.indexOf(','));
    if (code) codes.add(code.toUpperCase());
  }
  return codes;
}
