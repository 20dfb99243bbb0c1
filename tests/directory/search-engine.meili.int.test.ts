/**
 * The search-engine contract against Meilisearch (meili-search.projection.ts + meili-search-engine.ts), and a
 * cross-check that it returns exactly what the SQL engine returns. It needs a running server, which the test
 * set-up does not start: set MEILISEARCH_URL (and MEILISEARCH_API_KEY when the server has a master key), e.g.
 *   docker run -p 7700:7700 -e MEILI_MASTER_KEY=dev-master-key-of-16-chars getmeili/meilisearch:v1.18
 *   MEILISEARCH_URL=http://localhost:7700 MEILISEARCH_API_KEY=dev-master-key-of-16-chars npx vitest run tests/directory/search-engine.meili.int.test.ts
 * Every run works on fresh indexes `test_<random>_*` and deletes them at the end.
 */
import { describe } from 'vitest';
import { searchEngineContract } from '../contracts/search-engine.contract.ts';
import { meiliSearchHarness, redeliveryChecks, sameResultsAsSql } from '../support/meili-search-harness.ts';

const url = process.env.MEILISEARCH_URL;
const server = { url: url ?? '', apiKey: process.env.MEILISEARCH_API_KEY || undefined };

describe.skipIf(!url)('Meilisearch search engine — needs MEILISEARCH_URL (e.g. MEILISEARCH_URL=http://localhost:7700)', () => {
  searchEngineContract('Meilisearch', () => meiliSearchHarness(server), { structures: false });
  sameResultsAsSql('Meilisearch server', () => server);
  redeliveryChecks('Meilisearch server', () => server);
});
