/**
 * Search on the SQL read model (PostgreSQL or PGlite): a filière, a place (a point + radius, a commune or a
 * département), a "disponible sous" window, a consultation type, a name. Ordering as the real platform: the
 * patient's médecin traitant first, then practitioners with slots in the window, then the others; within a
 * group by distance for an address search, else in a random order that is stable for one search (seeded).
 * The vendor a slot comes from never enters the ordering (neutrality).
 */
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { SearchCard, SearchEngine, SearchQuery, SearchStructure } from '../../application/search/search-engine.port.ts';
import { filiereCondition, VISIBLE_SLOT } from './search.projection.ts';

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

const GROUPS = ['medecin-traitant', 'with-slots', 'without-slots'] as const;
const SLOT_COLUMN = { cabinet: 'slot_cabinet', teleconsultation: 'slot_teleconsultation', domicile: 'slot_domicile' } as const;

/**
 * Two steps. (1) The page of places: every filter and the ordering work on `search_locations` alone (the
 * slot test is a multirange overlap on the row). The médecin traitant's places come first, wherever they are,
 * fetched by RPPS; the other places are ranked by the query. (2) The slots of the few places of the page.
 */
async function searchPractitioners(db: SqlExecutor, q: SearchQuery): Promise<SearchCard[]> {
  const slotColumn = q.consultationType ? SLOT_COLUMN[q.consultationType] : 'slot_any';
  const hasSlot = `sl.${slotColumn} && tstzrange($2::timestamptz, $3::timestamptz)`;
  const params: unknown[] = [q.filiere, q.from, q.to];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // The filière as a literal (checked) so that its partial indexes apply; $1 stays bound for the médecin traitant's query.
  const where = [`$1::text IS NOT NULL AND ${filiereCondition(q.filiere, 'sl.filieres')}`];
  if (q.specialty) where.push(`sl.specialty_code = ${p(q.specialty)}`);
  if (q.name) where.push(`sl.name_key LIKE ${p(`%${q.name}%`)}`);
  if (q.onlyAvailable) where.push(hasSlot);
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
  let treating: Row[] = [];
  if (q.treatingRpps) {
    const treatingParams = [...params, q.treatingRpps];
    const dist = origin ? `CASE WHEN sl.lat IS NULL THEN NULL ELSE ${distance} END` : 'NULL::double precision';
    const { rows } = await db.query<Row>(
      // (The window's bounds are typed here even when no filter uses them.)
      `${select('0', dist)} FROM search_locations sl WHERE ${common.join(' AND ')} AND sl.rpps = $${treatingParams.length} AND $2::timestamptz <= $3::timestamptz
       ORDER BY sl.location_id`,
      treatingParams,
    );
    treating = rows;
  }
  const fromTreating = treating.slice(q.offset, q.offset + q.limit);
  const restOffset = Math.max(0, q.offset - treating.length);
  const restLimit = q.limit - fromTreating.length;

  let rest: Row[] = [];
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
    // The seeded hash orders a zone search, and breaks distance ties of an address search.
    const seeded = `md5(sl.rpps || ':' || sl.location_id || ':' || ${p(q.seed)}::text)`;
    if (q.place.kind === 'point') {
      // Nearest first from the filière's GiST index (KNN on the chord distance, same order as the great-circle
      // one), one group after the other: with slots, then (if the page is not full) without.
      // Two steps in one statement: (1) the `need` nearest places, straight from the index in distance order (an
      // ORDER BY with a tie-break would make the planner sort every place of the radius instead); (2) every place
      // up to the farthest of those — the same places plus any tied at that distance — ordered with the seeded
      // tie-break, so that places at one point (a commune centre) still page stably.
      const groupQuery = async (grp: 1 | 2, limit: number, offset: number) => {
        const group = `${where.join(' AND ')} AND ${grp === 1 ? hasSlot : `NOT (${hasSlot})`}`;
        return (
          await db.query<Row>(
            `WITH nearest AS MATERIALIZED (
               SELECT ${distance} AS d FROM search_locations sl
                WHERE ${group}
                ORDER BY ll_to_earth(sl.lat, sl.lon) <-> ${origin}
                LIMIT ${limit + offset}
             )
             ${select(String(grp), distance)}
               FROM search_locations sl
              WHERE ${group}
                AND earth_box(${origin}, (SELECT max(d) * 1000 FROM nearest)) @> ll_to_earth(sl.lat, sl.lon)
                AND ${distance} <= (SELECT max(d) FROM nearest)
              ORDER BY distance_km, ${seeded}, sl.rpps, sl.location_id
              LIMIT ${limit} OFFSET ${offset}`,
            params,
          )
        ).rows;
      };
      const withSlots = await groupQuery(1, restOffset + restLimit, 0);
      rest = withSlots.slice(restOffset);
      if (!q.onlyAvailable && withSlots.length < restOffset + restLimit) {
        rest.push(...(await groupQuery(2, restLimit - rest.length, Math.max(0, restOffset - withSlots.length))));
      }
    } else {
      const { rows } = await db.query<Row>(
        `${select(`CASE WHEN ${hasSlot} THEN 1 ELSE 2 END`, distance)}
           FROM search_locations sl
          WHERE ${where.join(' AND ')}
          ORDER BY grp, ${seeded}, sl.rpps, sl.location_id
          LIMIT ${p(restLimit)} OFFSET ${p(restOffset)}`,
        params,
      );
      rest = rows;
    }
  }
  const page = [...fromTreating, ...rest];
  if (page.length === 0) return [];

  // Names, structures and the slots of the page's practitioners, in one statement.
  const rppsList = [...new Set(page.map((r) => r.rpps))];
  const people = await db.query<{
    rpps: string;
    given_name: string | null;
    family_name: string | null;
    civility: string | null;
    specialty_label: string | null;
    structures: SearchStructure[];
    slots: { slotId: string; start: string; end: string; consultationTypes: string[]; source: string }[];
  }>(
    `SELECT p.rpps, sp.given_name, sp.family_name, sp.civility, sp.specialty_label,
            (SELECT coalesce(json_agg(json_build_object('structureId', st.structure_id, 'kind', st.kind, 'name', st.name, 'phone', st.phone)
                                      ORDER BY st.kind, st.name, st.structure_id), '[]'::json)
               FROM search_structure_members m JOIN search_structures st ON st.structure_id = m.structure_id
              WHERE m.rpps = p.rpps) AS structures,
            (SELECT coalesce(json_agg(json_build_object('slotId', s.slot_id, 'start', s.starts_at, 'end', s.ends_at,
                                                        'consultationTypes', s.consultation_types, 'source', s.source)
                                      ORDER BY s.starts_at, s.slot_id), '[]'::json)
               FROM (SELECT s.* FROM search_slots s LEFT JOIN search_unavailability u ON u.rpps = s.rpps
                      WHERE s.rpps = p.rpps AND s.starts_at >= $2::timestamptz AND s.starts_at < $3::timestamptz
                        AND ($4::text IS NULL OR $4::text = ANY(s.consultation_types)) AND ${VISIBLE_SLOT}
                      ORDER BY s.starts_at, s.slot_id
                      LIMIT ${MAX_SLOTS_PER_CARD}) s) AS slots
       FROM unnest($1::text[]) AS p(rpps) LEFT JOIN search_practitioners sp ON sp.rpps = p.rpps`,
    [rppsList, q.from, q.to, q.consultationType ?? null],
  );
  const person = new Map(people.rows.map((r) => [r.rpps, r]));
  return page.map((r) => {
    const who = person.get(r.rpps);
    return {
      rpps: r.rpps,
      locationId: r.location_id,
      givenName: who?.given_name ?? '',
      familyName: who?.family_name ?? '',
      civility: who?.civility ?? null,
      specialty: who?.specialty_label ?? null,
      address: { streetNumber: r.street_number, streetName: r.street_name, postcode: r.postcode, commune: r.commune, inseeCode: r.insee_code },
      structure: r.structure,
      phone: r.phone,
      structures: who?.structures ?? [],
      distanceKm: r.distance_km === null ? null : Math.round(Number(r.distance_km) * 10) / 10,
      group: GROUPS[Number(r.grp)] ?? 'without-slots',
      slots: (who?.slots ?? []).map((x) => ({ ...x, start: new Date(x.start).toISOString(), end: new Date(x.end).toISOString() })),
    };
  });
}
