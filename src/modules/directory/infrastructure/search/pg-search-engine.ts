/**
 * Search on the SQL read model (PostgreSQL or PGlite): a filière, a place (a point + radius, a commune, a
 * département or a structure's members), a "disponible sous" window, a consultation type, a name, "en sus",
 * secteur, structure kind. Ordering as the real platform: the patient's médecin traitant first, then SAS
 * participants with slots in the window, then other practitioners with slots, then the rest; within a group by
 * distance for an address search, else in a random order that is stable for one search (zone-order.ts).
 * The vendor a slot comes from never enters the ordering (neutrality).
 */
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { SearchCard, SearchEngine, SearchParticipation, SearchQuery, SearchStructure } from '../../application/search/search-engine.port.ts';
import { filiereCondition, VISIBLE_SLOT } from './search.projection.ts';
import { seedStart } from '../../application/search/zone-order.ts';

const MAX_SLOTS_PER_CARD = 20;

/** The search engine on the SQL read model of `search.projection.ts` (PostgreSQL or PGlite). */
export class SqlSearchEngine implements SearchEngine {
  readonly name = 'sql';
  readonly #db: SqlExecutor;
  constructor(db: SqlExecutor) {
    this.#db = db;
  }
  search(q: SearchQuery): Promise<SearchCard[]> {
    return searchPractitioners(this.#db, q);
  }
}

type Row = {
  rpps: string;
  location_id: string;
  given_name: string;
  family_name: string;
  civility: string | null;
  specialty_label: string | null;
  street_number: string | null;
  street_name: string | null;
  postcode: string | null;
  commune: string | null;
  insee_code: string | null;
  structure: string | null;
  phone: string | null;
  distance_km: number | null;
  grp: number;
};

/** grp 0: the médecin traitant; 1: SAS participants with slots; 2: other practitioners with slots; 3: the rest. */
const GROUPS = ['medecin-traitant', 'with-slots', 'with-slots', 'without-slots'] as const;
/** A place of the page with its practitioner's names, structures and slots (the people columns below). */
type CardRow = Row & {
  given_name: string | null;
  family_name: string | null;
  civility: string | null;
  specialty_label: string | null;
  structures: SearchStructure[];
  participation: SearchParticipation | null;
  effecteur_structure: SearchStructure | null;
  slots: { slotId: string; start: string; end: string; consultationTypes: string[]; source: string; stale: boolean; bookingMode: 'end-to-end' | 'phone' | null }[];
};

/**
 * The practitioner's names, open structures and first visible slots of the window ($2, $3) and type ($4), for a
 * page row `page` joined with `sp` (search_practitioners).
 */
const PEOPLE_COLUMNS = `sp.given_name, sp.family_name, sp.civility, sp.specialty_label,
  (SELECT coalesce(json_agg(json_build_object('structureId', st.structure_id, 'kind', st.kind, 'name', st.name, 'phone', st.phone)
                            ORDER BY st.kind, st.name, st.structure_id), '[]'::json)
     FROM search_structure_members m JOIN search_structures st ON st.structure_id = m.structure_id
    WHERE m.rpps = page.rpps) AS structures,
  (SELECT json_build_object('mode', pa.mode, 'structureId', pa.structure_id, 'acceptsEnSus', pa.accepts_en_sus, 'conventionSector', pa.sector)
     FROM search_participation pa WHERE pa.rpps = page.rpps) AS participation,
  (SELECT json_build_object('structureId', st.structure_id, 'kind', st.kind, 'name', st.name, 'phone', st.phone)
     FROM search_structures st WHERE st.structure_id = page.location_id AND st.siret = page.rpps) AS effecteur_structure,
  (SELECT coalesce(json_agg(json_build_object('slotId', s.slot_id, 'start', s.starts_at, 'end', s.ends_at,
                                              'consultationTypes', s.consultation_types, 'source', s.source, 'stale', s.stale,
                                              'bookingMode', s.booking_mode)
                            ORDER BY s.starts_at, s.slot_id), '[]'::json)
     FROM (SELECT s.* FROM search_slots s LEFT JOIN search_unavailability u ON u.rpps = s.rpps
            WHERE s.rpps = page.rpps AND s.starts_at >= $2::timestamptz AND s.starts_at < $3::timestamptz
              AND ($4::text IS NULL OR $4::text = ANY(s.consultation_types)) AND ${VISIBLE_SLOT}
            ORDER BY s.starts_at, s.slot_id
            LIMIT ${MAX_SLOTS_PER_CARD}) s) AS slots`;

type Grp = 1 | 2 | 3;
/** The places of a group: 1 SAS participants with a slot in the window, 2 other practitioners with one, 3 the rest. */
const groupCondition = (grp: Grp, hasSlot: string) =>
  grp === 1 ? `${hasSlot} AND sl.participant` : grp === 2 ? `${hasSlot} AND NOT sl.participant` : `NOT (${hasSlot})`;

/**
 * The groups' CTEs one after the other, each read only when the ones before left room on the page (a one-time
 * filter `only`), and `ranked`, their union. With `onlyAvailable` the places without slots are left out.
 */
function groupsInTurn(onlyAvailable: boolean, need: number, cte: (grp: Grp, only: string) => string): string {
  const groups: Grp[] = onlyAvailable ? [1, 2] : [1, 2, 3];
  const ctes = groups.map((grp, i) =>
    cte(grp, i === 0 ? '' : `(${groups.slice(0, i).map((g) => `(SELECT count(*) FROM group${g})`).join(' + ')}) < ${need} AND `),
  );
  return `WITH ${ctes.join(',\n')}, ranked AS (${groups.map((g) => `SELECT * FROM group${g}`).join(' UNION ALL ')})`;
}

const SLOT_COLUMN = { cabinet: 'slot_cabinet', teleconsultation: 'slot_teleconsultation', domicile: 'slot_domicile' } as const;

/**
 * One statement per search (two with a médecin traitant): the page of places — every filter and the ordering work
 * on `search_locations` alone, the slot test being a multirange overlap on the row — then, for the few places of
 * the page, the practitioner's names, structures and slots (PEOPLE_COLUMNS). The médecin traitant's places come
 * first, wherever they are, fetched by RPPS; the other places are ranked by the query.
 */
async function searchPractitioners(db: SqlExecutor, q: SearchQuery): Promise<SearchCard[]> {
  const slotColumn = q.consultationType ? SLOT_COLUMN[q.consultationType] : 'slot_any';
  const hasSlot = `sl.${slotColumn} && tstzrange($2::timestamptz, $3::timestamptz)`;
  // $1 filière (for the médecin traitant's query), $2 and $3 the window, $4 the consultation type (slots of the cards).
  const params: unknown[] = [q.filiere, q.from, q.to, q.consultationType ?? null];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // The filière as a literal (checked) so that its partial indexes apply; $1 stays bound for the médecin traitant's query.
  const where = [`$1::text IS NOT NULL AND ${filiereCondition(q.filiere, 'sl.filieres')}`];
  if (q.specialty) where.push(`sl.specialty_code = ${p(q.specialty)}`);
  if (q.name) where.push(`sl.name_key LIKE ${p(`%${q.name}%`)}`);
  if (q.onlyAvailable) where.push(hasSlot);
  if (q.acceptsEnSus) where.push('sl.accepts_en_sus');
  if (q.conventionSector) where.push(`sl.sector = ${p(q.conventionSector)}`);
  if (q.structureKind) where.push(`EXISTS (SELECT 1 FROM search_structure_members m WHERE m.rpps = sl.rpps AND m.kind = ${p(q.structureKind)})`);
  const common = [...where];
  let distance = 'NULL::double precision';
  let origin: string | null = null;
  if (q.place.kind === 'point') {
    origin = `ll_to_earth(${p(q.place.lat)}::float8, ${p(q.place.lon)}::float8)`;
    distance = `earth_distance(${origin}, ll_to_earth(sl.lat, sl.lon)) / 1000`;
  }
  const select = (grp: string, dist: string) => `SELECT sl.rpps, sl.location_id, sl.structure, sl.street_number, sl.street_name, sl.postcode, sl.commune,
            sl.insee_code, sl.phone, ${dist} AS distance_km, ${grp} AS grp`;

  // The médecin traitant's places (any distance), first.
  let treating: CardRow[] = [];
  if (q.treatingRpps) {
    const treatingParams = [...params, q.treatingRpps];
    const dist = origin ? `CASE WHEN sl.lat IS NULL THEN NULL ELSE ${distance} END` : 'NULL::double precision';
    const { rows } = await db.query<CardRow>(
      // (The window's bounds are typed here even when no filter uses them.)
      `SELECT page.*, ${PEOPLE_COLUMNS}
         FROM (${select('0', dist)} FROM search_locations sl WHERE ${common.join(' AND ')} AND sl.rpps = $${treatingParams.length} AND $2::timestamptz <= $3::timestamptz) page
         LEFT JOIN search_practitioners sp ON sp.rpps = page.rpps
        ORDER BY page.location_id`,
      treatingParams,
      { prepare: true },
    );
    treating = rows;
  }
  const fromTreating = treating.slice(q.offset, q.offset + q.limit);
  const restOffset = Math.max(0, q.offset - treating.length);
  const restLimit = q.limit - fromTreating.length;

  let rest: CardRow[] = [];
  if (restLimit > 0) {
    if (q.place.kind === 'point') {
      const radius = `${p(q.place.radiusKm * 1000)}::float8`;
      where.push(`sl.lat IS NOT NULL AND earth_box(${origin}, ${radius}) @> ll_to_earth(sl.lat, sl.lon) AND earth_distance(${origin}, ll_to_earth(sl.lat, sl.lon)) <= ${radius}`);
    } else if (q.place.kind === 'commune') {
      where.push(`sl.insee_code = ${p(q.place.inseeCode)}`);
    } else if (q.place.kind === 'structure') {
      where.push(`sl.rpps IN (SELECT m.rpps FROM search_structure_members m WHERE m.structure_id = ${p(q.place.structureId)})`);
    } else {
      where.push(`sl.departement = ${p(q.place.departement)}`);
    }
    if (q.treatingRpps) where.push(`sl.rpps <> ${p(q.treatingRpps)}`);
    const need = restOffset + restLimit;
    let ranked: string;
    if (q.place.kind === 'point') {
      // The seeded hash breaks distance ties of an address search.
      const seeded = `md5(sl.rpps || ':' || sl.location_id || ':' || ${p(q.seed)}::text)`;
      // Per group (with slots, then without): (1) the `need` nearest places straight from the filière's GiST index
      // in distance order (KNN on the chord distance, the same order as the great-circle one; an ORDER BY with a
      // tie-break would make the planner sort every place of the radius instead); (2) every place up to the
      // farthest of those — the same places plus any tied at that distance — ordered with the seeded tie-break, so
      // that places at one point (a commune centre) still page stably. The second group is read only when the
      // first did not fill the page (a one-time filter).
      const group = (grp: Grp, only: string) => {
        const cond = `${where.join(' AND ')} AND ${groupCondition(grp, hasSlot)}`;
        return `nearest${grp} AS MATERIALIZED (
            SELECT ${distance} AS d FROM search_locations sl
             WHERE ${only}${cond}
             ORDER BY ll_to_earth(sl.lat, sl.lon) <-> ${origin}
             LIMIT ${need}
          ),
          group${grp} AS MATERIALIZED (
            ${select(String(grp), distance)}, ${seeded} AS tie
              FROM search_locations sl
             WHERE ${cond}
               AND earth_box(${origin}, (SELECT max(d) * 1000 FROM nearest${grp})) @> ll_to_earth(sl.lat, sl.lon)
               AND ${distance} <= (SELECT max(d) FROM nearest${grp})
             ORDER BY distance_km, tie, sl.rpps, sl.location_id
             LIMIT ${need}
          )`;
      };
      ranked = groupsInTurn(q.onlyAvailable, need, group);
    } else {
      // A zone: the places from the search's seeded starting point in their fixed random ranks, wrapping around
      // (zone-order.ts); per group, two ordered reads of the filière's (zone, shuffle) index.
      const start = `${p(seedStart(q.seed))}::float8`;
      const key = `CASE WHEN sl.shuffle >= ${start} THEN sl.shuffle - ${start} ELSE sl.shuffle - ${start} + 1 END`;
      const turn = (grp: Grp, only: string, upper: boolean) =>
        `(${select(String(grp), distance)}, ${key} AS tie FROM search_locations sl
           WHERE ${only}${where.join(' AND ')} AND ${groupCondition(grp, hasSlot)} AND sl.shuffle ${upper ? '>=' : '<'} ${start}
           ORDER BY sl.shuffle, sl.rpps, sl.location_id LIMIT ${need})`;
      ranked = groupsInTurn(q.onlyAvailable, need, (grp, only) => `group${grp} AS MATERIALIZED (${turn(grp, only, true)} UNION ALL ${turn(grp, only, false)})`);
    }
    rest = (
      await db.query<CardRow>(
        `${ranked},
         page AS (SELECT * FROM ranked ORDER BY grp, distance_km, tie, rpps, location_id LIMIT ${restLimit} OFFSET ${restOffset})
         SELECT page.*, ${PEOPLE_COLUMNS}
           FROM page LEFT JOIN search_practitioners sp ON sp.rpps = page.rpps
          ORDER BY page.grp, page.distance_km, page.tie, page.rpps, page.location_id`,
        params,
        // A first page (most searches) is a prepared statement: parsed and planned once per connection. Later pages
        // are not, so that deep offsets (literal in the text) do not pile up statements on the server; nor a name
        // search, whose best plan depends on the name (trigram index or not).
        { prepare: q.offset === 0 && !q.name },
      )
    ).rows;
  }
  const page = [...fromTreating, ...rest];
  return page.map((r) => {
    return {
      rpps: r.rpps,
      locationId: r.location_id,
      givenName: r.given_name ?? '',
      familyName: r.family_name ?? '',
      civility: r.civility ?? null,
      specialty: r.specialty_label ?? null,
      address: { streetNumber: r.street_number, streetName: r.street_name, postcode: r.postcode, commune: r.commune, inseeCode: r.insee_code },
      structure: r.structure,
      phone: r.phone,
      structures: r.structures ?? [],
      participation: r.participation ?? null,
      effecteurStructure: r.effecteur_structure ?? null,
      distanceKm: r.distance_km === null ? null : Math.round(Number(r.distance_km) * 10) / 10,
      group: GROUPS[Number(r.grp)] ?? 'without-slots',
      slots: (r.slots ?? []).map(({ stale, bookingMode, ...x }) => ({
        ...x,
        start: new Date(x.start).toISOString(),
        end: new Date(x.end).toISOString(),
        ...(stale ? { stale } : {}),
        ...(bookingMode ? { bookingMode } : {}),
      })),
    };
  });
}
