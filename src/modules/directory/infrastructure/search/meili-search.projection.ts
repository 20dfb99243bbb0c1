/**
 * The Meilisearch search projection: an ExternalProjection that keeps the places index (what MeiliSearchEngine
 * searches) and the practitioners state index up to date from directory and availability events.
 *
 * Delivery is at least once (the runner stores its checkpoint after `apply`): for each practitioner of a batch the
 * state document is read, the events above its `position` are folded in (meili-search.documents.ts), then the
 * place documents are written and stale ones deleted, and only then the state document — each step waiting for
 * its Meilisearch task. A crash between two steps replays the batch: the places are recomputed from the same
 * state, so the outcome is the same.
 *
 * A rebuild (`sas projections rebuild directory_search_meili`) fills fresh indexes while the live ones serve, then
 * swaps them atomically.
 */
import type { RecordedEvent } from '../../../../shared-kernel/events/envelope.ts';
import type { ExternalProjection } from '../../../../shared-kernel/projections/projection.ts';
import {
  applyEvents,
  emptyState,
  MEILI_SEARCH_EVENT_TYPES,
  placeDocuments,
  practitionersOf,
  removedPlaceIds,
  type DocumentDeps,
  type PlaceDocument,
  type PractitionerStateDocument,
} from './meili-search.documents.ts';
import { filterValue } from './meili-search-engine.ts';
import type { MeiliSearchIndexes, Target } from './meili-search.indexes.ts';

export const MEILI_SEARCH_PROJECTION = 'directory_search_meili';

/** State documents read per request. */
const STATE_CHUNK = 250;
/** Documents written per request (a practitioner's documents carry all their slots: keep payloads moderate). */
const WRITE_CHUNK = 500;

const chunked = <T>(items: readonly T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

export function meiliSearchProjection(indexes: MeiliSearchIndexes, deps: DocumentDeps): ExternalProjection {
  const { client } = indexes;

  async function loadStates(target: Target, rppsList: readonly string[]): Promise<Map<string, PractitionerStateDocument>> {
    const states = new Map<string, PractitionerStateDocument>();
    const index = client.index<PractitionerStateDocument>(indexes.names[target].practitioners);
    for (let i = 0; i < rppsList.length; i += STATE_CHUNK) {
      const chunk = rppsList.slice(i, i + STATE_CHUNK);
      const { results } = await index.getDocuments({ filter: `rpps IN [${chunk.map(filterValue).join(', ')}]`, limit: chunk.length, offset: 0 });
      for (const state of results) states.set(state.rpps, state);
    }
    return states;
  }

  return {
    kind: 'external',
    name: MEILI_SEARCH_PROJECTION,
    filter: { eventTypes: [...MEILI_SEARCH_EVENT_TYPES] },

    async prepareRebuild() {
      await indexes.recreateRebuild();
    },

    async apply(events: readonly RecordedEvent[], target) {
      await indexes.ensure(target);
      const byPractitioner = new Map<string, RecordedEvent[]>();
      for (const event of events) {
        for (const rpps of practitionersOf(event)) {
          const list = byPractitioner.get(rpps);
          if (list) list.push(event);
          else byPractitioner.set(rpps, [event]);
        }
      }
      if (byPractitioner.size === 0) return;

      const before = await loadStates(target, [...byPractitioner.keys()]);
      const changed: { before: PractitionerStateDocument; after: PractitionerStateDocument }[] = [];
      for (const [rpps, list] of byPractitioner) {
        const state = before.get(rpps) ?? emptyState(rpps);
        const next = applyEvents(state, list, deps);
        if (next !== state) changed.push({ before: state, after: next });
      }
      if (changed.length === 0) return;

      const names = indexes.names[target];
      const upserts: PlaceDocument[] = changed.flatMap((c) => placeDocuments(c.after));
      const removals = changed.flatMap((c) => removedPlaceIds(c.before, c.after));
      const places = client.index<PlaceDocument>(names.places);
      // Places first, the state documents only once every place write succeeded (one task at a time).
      for (const chunk of chunked(upserts, WRITE_CHUNK)) await indexes.wait(places.addDocuments(chunk, { primaryKey: 'id' }));
      for (const chunk of chunked(removals, WRITE_CHUNK)) await indexes.wait(places.deleteDocuments(chunk));
      const states = client.index<PractitionerStateDocument>(names.practitioners);
      for (const chunk of chunked(changed.map((c) => c.after), WRITE_CHUNK)) await indexes.wait(states.addDocuments(chunk, { primaryKey: 'id' }));
    },

    async swap() {
      await indexes.swap();
    },
  };
}
