/**
 * What the simulated vendor knows: practitioners (RPPS) with their places of practice, CPTS and SOS Médecins
 * structures, and free slots from now to the end of D+2 (Paris). Generated from a seed: the same seed and the same
 * day give the same practitioners, slots and ids, so a restarted simulator serves the same agenda. Slots are
 * generated per Paris day, lazily, as days come into the window; mutations (booking, move, withdraw, add) are
 * kept in memory for the simulator's life.
 */
import { createHash } from 'node:crypto';
import { isLuhnValid } from '../../../../shared-kernel/ids/siret.id.ts';
import { DEMO_RPPS_PREFIX } from '../../../../shared-kernel/ids/rpps.id.ts';
import { SeededRandom } from '../../../../shared-kernel/random/seeded-random.ts';
import { addParisDays, fromParisLocal, parisDayBounds, parisLocalDate } from '../../../../shared-kernel/time/paris-time.ts';
import type { ConsultationCode, SlotAudience } from '../fhir/sas-fhir.ts';

export interface SimPlace {
  /** PractitionerRole id; the Schedule id is `sch-` + the same suffix. */
  readonly roleId: string;
  readonly scheduleId: string;
  readonly name: string;
  readonly line: string;
  readonly postalCode: string;
  readonly city: string;
  readonly phone: string;
  readonly latitude: number;
  readonly longitude: number;
  /** IDNST of the structure the place belongs to (`3` + SIRET). */
  readonly idnst: string;
}

export interface SimPractitioner {
  readonly id: string;
  readonly rpps: string;
  readonly idnps: string;
  readonly family: string;
  readonly given: string;
  /** TRE_R38 code. */
  readonly specialty: string;
  readonly places: readonly SimPlace[];
  /** Ids of the CPTS the practitioner belongs to. */
  readonly cpts: readonly string[];
}

export interface SimCpts {
  readonly id: string;
  readonly healthcareServiceId: string;
  readonly finess: string;
  /** `1` + FINESS. */
  readonly idnst: string;
  readonly name: string;
  readonly phone: string;
}

export interface SimSosLocation {
  readonly id: string;
  readonly scheduleId: string;
  readonly name: string;
  readonly line: string;
  readonly postalCode: string;
  readonly city: string;
  readonly phone: string;
}

export interface SimSosAssociation {
  readonly id: string;
  readonly siret: string;
  /** `3` + SIRET. */
  readonly idnst: string;
  readonly name: string;
  readonly phone: string;
  readonly locations: readonly SimSosLocation[];
}

export type SlotOwner =
  | { readonly kind: 'practitioner'; readonly rpps: string; readonly roleId: string }
  | { readonly kind: 'sos'; readonly associationId: string; readonly locationId: string };

export interface SimSlot {
  readonly id: string;
  readonly owner: SlotOwner;
  start: Date;
  end: Date;
  consultationTypes: readonly ConsultationCode[];
  /** A consultation reason, sent as a text-only serviceType. */
  readonly reason: string | null;
  readonly audiences: readonly SlotAudience[];
  /** CPTS (ids) the slot is offered through; carries the CPTS audience. */
  readonly cpts: readonly string[];
  readonly appointmentType: 'ROUTINE' | 'WALKIN';
  readonly specialty: string | null;
  status: 'free' | 'booked' | 'withdrawn';
}

export interface SimDataOptions {
  readonly seed: number;
  /** Generated practitioners (a count) or the RPPS numbers to serve. */
  readonly practitioners: number | readonly string[];
  /** With a count: the index of the first generated RPPS (`19` + 8 digits + key). */
  readonly practitionerOffset: number;
  readonly cpts: number;
  /** Share of practitioners who belong to a CPTS. */
  readonly cptsShare: number;
  /** Generated SOS Médecins associations (a count) or the SIRETs to serve. */
  readonly sosMedecins: number | readonly string[];
  /** Slot durations to draw from, in minutes. */
  readonly slotDurations: readonly number[];
  /** Share of slots not shown by the SAS: reserved to professionals (PRO) or to a CPTS (CPTS only). */
  readonly reservedShare: number;
}

const GIVEN = ['Camille', 'Claire', 'Julien', 'Sophie', 'Nicolas', 'Léa', 'Thomas', 'Inès', 'Hugo', 'Manon', 'Karim', 'Nadia', 'Louis', 'Chloé', 'Antoine', 'Élodie'];
const FAMILY = ['MARTIN', 'BERNARD', 'DUBOIS', 'ROUSSEL', 'FABRE', 'GARNIER', 'MERCIER', 'LAMBERT', 'FONTAINE', 'CHEVALIER', 'BLANC', 'GUÉRIN', 'MOREL', 'GIRARD', 'ANDRÉ', 'NGUYEN'];
const SPECIALTIES = ['SM54', 'SM54', 'SM54', 'SM54', 'SM53', 'SM40', 'SM42'];
const STREETS = ['rue de la République', 'avenue Jean Jaurès', 'rue Victor Hugo', 'boulevard Gambetta', 'rue Pasteur', 'allée des Tilleuls', 'place du Marché', 'avenue de la Gare'];
const COMMUNES: readonly { city: string; postalCode: string; lat: number; lon: number }[] = [
  { city: 'Toulouse', postalCode: '31000', lat: 43.6045, lon: 1.444 },
  { city: 'Toulouse', postalCode: '31400', lat: 43.5891, lon: 1.4492 },
  { city: 'Blagnac', postalCode: '31700', lat: 43.6372, lon: 1.3899 },
  { city: 'Colomiers', postalCode: '31770', lat: 43.6112, lon: 1.3346 },
  { city: 'Muret', postalCode: '31600', lat: 43.4614, lon: 1.3267 },
  { city: 'Balma', postalCode: '31130', lat: 43.611, lon: 1.4994 },
];
const REASONS = ['Consultation de soins non programmés', 'Renouvellement', 'Certificat'];
/** Consultation types offered by a block of slots. */
const OFFERS: readonly (readonly ConsultationCode[])[] = [['AMB'], ['AMB'], ['AMB'], ['AMB', 'VR'], ['VR'], ['HH']];

/** The key digit making `body` + key pass the Luhn check (RPPS, FINESS, SIRET all use it). */
export function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (isLuhnValid(`${body}${d}`)) return `${body}${d}`;
  throw new RangeError(`no Luhn key for ${body}`);
}

/** The n-th synthetic RPPS (`19` + 8 digits + key), the numbering of the demo directory. */
export const simRpps = (n: number): string => withLuhn(`${DEMO_RPPS_PREFIX}${String(n).padStart(8, '0')}`);

/** A 32-bit seed from text (FNV-1a). */
export function hashSeed(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

const shortId = (prefix: string, name: string): string => `${prefix}-${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
/** A phone number of the ARCEP fiction block 05 36 49, international form. */
const fictionPhone = (rng: SeededRandom): string => `+33536490${String(rng.int(0, 999)).padStart(3, '0')}`;

export class SimData {
  readonly practitioners = new Map<string, SimPractitioner>();
  readonly cpts = new Map<string, SimCpts>();
  readonly sos = new Map<string, SimSosAssociation>();
  readonly slots = new Map<string, SimSlot>();
  readonly #options: SimDataOptions;
  readonly #generatedDays = new Set<string>();

  constructor(options: SimDataOptions) {
    this.#options = options;
    const rng = new SeededRandom(hashSeed(`structures:${options.seed}`));
    for (let i = 0; i < options.cpts; i++) {
      const finess = withLuhn(`319${String(hashSeed(`cpts:${options.seed}:${i}`) % 100_000).padStart(5, '0')}`);
      const id = `cpts-${finess}`;
      this.cpts.set(id, { id, healthcareServiceId: `hs-${finess}`, finess, idnst: `1${finess}`, name: `CPTS simulée ${i + 1}`, phone: fictionPhone(rng) });
    }
    const sirets = typeof options.sosMedecins === 'number'
      ? Array.from({ length: options.sosMedecins }, (_, i) => withLuhn(`9${String(hashSeed(`sos:${options.seed}:${i}`)).padStart(12, '0').slice(0, 12)}`))
      : options.sosMedecins;
    for (const [i, siret] of sirets.entries()) {
      const id = `sos-${siret}`;
      const locations = Array.from({ length: 1 + (i % 2) }, (_, n) => {
        const commune = rng.pick(COMMUNES);
        const locId = `pfg-${siret}-${n + 1}`;
        return { id: locId, scheduleId: `sch-${locId}`, name: `Centre de consultation SOS Médecins ${commune.city} ${n + 1}`, line: `${rng.int(1, 120)} ${rng.pick(STREETS)}`, postalCode: commune.postalCode, city: commune.city, phone: fictionPhone(rng) };
      });
      this.sos.set(id, { id, siret, idnst: `3${siret}`, name: `SOS Médecins simulé ${i + 1}`, phone: fictionPhone(rng), locations });
    }
    const rppsList = typeof options.practitioners === 'number'
      ? Array.from({ length: options.practitioners }, (_, n) => simRpps(options.practitionerOffset + n))
      : [...new Set(options.practitioners)];
    const cptsIds = [...this.cpts.keys()];
    for (const rpps of rppsList) this.addPractitioner(rpps, cptsIds);
  }

  addPractitioner(rpps: string, cptsIds: readonly string[]): SimPractitioner {
    const rng = new SeededRandom(hashSeed(`practitioner:${this.#options.seed}:${rpps}`));
    const places: SimPlace[] = [];
    const placeCount = rng.chance(0.15) ? 2 : 1;
    for (let n = 1; n <= placeCount; n++) {
      const commune = rng.pick(COMMUNES);
      const family = rng.pick(FAMILY);
      places.push({
        roleId: `pr-${rpps}-${n}`,
        scheduleId: `sch-${rpps}-${n}`,
        name: `Cabinet médical ${commune.city}`,
        line: `${rng.int(1, 180)} ${rng.pick(STREETS)}`,
        postalCode: commune.postalCode,
        city: commune.city,
        phone: fictionPhone(rng),
        latitude: Math.round((commune.lat + (rng.next() - 0.5) / 50) * 10_000) / 10_000,
        longitude: Math.round((commune.lon + (rng.next() - 0.5) / 50) * 10_000) / 10_000,
        idnst: `3${withLuhn(`9${String(hashSeed(`siret:${rpps}:${n}:${family}`)).padStart(12, '0').slice(0, 12)}`)}`,
      });
    }
    let cpts: string[] = [];
    if (cptsIds.length > 0 && rng.chance(this.#options.cptsShare)) {
      cpts = [rng.pick(cptsIds)];
      if (cptsIds.length > 1 && rng.chance(0.1)) cpts = [...new Set([...cpts, rng.pick(cptsIds)])];
    }
    const p: SimPractitioner = { id: `p-${rpps}`, rpps, idnps: `8${rpps}`, family: rng.pick(FAMILY), given: rng.pick(GIVEN), specialty: rng.pick(SPECIALTIES), places, cpts };
    this.practitioners.set(rpps, p);
    return p;
  }

  /** Generates the slots of the Paris days D..D+2 around `now` not generated yet. */
  ensureGenerated(now: Date): void {
    for (let day = 0; day <= 2; day++) {
      const date = parisLocalDate(addParisDays(now, day));
      if (this.#generatedDays.has(date)) continue;
      this.#generatedDays.add(date);
      for (const p of this.practitioners.values()) {
        for (const place of p.places) this.generateDay(date, { kind: 'practitioner', rpps: p.rpps, roleId: place.roleId }, p.specialty, p.cpts);
      }
      for (const a of this.sos.values()) {
        for (const loc of a.locations) this.generateDay(date, { kind: 'sos', associationId: a.id, locationId: loc.id }, null, []);
      }
    }
  }

  generateDay(date: string, owner: SlotOwner, specialty: string | null, cpts: readonly string[]): void {
    const key = owner.kind === 'practitioner' ? owner.roleId : owner.locationId;
    const rng = new SeededRandom(hashSeed(`slots:${this.#options.seed}:${key}:${date}`));
    if (owner.kind === 'practitioner' && !rng.chance(0.8)) return; // a day off
    const duration = rng.pick(this.#options.slotDurations);
    const blocks = owner.kind === 'sos' ? [[9 * 60, 20 * 60]] : [[rng.int(8, 10) * 60, 12 * 60], [rng.int(14, 16) * 60, rng.int(18, 20) * 60]];
    for (const [from, to] of blocks as [number, number][]) {
      const offer = owner.kind === 'sos' ? rng.pick<readonly ConsultationCode[]>([['AMB'], ['AMB', 'VR']]) : rng.pick(OFFERS);
      for (let minute = from; minute + duration <= to; minute += duration) {
        if (rng.chance(0.7)) continue; // already taken at the vendor
        const start = fromParisLocal(date, `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`);
        if (!start.ok) continue; // the spring-forward gap
        const id = shortId('s', `${this.#options.seed}:${key}:${date}:${minute}`);
        this.slots.set(id, {
          id,
          owner,
          start: start.value,
          end: new Date(start.value.getTime() + duration * 60_000),
          consultationTypes: offer,
          reason: rng.chance(0.1) ? rng.pick(REASONS) : null,
          ...this.audience(rng, owner, cpts),
          appointmentType: rng.chance(0.05) ? 'WALKIN' : 'ROUTINE',
          specialty,
          status: 'free',
        });
      }
    }
  }

  /** Who may see a slot: mostly everyone; some reserved to regulators, to professionals or to the CPTS. */
  audience(rng: SeededRandom, owner: SlotOwner, cpts: readonly string[]): { audiences: SlotAudience[]; cpts: string[] } {
    if (owner.kind === 'sos') return { audiences: rng.chance(0.2) ? ['SNP'] : ['PUBLIC'], cpts: [] };
    const viaCpts = cpts.length > 0 && rng.chance(0.6) ? [...cpts] : [];
    if (rng.chance(this.#options.reservedShare)) {
      return viaCpts.length > 0 && rng.chance(0.5) ? { audiences: ['CPTS'], cpts: viaCpts } : { audiences: ['PRO'], cpts: [] };
    }
    const audiences: SlotAudience[] = rng.chance(0.15) ? ['SNP'] : rng.chance(0.2) ? ['PUBLIC', 'SNP'] : ['PUBLIC'];
    return viaCpts.length > 0 ? { audiences: [...audiences, 'CPTS'], cpts: viaCpts } : { audiences, cpts: [] };
  }

  /** Adds a slot by hand (admin API); its id is new. */
  addSlot(slot: Omit<SimSlot, 'id' | 'status'>, name: string): SimSlot {
    const created: SimSlot = { ...slot, id: shortId('s', `added:${name}`), status: 'free' };
    this.slots.set(created.id, created);
    return created;
  }

  /** The end of the search window the guide's clients use: the end of D+2 in Paris. */
  static windowEnd(now: Date): Date {
    return new Date(parisDayBounds(parisLocalDate(addParisDays(now, 2))).end.getTime() - 1000);
  }
}
