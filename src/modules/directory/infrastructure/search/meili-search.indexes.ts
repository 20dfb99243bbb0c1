/**
 * The Meilisearch indexes of the search: names, settings (filterable and sortable attributes are set when an index
 * is created, and brought up to date when they changed), waiting for tasks, the rebuild target and the swap.
 *
 * Live indexes: `<prefix>_places` and `<prefix>_practitioners`; a rebuild fills `<prefix>_places__rebuild` and
 * `<prefix>_practitioners__rebuild`, then swaps both pairs in one atomic `swapIndexes` task (Meilisearch ≥ 1.18:
 * the client sends the `rename` flag) and deletes the old ones.
 */
import { Meilisearch, MeilisearchApiError, type EnqueuedTaskPromise, type Settings } from 'meilisearch';
import { CONSULTATION_TYPES } from '../../../availability/contracts/availability.events.ts';
import { slotStartsField } from './meili-search.documents.ts';

export interface MeiliSearchOptions {
  readonly url: string;
  /** Sent as a bearer token; never logged (the client redacts it from its errors too). */
  readonly apiKey?: string | undefined;
  /** Prefix of the index names, e.g. `sas` → `sas_places`, `sas_practitioners`. */
  readonly indexPrefix: string;
  /** How long to wait for one indexing task (a rebuild batch can take a while). */
  readonly taskTimeoutMs?: number;
  /** Timeout of one HTTP request. */
  readonly requestTimeoutMs?: number;
}

/** Candidates one search may read (index setting `pagination.maxTotalHits`): a whole département of one filière. */
export const MAX_CANDIDATES = 100_000;

export type Target = 'live' | 'rebuild';

interface IndexNames {
  readonly places: string;
  readonly practitioners: string;
}

export const PLACES_SETTINGS = {
  filterableAttributes: [
    '_geo',
    'acceptsEnSus',
    'departement',
    'filieres',
    'id',
    'inseeCode',
    'nameTrigrams',
    'participant',
    'rpps',
    'sector',
    slotStartsField(),
    ...CONSULTATION_TYPES.map((type) => slotStartsField(type)),
    'specialtyCode',
  ].sort(),
  sortableAttributes: ['_geo'],
  searchableAttributes: ['nameKey'],
  pagination: { maxTotalHits: MAX_CANDIDATES },
} satisfies Settings;

export const PRACTITIONERS_SETTINGS = {
  filterableAttributes: ['rpps'],
  sortableAttributes: [],
  searchableAttributes: ['rpps'],
  pagination: { maxTotalHits: MAX_CANDIDATES },
} satisfies Settings;

const INDEX_PREFIX = /^[A-Za-z0-9_-]{1,200}$/;

/** Index names of a prefix (live and rebuild). */
export function indexNames(prefix: string): Readonly<Record<Target, IndexNames>> {
  if (!INDEX_PREFIX.test(prefix)) throw new TypeError(`Invalid Meilisearch index prefix "${prefix}" (letters, digits, - and _)`);
  return {
    live: { places: `${prefix}_places`, practitioners: `${prefix}_practitioners` },
    rebuild: { places: `${prefix}_places__rebuild`, practitioners: `${prefix}_practitioners__rebuild` },
  };
}

const isNotFound = (error: unknown) => error instanceof MeilisearchApiError && error.cause?.code === 'index_not_found';


const strings = (values: unknown) =>
  Array.isArray(values)
    ? values
        .filter((v): v is string => typeof v === 'string')
        .slice()
        .sort()
        .join('\u0000')
    : '';

/** Whether an index's settings already hold what the search needs. */
export function settingsUpToDate(current: Settings, wanted: typeof PLACES_SETTINGS | typeof PRACTITIONERS_SETTINGS): boolean {
  return (
    strings(current.filterableAttributes) === strings(wanted.filterableAttributes) &&
    strings(current.sortableAttributes) === strings(wanted.sortableAttributes) &&
    strings(current.searchableAttributes) === strings(wanted.searchableAttributes) &&
    current.pagination?.maxTotalHits === wanted.pagination.maxTotalHits
  );
}

export class MeiliSearchIndexes {
  readonly client: Meilisearch;
  readonly names: Readonly<Record<Target, IndexNames>>;
  readonly #taskTimeoutMs: number;
  readonly #ready = new Map<Target, Promise<void>>();

  constructor(options: MeiliSearchOptions) {
    this.names = indexNames(options.indexPrefix);
    this.client = new Meilisearch({
      host: options.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      timeout: options.requestTimeoutMs ?? 30_000,
      clientAgents: ['sas-platform'],
    });
    this.#taskTimeoutMs = options.taskTimeoutMs ?? 120_000;
  }

  /** Creates the indexes of a target with their settings if missing (once per process, retried after a failure). */
  ensure(target: Target): Promise<void> {
    let ready = this.#ready.get(target);
    if (!ready) {
      ready = this.#ensure(this.names[target]).catch((error: unknown) => {
        this.#ready.delete(target);
        throw error;
      });
      this.#ready.set(target, ready);
    }
    return ready;
  }

  /** Fresh, empty rebuild indexes. */
  async recreateRebuild(): Promise<void> {
    this.#ready.delete('rebuild');
    await this.#dropTarget('rebuild');
    await this.ensure('rebuild');
  }

  /** Makes the rebuilt indexes live in one atomic task, then deletes the previous ones. */
  async swap(): Promise<void> {
    await this.ensure('live');
    await this.ensure('rebuild');
    const { live, rebuild } = this.names;
    await this.wait(
      this.client.swapIndexes([
        { indexes: [live.places, rebuild.places], rename: false },
        { indexes: [live.practitioners, rebuild.practitioners], rename: false },
      ]),
    );
    this.#ready.delete('rebuild');
    await this.#dropTarget('rebuild');
  }

  /** Deletes every index of this prefix (tests, or retiring the adapter). */
  async dropAll(): Promise<void> {
    this.#ready.clear();
    await this.#dropTarget('live');
    await this.#dropTarget('rebuild');
  }

  /** Waits for an enqueued task and fails unless it succeeded. */
  async wait(task: EnqueuedTaskPromise, tolerate: readonly string[] = []): Promise<void> {
    let done;
    try {
      done = await task.waitTask({ timeout: this.#taskTimeoutMs, interval: 25 });
    } catch (error) {
      // Some errors are answered at once instead of in the task (depends on the server version).
      if (error instanceof MeilisearchApiError && error.cause && tolerate.includes(error.cause.code)) return;
      throw error;
    }
    if (done.status === 'succeeded') return;
    if (done.error && tolerate.includes(done.error.code)) return;
    throw new Error(`Meilisearch task ${done.uid} (${done.type}, index ${done.indexUid ?? '-'}) ${done.status}: ${done.error?.message ?? 'no error message'}`);
  }

  async #ensure(names: IndexNames): Promise<void> {
    await this.#ensureIndex(names.places, PLACES_SETTINGS);
    await this.#ensureIndex(names.practitioners, PRACTITIONERS_SETTINGS);
  }

  async #ensureIndex(uid: string, settings: typeof PLACES_SETTINGS | typeof PRACTITIONERS_SETTINGS): Promise<void> {
    let exists = true;
    try {
      await this.client.getRawIndex(uid);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      exists = false;
    }
    // Another process may create it at the same moment: that is fine.
    if (!exists) await this.wait(this.client.createIndex(uid, { primaryKey: 'id' }), ['index_already_exists']);
    const index = this.client.index(uid);
    if (!settingsUpToDate(await index.getSettings(), settings)) await this.wait(index.updateSettings(settings));
  }

  async #dropTarget(target: Target): Promise<void> {
    for (const uid of [this.names[target].places, this.names[target].practitioners]) {
      await this.wait(this.client.deleteIndex(uid), ['index_not_found']);
    }
  }
}
