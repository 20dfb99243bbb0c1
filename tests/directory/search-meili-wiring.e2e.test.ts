/**
 * The platform with SEARCH_ENGINE=meilisearch: the directory module registers the Meilisearch projection beside the
 * SQL one, binds the Meilisearch engine, and GET /api/search answers from it. Needs a real Meilisearch server
 * (MEILISEARCH_URL, MEILISEARCH_API_KEY); skipped without one, as no server can be installed on the CI machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIRECTORY } from '../../src/modules/directory/directory.tokens.ts';
import { demoIdentityByRole } from '../../src/modules/identity/infrastructure/dev-idp/demo-identities.ts';
import { rpps, SearchEventsBuilder } from '../contracts/search-engine.contract.ts';
import { testDatabaseUrl } from '../support/databases.ts';
import { loginAs, type LoggedIn } from '../support/http-browser.ts';
import { eventually, startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

const url = process.env.MEILISEARCH_URL;

describe.skipIf(!testDatabaseUrl || !url)('search with SEARCH_ENGINE=meilisearch', () => {
  let t: TestPlatform;
  let regulator: LoggedIn;

  beforeAll(async () => {
    t = await startTestPlatform({
      env: { DEMO_DATA: 'true', DEMO_DIRECTORY: 'none', SEARCH_ENGINE: 'meilisearch', MEILISEARCH_URL: url!, MEILISEARCH_API_KEY: process.env.MEILISEARCH_API_KEY ?? '', MEILISEARCH_INDEX: `wiring${Date.now()}` },
    });
    regulator = await loginAs(t.url, demoIdentityByRole('regulateur-osnp').nationalId);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('runs the Meilisearch projection beside the SQL one and answers the search from Meilisearch', async () => {
    expect(t.platform.projections.names).toEqual(expect.arrayContaining(['directory_search', 'directory_search_meili']));
    expect(t.platform.containers.get('directory')!.get(DIRECTORY.searchEngine).name).toBe('meilisearch');
    const id = rpps(9001);
    const events = new SearchEventsBuilder(t.platform.eventStore, Date.now());
    await events.practitioner({ rpps: id, familyName: 'Câblage', givenName: 'Inès', locations: [{ locationId: 'wiring', inseeCode: '31555' }] });
    const slotId = await events.slot(id, 1, 'vendor');
    type Body = { items: { rpps: string; group: string; slots: { slotId: string }[] }[] };
    const find = async () => ((await (await regulator.api('/api/search?departement=31&name=cablage&limit=50')).json()) as Body).items;
    await eventually(async () => (await find()).some((c) => c.slots.length > 0));
    expect((await find()).map((c) => [c.rpps, c.group, c.slots.map((s) => s.slotId)])).toEqual([[id, 'with-slots', [slotId]]]);
  });
});
