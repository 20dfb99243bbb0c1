/**
 * The OpenAPI 3.1 document of the platform, generated from the route registry: every route with its summary,
 * its authorisation policy (`x-policy`) and, where the route declares them, its query and body schemas.
 */
import { z } from 'zod';
import type { RouteInfo } from '../shared-kernel/auth/route.ts';

const toJsonSchema = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

const problem = { description: 'Problem details (RFC 7807)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

export function openApiDocument(routes: readonly RouteInfo[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = route.docs?.query ? toJsonSchema(route.docs.query) : null;
    const required = new Set((query?.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((query?.properties as Record<string, unknown> | undefined) ?? {})) {
      parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      'x-policy': route.policy,
      ...(route.anonymous ? { security: [] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.docs?.body ? { requestBody: { required: true, content: { 'application/json': { schema: toJsonSchema(route.docs.body) } } } } : {}),
      responses: { default: problem, '2XX': { description: 'Success' }, ...(route.anonymous ? {} : { 401: problem, 403: problem }) },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'SAS platform API', version, description: 'Plateforme numérique du Service d’Accès aux Soins — open re-implementation.' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'sas_session', description: 'Pro Santé Connect session; state-changing requests add the X-CSRF-Token header.' },
        clientSecret: { type: 'http', scheme: 'basic', description: 'Machine clients (vendors, LRM) in development and integration.' },
        clientCertificate: { type: 'mutualTLS', description: 'Machine clients in production (CN = client id).' },
      },
      schemas: {
        Problem: {
          type: 'object',
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' }, correlationId: { type: 'string' } },
        },
      },
    },
    security: [{ session: [] }, { clientSecret: [] }, { clientCertificate: [] }],
    paths,
  };
}
