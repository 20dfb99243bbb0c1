/** GET /api/openapi.json: every route of the registry, with its policy and its input schemas. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../support/databases.ts';
import { startTestPlatform, type TestPlatform } from '../support/test-platform.ts';

describe.skipIf(!testDatabaseUrl)('OpenAPI document', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await startTestPlatform();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('documents every route, anonymously readable', async () => {
    const response = await fetch(`${t.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    const doc = (await response.json()) as { openapi: string; paths: Record<string, Record<string, { summary: string; 'x-policy': string; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> }; parameters?: { name: string; in: string }[] }>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const route of t.platform.routes.routes) {
      const operation = doc.paths[route.path.replace(/:([A-Za-z]+)/g, '{$1}')]?.[route.method];
      expect(operation, `${route.method} ${route.path}`).toBeDefined();
      expect(operation!['x-policy']).toBe(route.policy);
    }
    const publish = doc.paths['/api/availability/slots']!.post!;
    const body = publish.requestBody!.content['application/json']!.schema;
    expect(body.required).toEqual(expect.arrayContaining(['effecteurId', 'start', 'end']));
    expect(Object.keys(body.properties)).toContain('consultationTypes');
    const list = doc.paths['/api/availability/slots']!.get!;
    expect(list.parameters!.filter((p) => p.in === 'query').map((p) => p.name)).toEqual(expect.arrayContaining(['effecteurId', 'from', 'to', 'cursor']));
    expect(doc.paths['/api/availability/slots/{slotId}']!.delete!.parameters).toEqual([expect.objectContaining({ name: 'slotId', in: 'path' })]);
  });
});
