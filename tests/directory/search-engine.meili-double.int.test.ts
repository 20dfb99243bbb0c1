/**
 * The search-engine contract and the SQL cross-check against the Meilisearch adapter talking to an in-process test
 * double of the Meilisearch API (tests/support/fake-meilisearch.ts). This proves the adapter's own logic — documents
 * built from events, idempotent delivery, groups, radius, windows, names, seeded order and pagination, rebuild and
 * swap — under OUR READING of Meilisearch's semantics; it does not prove Meilisearch behaves so. The real server is
 * checked by search-engine.meili.int.test.ts when MEILISEARCH_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeiliSearchEngine } from '../../src/modules/directory/infrastructure/search/meili-search-engine.ts';
import { MeiliSearchIndexes } from '../../src/modules/directory/infrastructure/search/meili-search.indexes.ts';
import { searchEngineContract } from '../contracts/search-engine.contract.ts';
import { FakeMeilisearch } from '../support/fake-meilisearch.ts';
import { meiliSearchHarness, redeliveryChecks, sameResultsAsSql } from '../support/meili-search-harness.ts';

const API_KEY = 'test-double-admin-key';
const fake = new FakeMeilisearch({ apiKey: API_KEY });

beforeAll(async () => {
  await fake.start();
});
afterAll(async () => {
  await fake.stop();
});

searchEngineContract('Meilisearch adapter on a test double of the API', () => meiliSearchHarness({ url: fake.url, apiKey: API_KEY }));
sameResultsAsSql('Meilisearch adapter on a test double of the API', () => ({ url: fake.url, apiKey: API_KEY }));
redeliveryChecks('Meilisearch adapter on a test double of the API', () => ({ url: fake.url, apiKey: API_KEY }));

describe('Meilisearch adapter on a test double: indexes', () => {
  it('creates its indexes with their settings on first use, and refuses a wrong API key', async () => {
    const indexes = new MeiliSearchIndexes({ url: fake.url, apiKey: API_KEY, indexPrefix: 'firstuse' });
    expect(await new MeiliSearchEngine(indexes).search({ filiere: 'medecine-generale', place: { kind: 'departement', departement: '31' }, from: new Date(), to: new Date(Date.now() + 3_600_000), onlyAvailable: false, seed: 's', offset: 0, limit: 5 })).toEqual([]);
    expect(fake.indexUids()).toEqual(expect.arrayContaining(['firstuse_places', 'firstuse_practitioners']));
    const settings = await indexes.client.index('firstuse_places').getSettings();
    expect(settings.sortableAttributes).toEqual(['_geo']);
    expect(settings.pagination?.maxTotalHits).toBe(100_000);
    await indexes.dropAll();
    expect(fake.indexUids().filter((uid) => uid.startsWith('firstuse'))).toEqual([]);
    const wrongKey = new MeiliSearchIndexes({ url: fake.url, apiKey: 'wrong', indexPrefix: 'wrongkey' });
    await expect(wrongKey.ensure('live')).rejects.toThrow(/API key is invalid/);
  });
});
