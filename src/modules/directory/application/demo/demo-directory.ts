/**
 * Synthetic directory for demos and benchmarks: practitioners spread over the real communes in proportion to
 * their population, with the profession mix of the French register, written as the same events an RPPS import
 * produces. Deterministic for a given seed. RPPS numbers are drawn from the range `19xxxxxxxxx` (with a valid
 * Luhn key), which the real register does not use, so demo practitioners can never be mistaken for real ones.
 * It also registers one SOS Médecins association, in the scale's most populous commune, with the demo SIRET the
 * embedded vendor simulator publishes its slots under.
 */
import { metadataFor, systemActor, type CommandContext, type EventEnvelope } from '../../../../shared-kernel/events/envelope.ts';
import type { StreamAppend } from '../../../../shared-kernel/event-store/event-store.port.ts';
import { DEMO_RPPS_PREFIX } from '../../../../shared-kernel/ids/rpps.id.ts';
import { DEMO_SOS_MEDECINS_SIRET } from '../../../../shared-kernel/ids/siret.id.ts';
import { cumulativeWeights, SeededRandom } from '../../../../shared-kernel/random/seeded-random.ts';
import { practitionerStreamName, structureStreamName, type PracticeLocation, type PractitionerIdentity } from '../../contracts/directory.events.ts';
import type { Commune } from '../../domain/geocoding/commune.ts';
import { practitionerDecider } from '../../domain/practitioner.decider.ts';
import { structureDecider, type RegisterOnPlatform } from '../../domain/structure.decider.ts';
import type { DirectoryDeps } from '../directory.deps.ts';

export type DemoScale = { readonly kind: 'national' } | { readonly kind: 'department'; readonly departement: string };

/** Practitioners in the national data set: above the ~300,000 the search benchmark asks for. */
export const NATIONAL_PRACTITIONERS = 320_000;
/** Share of practitioners with a second place of practice (gives ≥ 350,000 places nationally). */
const SECOND_LOCATION = 0.2;

/** Profession mix (TRE_G15 / TRE_R38), close to the register's proportions among the filières' professions. */
const MIX: readonly { weight: number; professionCode: string; professionLabel: string; specialtyCode: string | null; specialtyLabel: string | null; civility: string | null }[] = [
  { weight: 34, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM54', specialtyLabel: 'Médecine générale (SM)', civility: 'DR' },
  { weight: 4, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM53', specialtyLabel: 'Spécialiste en Médecine générale (SM)', civility: 'DR' },
  { weight: 5, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM42', specialtyLabel: 'Psychiatrie (SM)', civility: 'DR' },
  { weight: 1, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM43', specialtyLabel: 'Psychiatrie, option enfant et adolescent (SM)', civility: 'DR' },
  { weight: 3, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM04', specialtyLabel: 'Cardiologie et Maladies vasculaires (SM)', civility: 'DR' },
  { weight: 2, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM15', specialtyLabel: 'Dermatologie et Vénéréologie (SM)', civility: 'DR' },
  { weight: 3, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM20', specialtyLabel: 'Gynécologie-obstétrique (SM)', civility: 'DR' },
  { weight: 3, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM40', specialtyLabel: 'Pédiatrie (SM)', civility: 'DR' },
  { weight: 3, professionCode: '10', professionLabel: 'Médecin', specialtyCode: 'SM38', specialtyLabel: 'Ophtalmologie (SM)', civility: 'DR' },
  { weight: 17, professionCode: '40', professionLabel: 'Chirurgien-Dentiste', specialtyCode: null, specialtyLabel: null, civility: 'DR' },
  { weight: 10, professionCode: '50', professionLabel: 'Sage-Femme', specialtyCode: null, specialtyLabel: null, civility: null },
  { weight: 15, professionCode: '70', professionLabel: 'Masseur-Kinésithérapeute', specialtyCode: null, specialtyLabel: null, civility: null },
];
const MIX_WEIGHTS = cumulativeWeights(MIX.map((m) => m.weight));

const GIVEN = ['Marie', 'Jean', 'Camille', 'Nicolas', 'Julie', 'Pierre', 'Claire', 'Thomas', 'Sophie', 'Julien', 'Laura', 'Antoine', 'Emma', 'Lucas', 'Chloé', 'Hugo', 'Inès', 'Louis', 'Léa', 'Mathieu', 'Sarah', 'Maxime', 'Manon', 'Alexandre', 'Pauline', 'Romain', 'Élodie', 'Olivier', 'Anne', 'François', 'Hélène', 'Karim', 'Nadia', 'Mehdi', 'Yasmine', 'Benoît', 'Céline', 'Guillaume', 'Isabelle', 'Stéphane', 'Aurélie', 'Vincent', 'Amandine', 'Sébastien', 'Nathalie', 'Loïc', 'Margaux', 'Rémi', 'Agathe', 'Gaëlle'];
const FAMILY = ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Lefebvre', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'François', 'Martinez', 'Legrand', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Muller', 'Henry', 'Roussel', 'Nicolas', 'Perrin', 'Morin', 'Mathieu', 'Clément', 'Gauthier', 'Dumont', 'Lopez', 'Fontaine', 'Chevalier', 'Robin', 'Masson', 'Sanchez', 'Gérard', 'Nguyen', 'Boyer', 'Denis', 'Lemaire', 'Duval', 'Joly', 'Gautier', 'Roger', 'Roche', 'Roy', 'Noël', 'Meyer', 'Lucas', 'Meunier', 'Jean', 'Pérez', 'Marchand', 'Dufour', 'Blanchard', 'Marie', 'Barbier', 'Brun', 'Dumas', 'Brunet', 'Schmitt', 'Leroux', 'Colin', 'Fernandez', 'Pierre', 'Renard', 'Arnaud', 'Rolland', 'Caron', 'Aubert', 'Giraud', 'Leclerc', 'Vidal', 'Bourgeois', 'Renaud', 'Lemoine', 'Picard', 'Gaillard', 'Philippe', 'Leclercq', 'Lacroix', 'Fabre', 'Dupuis'];
const STREETS = ['Rue de la République', 'Avenue Jean Jaurès', 'Place de la Mairie', 'Rue Victor Hugo', 'Boulevard Gambetta', 'Rue du Général de Gaulle', 'Avenue de la Gare', 'Rue Pasteur', 'Rue des Écoles', 'Grande Rue', 'Rue du Moulin', 'Chemin des Vignes', 'Allée des Tilleuls', 'Rue Nationale', 'Avenue Foch', 'Rue Voltaire', 'Rue de l’Église', 'Place du Marché', 'Rue Émile Zola', 'Avenue de la Libération'];
const STRUCTURES = ['Cabinet médical', 'Maison de santé', 'Cabinet', 'Centre médical', 'Pôle santé', 'Cabinet de groupe'];

/** Phone prefixes of the metropolitan zones (01 Île-de-France … 05 Sud-Ouest); overseas use 05 too here. */
const ZONE_BY_REGION: Record<string, string> = { '11': '01', '24': '02', '28': '02', '52': '02', '53': '02', '27': '03', '32': '03', '44': '03', '84': '04', '93': '04', '94': '04', '75': '05', '76': '05' };

export interface DemoPractitioner {
  readonly identity: PractitionerIdentity;
  readonly locations: readonly PracticeLocation[];
}

/** Luhn key of the 10 first digits, making an 11-digit number the RPPS validator accepts. */
export function withLuhnKey(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

/** The RPPS of the n-th demo practitioner (n ≥ 0): `19` + 8 digits + Luhn key. */
export const demoRpps = (n: number): string => withLuhnKey(`${DEMO_RPPS_PREFIX}${String(n).padStart(8, '0')}`);

/** Communes where practitioners settle: arrondissements instead of Paris/Lyon/Marseille as a whole. */
function settlements(communes: readonly Commune[], scale: DemoScale): Commune[] {
  const withArrondissements = new Set(communes.filter((c) => c.kind === 'arrondissement-municipal').map((c) => c.parentInseeCode));
  return communes.filter(
    (c) => c.point !== null && c.population > 0 && !withArrondissements.has(c.inseeCode) && (scale.kind === 'national' || c.departement === scale.departement),
  );
}

/** How many practitioners a scale gets: the national count times the zone's share of the population. */
export function practitionersFor(communes: readonly Commune[], scale: DemoScale): number {
  if (scale.kind === 'national') return NATIONAL_PRACTITIONERS;
  const national = settlements(communes, { kind: 'national' }).reduce((s, c) => s + c.population, 0);
  const local = settlements(communes, scale).reduce((s, c) => s + c.population, 0);
  return Math.round((NATIONAL_PRACTITIONERS * local) / national);
}

/** Generates the practitioners of a scale, lazily and deterministically. */
export function* generateDemoPractitioners(communes: readonly Commune[], scale: DemoScale, seed = 2026): Generator<DemoPractitioner> {
  const places = settlements(communes, scale);
  if (places.length === 0) throw new RangeError(scale.kind === 'department' ? `Aucune commune connue pour le département ${scale.departement}.` : 'Aucune commune.');
  const weights = cumulativeWeights(places.map((c) => c.population));
  const byDepartement = new Map<string, Commune[]>();
  for (const c of places) byDepartement.set(c.departement, [...(byDepartement.get(c.departement) ?? []), c]);
  const depWeights = new Map([...byDepartement].map(([d, list]) => [d, cumulativeWeights(list.map((c) => c.population))]));
  const radius = settlementRadii(communes);
  const count = practitionersFor(communes, scale);
  // Numbers are spread per département so the department scale and the national one never collide.
  const offset = scale.kind === 'department' ? 90_000_000 : 0;
  const rng = new SeededRandom(seed);
  for (let n = 0; n < count; n++) {
    const kind = rng.pickWeighted(MIX, MIX_WEIGHTS);
    const rpps = demoRpps(offset + n);
    const identity: PractitionerIdentity = {
      rpps,
      nationalId: `8${rpps}`,
      civility: kind.civility,
      givenName: rng.pick(GIVEN),
      familyName: rng.pick(FAMILY).toUpperCase(),
      professionCode: kind.professionCode,
      professionLabel: kind.professionLabel,
      specialtyCode: kind.specialtyCode,
      specialtyLabel: kind.specialtyLabel,
    };
    const first = rng.pickWeighted(places, weights);
    const locations = [location(rng, rpps, 1, first, radius)];
    if (rng.chance(SECOND_LOCATION)) {
      const near = byDepartement.get(first.departement)!;
      const second = rng.pickWeighted(near, depWeights.get(first.departement)!);
      locations.push(location(rng, rpps, 2, second, radius));
    }
    yield { identity, locations };
  }
}

/**
 * How far from its commune's centre a demo place may be, in km: a disk growing with the population (a village
 * ~0.4 km, Lyon ~2.7 km, Paris ~5.1 km). An arrondissement has no centre of its own in the communes file (its
 * city's stands in), so its places spread over its whole city's disk.
 */
function settlementRadii(communes: readonly Commune[]): (c: Commune) => number {
  const population = new Map(communes.map((c) => [c.inseeCode, c.population]));
  return (c) => {
    const people = c.kind === 'arrondissement-municipal' && c.parentInseeCode ? (population.get(c.parentInseeCode) ?? c.population) : c.population;
    return Math.min(6, 0.3 + Math.sqrt(people) / 300);
  };
}

/** A point drawn uniformly in the disk of `radiusKm` around the commune's centre, as if geocoded at street level. */
function streetPosition(rng: SeededRandom, commune: Commune, radiusKm: number): { lat: number; lon: number } | null {
  if (!commune.point) return null;
  const r = radiusKm * Math.sqrt(rng.next());
  const angle = 2 * Math.PI * rng.next();
  const lat = commune.point.lat + (r * Math.sin(angle)) / 111.32;
  const lon = commune.point.lon + (r * Math.cos(angle)) / (111.32 * Math.cos((commune.point.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}

function location(rng: SeededRandom, rpps: string, n: number, commune: Commune, radius: (c: Commune) => number): PracticeLocation {
  const zone = ZONE_BY_REGION[commune.region] ?? '05';
  const digits = Array.from({ length: 4 }, () => String(rng.int(0, 99)).padStart(2, '0')).join(' ');
  return {
    locationId: `demo-${rpps}-${n}`,
    structureName: `${rng.pick(STRUCTURES)} ${commune.name}`,
    siret: null,
    finessSite: null,
    streetNumber: String(rng.int(1, 180)),
    streetName: rng.pick(STREETS),
    postcode: commune.postcodes[0] ?? null,
    communeName: commune.name,
    inseeCode: commune.inseeCode,
    phone: `${zone} ${digits}`,
    modeExercice: 'L',
    secteurActivite: 'SA07',
    geo: streetPosition(rng, commune, radius(commune)),
  };
}

/** The demo SOS Médecins association's structure id (fixed, so that a second seed finds it). */
export const DEMO_SOS_MEDECINS_ID = '5050d3e0-0000-4000-8000-000000000505';

/** The demo SOS Médecins association: in the scale's most populous commune, under the demo SIRET. */
export function demoSosMedecins(communes: readonly Commune[], scale: DemoScale): RegisterOnPlatform | null {
  const commune = settlements(communes, scale).reduce<Commune | null>((best, c) => (best === null || c.population > best.population ? c : best), null);
  if (!commune) return null;
  return {
    type: 'RegisterOnPlatform',
    structureId: DEMO_SOS_MEDECINS_ID,
    kind: 'sos-medecins',
    name: `SOS Médecins ${commune.name}`,
    address: { inseeCode: commune.inseeCode, postcode: commune.postcodes[0] ?? null, street: '1 Place de la Permanence' },
    // A number of the range ARCEP keeps for fiction (05 36 49 xx xx).
    phone: '0536493624',
    siret: DEMO_SOS_MEDECINS_SIRET,
    managerAccountId: null,
  };
}

export interface SeedProgress {
  readonly done: number;
  readonly total: number;
}

/**
 * Writes the demo directory as practitioner streams, in batches of one transaction each. Answers how many
 * practitioners were written; 0 when the scale was seeded before (its first practitioner's stream exists).
 */
export async function seedDemoDirectory(
  deps: Pick<DirectoryDeps, 'eventStore' | 'clock' | 'newId'>,
  communes: readonly Commune[],
  scale: DemoScale,
  options: { readonly seed?: number; readonly batchSize?: number; readonly onProgress?: (p: SeedProgress) => void } = {},
): Promise<{ practitioners: number; locations: number; events: number }> {
  const total = practitionersFor(communes, scale);
  const generator = generateDemoPractitioners(communes, scale, options.seed);
  const first = generator.next();
  if (first.done) return { practitioners: 0, locations: 0, events: 0 };
  if ((await deps.eventStore.readStream(practitionerStreamName(first.value.identity.rpps), { limit: 1 })).length > 0) {
    return { practitioners: 0, locations: 0, events: 0 };
  }
  const ctx: CommandContext = { actor: systemActor, correlationId: deps.newId(), now: deps.clock() };
  const metadata = metadataFor(ctx, deps.newId);
  const batchSize = options.batchSize ?? 1000;
  const unknown = practitionerDecider.initialState();
  let batch: StreamAppend[] = [];
  let practitioners = 0;
  let locations = 0;
  let events = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await deps.eventStore.appendMany(batch);
    batch = [];
    options.onProgress?.({ done: practitioners, total });
  };
  const all: Iterable<DemoPractitioner> = [first.value, ...{ [Symbol.iterator]: () => generator }];
  for (const practitioner of all) {
    const decided = practitionerDecider.decide({ type: 'SyncPractitioner', snapshot: practitioner }, unknown);
    batch.push({
      streamName: practitionerStreamName(practitioner.identity.rpps),
      events: decided.map((e): EventEnvelope => ({ ...e, metadata: metadata() })),
      expectedRevision: 'no-stream',
    });
    practitioners++;
    locations += practitioner.locations.length;
    events += decided.length;
    if (batch.length >= batchSize) await flush();
  }
  const sos = demoSosMedecins(communes, scale);
  if (sos) {
    const decided = structureDecider.decide(sos, structureDecider.initialState());
    batch.push({ streamName: structureStreamName(sos.structureId), events: decided.map((e): EventEnvelope => ({ ...e, metadata: metadata() })), expectedRevision: 'no-stream' });
    events += decided.length;
  }
  await flush();
  return { practitioners, locations, events };
}
