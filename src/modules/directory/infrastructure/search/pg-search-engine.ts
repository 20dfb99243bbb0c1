/**
 * Search on the SQL read model (PostgreSQL or PGlite): a filière, a place (a point + radius, a commune or a
 * département), a "disponible sous" window, a consultation type, a name. Ordering as the real platform: the
 * patient's médecin traitant first, then practitioners with slots in the window, then the others; within a
 * group by distance for an address search, else in a random order that is stable for one search (seeded).
 * The vendor a slot comes from never enters the ordering (neutrality).
 */
import type { SqlExecutor } from '../../../../shared-kernel/sql/sql-database.ts';
import type { SearchCard, SearchEngine, SearchQuery, SearchSlot } from '../../application/search/search-engine.port.ts';

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

async function searchPractitioners(db: SqlExecutor, q: SearchQuery): Promise<SearchCard[]> {
  const params: unknown[] = [q.filiere, q.from, q.to, q.consultationType ?? null, q.treatingRpps ?? null, q.seed];
  const p = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['$1 = ANY(sp.filieres)'];
  let distance = 'NULL::double precision';
  if (q.place.kind === 'point') {
    const origin = `ll_to_earth(${p(q.place.lat)}::float8, ${p(q.place.lon)}::float8)`;
    const radius = `${p(q.place.radiusKm * 1000)}::float8`;
    distance = `earth_distance(${origin}, ll_to_earth(sl.lat, sl.lon)) / 1000`;
    where.push(`sl.lat IS NOT NULL AND earth_box(${origin}, ${radius}) @> ll_to_earth(sl.lat, sl.lon) AND earth_distance(${origin}, ll_to_earth(sl.lat, sl.lon)) <= ${radius}`);
  } else if (q.place.kind === 'commune') {
    where.push(`sl.insee_code = ${p(q.place.inseeCode)}`);
  } else {
    where.push(`sl.departement = ${p(q.place.departement)}`);
  }
  if (q.specialty) where.push(`sp.specialty_code = ${p(q.specialty)}`);
  if (q.name) where.push(`sp.name_key LIKE ${p(`%${q.name}%`)}`);
  if (q.onlyAvailable) where.push('s.rpps IS NOT NULL');
  // The seeded hash orders a zone search, and breaks distance ties of an address search.
  const seeded = "md5(sl.rpps || ':' || sl.location_id || ':' || $6::text)";
  const order = q.place.kind === 'point' ? `distance_km, ${seeded}` : seeded;
  const { rows } = await db.query<{
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
    slots: SearchSlot[] | null;
  }>(
    `WITH s AS (
       SELECT rpps, jsonb_agg(jsonb_build_object('slotId', slot_id, 'start', starts_at, 'end', ends_at, 'consultationTypes', consultation_types, 'source', source)
                              ORDER BY starts_at, slot_id) AS slots
       FROM search_slots
       WHERE starts_at >= $2::timestamptz AND starts_at < $3::timestamptz AND ($4::text IS NULL OR $4::text = ANY(consultation_types))
       GROUP BY rpps
     )
     SELECT sl.rpps, sl.location_id, sp.given_name, sp.family_name, sp.civility, sp.specialty_label, sl.street_number, sl.street_name,
            sl.postcode, sl.commune, sl.insee_code, sl.structure, sl.phone, ${distance} AS distance_km,
            CASE WHEN sl.rpps = $5::text THEN 0 WHEN s.rpps IS NOT NULL THEN 1 ELSE 2 END AS grp,
            s.slots
     FROM search_locations sl
     JOIN search_practitioners sp ON sp.rpps = sl.rpps
     LEFT JOIN s ON s.rpps = sl.rpps
     WHERE ${where.join(' AND ')}
     ORDER BY grp, ${order}, sl.rpps, sl.location_id
     LIMIT ${p(q.limit)} OFFSET ${p(q.offset)}`,
    params,
  );
  const groups = ['medecin-traitant', 'with-slots', 'without-slots'] as const;
  return rows.map((r) => ({
    rpps: r.rpps,
    locationId: r.location_id,
    givenName: r.given_name,
    familyName: r.family_name,
    civility: r.civility,
    specialty: r.specialty_label,
    address: { streetNumber: r.street_number, streetName: r.street_name, postcode: r.postcode, commune: r.commune, inseeCode: r.insee_code },
    structure: r.structure,
    phone: r.phone,
    distanceKm: r.distance_km === null ? null : Math.round(Number(r.distance_km) * 10) / 10,
    group: groups[Number(r.grp)] ?? 'without-slots',
    slots: (r.slots ?? []).slice(0, MAX_SLOTS_PER_CARD).map((s) => ({ ...s, start: new Date(s.start).toISOString(), end: new Date(s.end).toISOString() })),
  }));
}
