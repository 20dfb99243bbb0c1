import type { Readable } from 'node:stream';
import { parseFiness } from '../../../shared-kernel/ids/finess.id.ts';
import { parseInseeCommune } from '../../../shared-kernel/ids/insee-commune.id.ts';
import { isSiret } from '../../../shared-kernel/ids/siret.id.ts';
import { finessStructureId, type StructureKind } from '../contracts/directory.events.ts';
import type { FinessStructureSnapshot } from '../domain/structure.decider.ts';

/**
 * Streaming parser of the public FINESS establishment extraction published by the ministry on data.gouv.fr
 * ("FINESS Extraction du Fichier des établissements", `etalab-cs1100507-stock-AAAAMMJJ-HHMM.csv`, and its
 * geolocation-free twin `etalab-cs1100502-stock-…`), Licence Ouverte.
 *
 * Format (there is no header line; fields are positional):
 * - line 1 is a manifest `finess;etalab;<number>;<extraction date YYYY-MM-DD>`;
 * - every other line is a record whose first field names its type, fields separated by `;`, a field containing
 *   `;` or `"` being double-quoted with `""` for a quote (`"LIEU DE VIE ""MAVOUNA"""`);
 * - `structureet` records describe one establishment (ET) in 32 fields — see `STRUCTUREET_COLUMNS`;
 * - `geolocalisation` records (`geolocalisation;nofinesset;coordxet;coordyet;sourcecoordet;datemaj`, Lambert 93 or
 *   local projections overseas) are not used here: the structure is placed by its INSEE commune code.
 * - encoding: recent files are UTF-8, older ones ISO-8859-1; each line is decoded as UTF-8 when it is valid
 *   UTF-8, else as ISO-8859-1.
 *
 * The column order was taken from published readers of the file (the `structureet` record of the etalab extract:
 * nofinesset, nofinessej, rs, rslongue, complrs, compldistrib, numvoie, typvoie, voie, compvoie, lieuditbp,
 * commune, departement, libdepartement, ligneacheminement, telephone, telecopie, categetab, libcategetab,
 * categagretab, libcategagretab, siret, codeape, codemft, libmft, codesph, libsph, dateouv, dateautor, datemaj,
 * numuai) and checked against real lines such as
 * `structureet;010000024;010780054;CH DE FLEYRIAT;CENTRE HOSPITALIER DE BOURG-EN-BRESSE FLEYRIAT;;;900;RTE;DE PARIS;;;451;01;AIN;01440 VIRIAT;0474454647;0474454114;355;Centre Hospitalier (C.H.);1102;…;2020-02-04;`.
 *
 * `commune` is the 3-digit commune number inside `departement`; `departement` is the INSEE one in metropolitan
 * France (`01`, `2A`) and a FINESS letter code overseas (`9A` Guadeloupe, `9B` Martinique, `9C` Guyane,
 * `9D` La Réunion, `9E` Saint-Pierre-et-Miquelon, `9F` Mayotte, `9J` Wallis-et-Futuna…), whose commune numbers
 * already carry the INSEE third digit (`9D` + `411` is 97411 Saint-Denis, `9J` + `613` is 98613 Uvea).
 */

/** The extraction is unusable as a whole: not a FINESS extraction, unreadable, empty. */
export class FinessExtractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FinessExtractError';
  }
}

/** Fields of a `structureet` record, in file order (0-based index = position). */
export const STRUCTUREET_COLUMNS = [
  'structureet',
  'nofinesset',
  'nofinessej',
  'rs',
  'rslongue',
  'complrs',
  'compldistrib',
  'numvoie',
  'typvoie',
  'voie',
  'compvoie',
  'lieuditbp',
  'commune',
  'departement',
  'libdepartement',
  'ligneacheminement',
  'telephone',
  'telecopie',
  'categetab',
  'libcategetab',
  'categagretab',
  'libcategagretab',
  'siret',
  'codeape',
  'codemft',
  'libmft',
  'codesph',
  'libsph',
  'dateouv',
  'dateautor',
  'datemaj',
  'numuai',
] as const;
type Column = (typeof STRUCTUREET_COLUMNS)[number];
const AT = Object.fromEntries(STRUCTUREET_COLUMNS.map((c, i) => [c, i])) as Record<Column, number>;

/**
 * TRE_R66 (Catégorie d'établissement) codes kept, and the kind of structure they are. Retired codes are kept for
 * older extractions: 125 Centre de Santé Dentaire, 130 Centre de Soins Médicaux, 439 Centre Santé Polyvalent
 * (today all are 124 Centre de Santé). SOS Médecins associations have no FINESS category: they are created on the
 * platform.
 */
export const FINESS_CATEGORY_KINDS: Readonly<Record<string, StructureKind>> = {
  '604': 'cpts', // Communauté Professionnelle Territoriale de Santé (CPTS)
  '603': 'msp', // Maison de santé (L.6223-3)
  '124': 'centre-de-sante', // Centre de Santé
  '125': 'centre-de-sante', // Centre de Santé Dentaire (retired)
  '130': 'centre-de-sante', // Centre de Soins Médicaux (retired)
  '439': 'centre-de-sante', // Centre Santé Polyvalent (retired)
};

/** FINESS overseas letter codes → the two first digits of the INSEE code (the commune number gives the third). */
const OVERSEAS_PREFIX: Readonly<Record<string, string>> = { '9A': '97', '9B': '97', '9C': '97', '9D': '97', '9E': '97', '9F': '97', '9G': '98', '9H': '98', '9J': '98', '9K': '98' };
/** Communes that left Guadeloupe in 2007: FINESS still numbers them in 9A. */
const RENUMBERED: Readonly<Record<string, string>> = { '97123': '97701', '97127': '97801' };

export type FinessLine =
  | { readonly lineNumber: number; readonly structure: FinessStructureSnapshot }
  /** A valid record of no interest here: an establishment of another category, or a geolocation record. */
  | { readonly lineNumber: number; readonly skipped: 'other-category' | 'other-record' }
  | { readonly lineNumber: number; readonly reject: string; /** Raw `nofinesset`, when the line has one. */ readonly rawFiness: string | null };

export interface FinessParseOptions {
  /** Known INSEE commune codes: when given, a commune outside it is rejected. */
  readonly communes?: ReadonlySet<string>;
  /** Called with the manifest's extraction date (YYYY-MM-DD) when the file has one. */
  readonly onManifest?: (manifest: { readonly extractionDate: string | null; readonly raw: string }) => void;
}

/**
 * Splits one record on `;`, honouring double-quoted fields (`""` is a quote inside one). Returns null when a
 * quoted field is not closed or is followed by anything but a separator.
 */
export function splitRecord(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote < 0) return null;
        value += line.slice(i, quote);
        if (line[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      fields.push(value);
      if (i === line.length) return fields;
      if (line[i] !== ';') return null;
      i++;
    } else {
      const separator = line.indexOf(';', i);
      if (separator < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, separator));
      i = separator + 1;
    }
  }
}

/** INSEE commune code of a FINESS (département, commune number) pair, or null when it cannot be one. */
export function inseeCodeOf(departement: string, commune: string): string | null {
  const dep = departement.toUpperCase();
  if (!/^\d{3}$/.test(commune)) return null;
  let code: string;
  if (/^9[A-Z]$/.test(dep)) {
    const prefix = OVERSEAS_PREFIX[dep];
    if (!prefix) return null;
    code = prefix + commune;
  } else if (/^(\d{2}|2A|2B)$/.test(dep)) {
    code = dep + commune;
  } else {
    return null;
  }
  code = RENUMBERED[code] ?? code;
  return parseInseeCommune(code).ok ? code : null;
}

const clean = (value: string | undefined): string => (value ?? '').replace(/\s+/g, ' ').trim();

/** Validates one `structureet` record of a kept category; returns the snapshot or the reason it is rejected. */
export function parseStructureRecord(fields: readonly string[], options: Pick<FinessParseOptions, 'communes'> = {}): FinessStructureSnapshot | string {
  const get = (column: Column): string => clean(fields[AT[column]]);
  const category = get('categetab');
  const kind = FINESS_CATEGORY_KINDS[category];
  if (!kind) return `category "${category}" is not a kept structure category`;
  const finess = parseFiness(get('nofinesset'));
  if (!finess.ok) return `invalid FINESS ET "${get('nofinesset')}": ${finess.error.message}`;
  const name = get('rslongue') || get('rs');
  if (!name) return 'missing name (rs and rslongue are empty)';
  const inseeCode = inseeCodeOf(get('departement'), get('commune'));
  if (!inseeCode) return `invalid commune "${get('commune')}" in département "${get('departement')}"`;
  if (options.communes && !options.communes.has(inseeCode)) return `unknown INSEE commune code "${inseeCode}"`;
  const postcode = /^(\d{5})(\s|$)/.exec(get('ligneacheminement'))?.[1] ?? null;
  const number = [get('numvoie'), get('compvoie')].filter(Boolean).join(' ');
  const street = [[number, get('typvoie'), get('voie')].filter(Boolean).join(' '), get('lieuditbp')].filter(Boolean).join(', ');
  const phone = get('telephone').replace(/[\s.]/g, '');
  const siret = get('siret').replace(/\s/g, '');
  return {
    structureId: finessStructureId(finess.value),
    kind,
    finess: finess.value,
    finessCategory: category,
    siret: isSiret(siret) ? siret : null,
    name,
    address: { inseeCode, postcode, street: street || null },
    phone: /^\d{10}$/.test(phone) ? phone : null,
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const decodeLine = (bytes: Buffer): string => {
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
};

/** Lines of a byte stream (LF or CRLF), as raw bytes, without reading more than one chunk ahead. */
async function* rawLines(input: Readable): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of input) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk), 'utf8');
    pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
    let start = 0;
    for (let nl = pending.indexOf(0x0a, start); nl >= 0; nl = pending.indexOf(0x0a, start)) {
      const end = nl > start && pending[nl - 1] === 0x0d ? nl - 1 : nl;
      yield pending.subarray(start, end);
      start = nl + 1;
    }
    pending = pending.subarray(start);
  }
  if (pending.length > 0) yield pending[pending.length - 1] === 0x0d ? pending.subarray(0, -1) : pending;
}

const RECORD_TYPES = new Set(['structureet', 'geolocalisation']);

/**
 * Reads an extraction line by line. Throws `FinessExtractError` before yielding anything when the first line is
 * neither the manifest nor a FINESS record; never throws on a malformed data line (it is yielded as a reject).
 * Blank lines are skipped. Line numbers are 1-based and count the manifest, so they match an editor's.
 */
export async function* parseFinessExtract(input: Readable, options: FinessParseOptions = {}): AsyncGenerator<FinessLine> {
  let lineNumber = 0;
  let started = false;
  for await (const bytes of rawLines(input)) {
    lineNumber++;
    const line = decodeLine(bytes).replace(/^\uFEFF/, '');
    if (!started) {
      if (line.trim() === '') continue;
      started = true;
      if (/^finess;/i.test(line)) {
        const date = line.split(';')[3]?.trim() ?? '';
        options.onManifest?.({ extractionDate: /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : null, raw: line });
        continue;
      }
      if (!RECORD_TYPES.has(line.slice(0, line.indexOf(';')))) {
        throw new FinessExtractError(
          `Not a FINESS extraction (etalab-cs1100507-stock-…csv): line ${lineNumber} is neither the "finess;etalab;…" manifest nor a "structureet" record.`,
        );
      }
    }
    if (line.trim() === '') continue;
    const fields = splitRecord(line);
    const rawFiness = fields?.[1]?.trim() || null;
    if (!fields) {
      yield { lineNumber, reject: 'unbalanced double quotes', rawFiness: line.split(';')[1]?.trim() || null };
      continue;
    }
    const type = fields[0]!.trim();
    if (type === 'geolocalisation') {
      yield { lineNumber, skipped: 'other-record' };
      continue;
    }
    if (type !== 'structureet') {
      yield { lineNumber, reject: `unknown record type "${type.slice(0, 40)}"`, rawFiness: null };
      continue;
    }
    if (fields.length !== STRUCTUREET_COLUMNS.length) {
      yield { lineNumber, reject: `wrong field count: ${fields.length} fields, expected ${STRUCTUREET_COLUMNS.length} (a ";" inside an unquoted value?)`, rawFiness };
      continue;
    }
    if (!FINESS_CATEGORY_KINDS[clean(fields[AT.categetab])]) {
      yield { lineNumber, skipped: 'other-category' };
      continue;
    }
    const parsed = parseStructureRecord(fields, options);
    if (typeof parsed === 'string') yield { lineNumber, reject: parsed, rawFiness };
    else yield { lineNumber, structure: parsed };
  }
  if (!started) throw new FinessExtractError('Not a FINESS extraction: the file is empty.');
}
